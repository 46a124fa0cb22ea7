"""``python -m sim validate``: the discrete-event model against RTL simulation at T = 135,
configuration by configuration, into results/ (BENCHMARKS.md's source) and a JSON file."""
import json
from pathlib import Path

from golden.benchmarks import command_line, table, update_section
from golden.pipeline import load_default
from golden.progress import progress_bar

from rtl.config import CoreConfig
from .measure import compare

#: (rows, batch, slots) measured by default: one and several lanes, batches, slot counts.
DEFAULT_CONFIGS = ("32,1,1", "32,1,2", "16,1,2", "24,1,3", "16,2,2", "32,2,2", "32,4,2")


def config_arg(text):
    rows, batch, slots = (int(v) for v in text.split(","))
    return rows, batch, slots


def add_arguments(p):
    p.add_argument("--configs", nargs="+", type=config_arg, default=[config_arg(c) for c in
                                                                    DEFAULT_CONFIGS],
                   metavar="ROWS,BATCH,SLOTS")
    p.add_argument("--rounds", type=int, default=2, help="rounds of all lanes per config")
    p.add_argument("--json", help="also write the figures to this JSON file")
    p.add_argument("--no-benchmarks", action="store_true")
    p.add_argument("--render-only", metavar="JSON",
                   help="record the section from a JSON file of an earlier run, measure nothing")


def run(args):
    if args.render_only:
        saved = json.loads(Path(args.render_only).read_text())
        _record(saved["results"], saved["rounds"], saved["command"])
        return 0
    q = load_default()
    bins = q.meta["acquisition"]["bins"]
    results = []
    with progress_bar() as bar:
        task = bar.add_task("RTL simulation", total=len(args.configs), status="")
        for rows, batch, slots in args.configs:
            config = CoreConfig(rows=rows, batch=batch, slots=slots)
            results.append(compare(q, config, bins=bins, rounds=args.rounds))
            r = results[-1]
            bar.console.print(f"rows={rows} batch={batch} slots={slots}: RTL "
                              f"{r['rtl']['cycles_per_pixel']:.1f}, DES "
                              f"{r['des']['cycles_per_pixel']:.1f} cycles/pixel "
                              f"({100 * r['error']:+.3f} %)")
            bar.advance(task)
    command = command_line("sim")
    if args.json:
        Path(args.json).write_text(json.dumps({"command": command, "rounds": args.rounds,
                                               "results": results}, indent=1) + "\n")
    if not args.no_benchmarks:
        _record(results, args.rounds, command)
    return 0


def _record(results, rounds, command):
    update_section("des-validation", "Discrete-event model vs RTL", command,
                   {"rounds": rounds, "results": results}, renderer=__name__)


def section_body(data):
    """The des-validation section's Markdown, from each configuration's comparison."""
    results, rounds = data["results"], data["rounds"]
    bins = results[0]["bins"]
    rows = [[r["rows"], r["batch"], r["slots"], r["rows"] * r["batch"],
             f"{r['rtl']['cycles_per_pixel']:,.1f}", f"{r['des']['cycles_per_pixel']:,.1f}",
             f"{100 * r['error']:+.3f} %", r["rtl"]["matmul_busy"], r["des"]["matmul_busy"],
             r["rtl"]["latency"], r["des"]["latency"]] for r in results]
    return (f"`rtl.multipixel.MultiPixelCore` in Amaranth simulation (T = {bins}, shipped "
            f"8-bit Seq2SeqLite, decays streamed back to back, no stalls; steady state = from "
            f"the last result of the first round of all lanes to the last result of round "
            f"{rounds}) against `sim.des` (SimPy) for the same configuration. The DES service "
            f"times come from the RTL's state machines (calibrated once on the T = 20 "
            f"configuration rows=8, batch=1, slots=2); target: |error| <= 2 %.\n\n"
            + table(["rows", "batch", "slots", "matmul multipliers", "RTL cycles/pixel",
                     "DES cycles/pixel", "DES error", "RTL matmul busy", "DES matmul busy",
                     "RTL latency", "DES latency"], rows))
