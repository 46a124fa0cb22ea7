"""``python -m sim cycles``: the one-pixel-at-a-time core's RTL cycles per pixel, beside the
discrete-event model's, into results/ (BENCHMARKS.md's source)."""
from golden.benchmarks import command_line, table, update_section
from golden.export import golden_counts
from golden.pipeline import load_default
from rtl.config import CoreConfig
from rtl.gates import GATE_PRODUCTS

from .cycles import gate_unit_macs, macs_per_pixel, measure_core
from .des import simulate


def add_arguments(p):
    p.add_argument("--rows", type=int, nargs="+", default=[4, 8, 16, 32],
                   help="matmul multipliers of each core measured (divisors of 3H, at most H)")
    p.add_argument("--no-benchmarks", action="store_true")


def run(args):
    q = load_default()
    bins = q.meta["acquisition"]["bins"]
    counts = golden_counts(7, bins, seed=3)[4:]
    macs = macs_per_pixel(bins, q.hidden_size)
    matmul_macs = macs - gate_unit_macs(bins, q.hidden_size)
    measured = []
    for m in args.rows:
        latency, interval = measure_core(q, counts, m)
        predicted = simulate(CoreConfig(rows=m, batch=1, slots=1), bins=bins)["cycles_per_pixel"]
        measured.append({"rows": m, "latency": latency, "cycles_per_pixel": interval,
                         "des_cycles_per_pixel": predicted})
        print(f"rows {m}: latency {latency} cycles, {interval:.0f} cycles/pixel "
              f"(sim.des: {predicted:.0f})")
    if not args.no_benchmarks:
        data = {"bins": bins, "hidden": q.hidden_size, "macs_per_pixel": macs,
                "matmul_macs_per_pixel": matmul_macs, "gate_multipliers": len(GATE_PRODUCTS),
                "cores": measured}
        update_section("rtl-cycles", "RTL core: cycles per pixel", command_line("sim"), data,
                       renderer=__name__)
    return 0


def section_body(data):
    """The rtl-cycles section's Markdown, from each core's measured latency and interval."""
    gates = data["gate_multipliers"]
    rows = [[c["rows"], c["rows"] + gates, c["latency"], c["cycles_per_pixel"],
             c["des_cycles_per_pixel"],
             data["macs_per_pixel"] / (c["cycles_per_pixel"] * (c["rows"] + gates)),
             data["matmul_macs_per_pixel"] / (c["cycles_per_pixel"] * c["rows"])]
            for c in data["cores"]]
    return (f"Seq2SeqLite {data['hidden']}x{data['hidden']}, T = {data['bins']}, 8-bit, one "
            f"pixel at a time: `rtl.config.CoreConfig(rows=M, batch=1, slots=1)` (the "
            f"explorer's baseline), three pixels streamed in Amaranth simulation with no "
            f"stalls, beside `sim.des`'s prediction. MACs/pixel = {data['macs_per_pixel']}. DSP "
            f"efficiency counts every multiplier the core has: M for the matmul and {gates} in "
            f"the gate unit and head. The last column is the matmul multipliers' busy share. "
            f"The reference HLS design needs 110,297 cycles per pixel with 183 DSPs.\n\n"
            + table(["M (matmul rows)", "multipliers (M + gate unit)", "latency (cycles)",
                     "cycles/pixel (RTL)", "cycles/pixel (sim.des)", "DSP efficiency",
                     "busy share of the M matmul multipliers"], rows))
