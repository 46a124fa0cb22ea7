"""``python -m boards explore --board BOARD --json PATH``: sweep lanes and multipliers through the
discrete-event model within a board's budget, plot throughput against resources, name the best
configuration and its speedup over manual scheduling."""
import json
from dataclasses import replace
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from golden.benchmarks import command_line, table, update_section  # noqa: E402
from golden.fixed import FixedSpec  # noqa: E402
from golden.pipeline import DEFAULT_WEIGHTS, add_weights_argument, load_model  # noqa: E402
from golden.validate import InputError  # noqa: E402
from golden.progress import progress_bar  # noqa: E402

from sim.explore import NETWORKS, configurations, explore, gate_label  # noqa: E402

from .platforms import BOARDS  # noqa: E402

def _fmt(value):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
    return str(value)


COLUMNS = ("rows", "batch", "slots", "gate_luts", "gate_dsps", "lanes", "multipliers", "lut_multipliers",
           "luts", "board_luts", "bram", "cycles_per_pixel", "pixels_per_s", "dsp_efficiency")


#: The board's facts an explore section states.
BOARD_FACTS = ("name", "luts", "dsp", "bram", "clock_mhz", "clock_source", "packing",
               "packing_source")


def _title(model, hidden, layers, bins):
    return f"{model} (H = {hidden}, {layers} layer{'s' * (layers > 1)}), T = {bins}"


def add_arguments(p):
    p.add_argument("--board", required=True, choices=sorted(BOARDS))
    p.add_argument("--model", choices=sorted(NETWORKS), default="lite",
                   help="network: the 8-bit Lite (H=32, 1 layer; has RTL) or the teacher "
                        "(H=128, 2 layers; DES prediction only)")
    add_weights_argument(p)
    p.add_argument("--json", type=Path, required=True, help="report file")
    p.add_argument("--png", type=Path, help="plot (default: beside the JSON)")
    p.add_argument("--clock-mhz", type=float, help="clock to assume (default: the board's)")
    p.add_argument("--max-batch", type=int, default=8)
    p.add_argument("--max-slots", type=int, default=3)
    p.add_argument("--no-benchmarks", action="store_true")


def _plot(path, board, entries, best, base, title):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), dpi=120)
    second = (("board_luts", board.luts, "logic cells (fitted model x packing)")
              if best["luts"] is not None
              else ("bram", board.bram, "block RAMs (weights, lower bound)"))
    for ax, (key, total, label) in zip(axes, (("multipliers", board.dsp, "DSP multipliers"),
                                              second)):
        for fits, colour, name in ((True, "tab:blue", "fits"), (False, "tab:grey", "too big")):
            pts = [e for e in entries if e["fits"] == fits]
            ax.scatter([e[key] for e in pts], [e["pixels_per_s"] for e in pts], s=12,
                       c=colour, label=name, alpha=0.7)
        ax.scatter([base[key]], [base["pixels_per_s"]], marker="s", c="tab:red", s=50,
                   label="baseline (one pixel, program order)")
        ax.scatter([best[key]], [best["pixels_per_s"]], marker="*", c="tab:orange", s=160,
                   label=f"best: rows {best['rows']}, batch {best['batch']}, "
                         f"slots {best['slots']}{gate_label(best)}")
        ax.axvline(total, color="k", lw=0.8, ls="--")
        ax.set_xlabel(f"{label} (board: {total:,})")
        ax.set_ylabel("pixels/s")
        ax.set_yscale("log")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, loc="lower right")
    fig.suptitle(f"{board.name}: {title}, at an assumed {board.clock_mhz:g} MHz", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def run(args):
    board = BOARDS[args.board]
    if args.clock_mhz:
        board = replace(board, clock_mhz=args.clock_mhz)
    calibrated = args.weights != DEFAULT_WEIGHTS
    if calibrated and args.model != "lite":
        raise InputError(f"--weights is a Lite model: it cannot go with --model {args.model}")
    q = load_model(args.weights)
    bins = q.meta["acquisition"]["bins"]
    # an instrument model: its own bins and units
    name = args.weights.stem if calibrated else args.model
    hidden, layers = (q.hidden_size, 1) if calibrated else NETWORKS[args.model]
    title = _title(name, hidden, layers, bins)
    widths = {"bits": q.spec.bits, "weight_bits": q.spec.weight_bits}
    if _wider(widths):
        print(f"note: {_widths_caveat(widths)}")
    grid = len(board.gate_kinds) * len(configurations(hidden, args.max_batch, args.max_slots))
    with progress_bar() as bar:
        task = bar.add_task(f"exploring {board.name}, {name}", total=grid, status="")
        report = explore(board, bins=bins, hidden=hidden, layers=layers,
                         max_batch=args.max_batch, max_slots=args.max_slots,
                         advance=lambda: bar.advance(task))
    best, base, entries = report["best"], report["baseline"], report["configurations"]
    fitting = [e for e in entries if e["fits"]]
    if not best:
        print(f"no configuration fits {board.name}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n")
    png = args.png or args.json.with_suffix(".png")
    if best:
        _plot(png, board, entries, best, base, title)
    top = sorted(fitting, key=lambda e: -e["pixels_per_s"])[:10]
    console = Console(width=150)
    view = Table(title=f"{board.name}, {title}: fastest configurations that fit "
                       f"(assumed {board.clock_mhz:g} MHz)")
    for column in COLUMNS:
        view.add_column(column, justify="right")
    for e in top + [base]:
        view.add_row(*(_fmt(e[c]) for c in COLUMNS), style="red" if e is base else None)
    console.print(view)
    if best:
        console.print(f"best: rows={best['rows']} batch={best['batch']} slots={best['slots']}: "
                      f"{best['pixels_per_s']:.0f} pixels/s, {report['speedup']:.1f}x the "
                      f"baseline (red row), {report['speedup_vs_sequential']:.1f}x one multiply "
                      f"at a time; wrote {args.json} and {png}")
    if not args.no_benchmarks:
        shown = top[:5] if best else sorted(entries, key=lambda e: e["board_luts"] or 0)[:5]
        data = {"model": name, "hidden": hidden, "layers": layers, "bins": bins, **widths,
                "board": {k: getattr(board, k) for k in BOARD_FACTS},
                "shown": shown, "baseline": base, "best": best,
                "speedup": report["speedup"],
                "speedup_vs_sequential": report["speedup_vs_sequential"],
                "sequential_cycles_per_pixel": report["sequential"]["cycles_per_pixel"],
                "lut_multipliers": any(e["lut_multipliers"] for e in entries)}
        key = board.name if name == "lite" else f"{board.name}-{name}"
        update_section(f"explore-{key}", f"Design-space exploration: {board.name}, {name}",
                       command_line("boards"), data, renderer=__name__)
    return 0


def _wider(widths):
    """Whether a model's state or weight width is not the default spec's, which the resource
    model is fitted to."""
    return any(widths.get(k, getattr(FixedSpec, k)) != getattr(FixedSpec, k)
               for k in ("bits", "weight_bits"))


def _widths_caveat(widths):
    return (f"this model's {widths['bits']}-bit states and {widths['weight_bits']}-bit weights "
            f"are costed as {FixedSpec.bits}-bit and {FixedSpec.weight_bits}-bit ones (the "
            f"resource model is fitted to those): its LUTs and "
            f"block RAMs are optimistic, and on the iCE40, where an SB_MAC16 holds two products "
            f"of 8-bit operands only, so are its DSPs; `boards build --weights` measures them")


def section_body(data):
    """An explore section's Markdown, from the board, the sweep's best and its shown rows."""
    board, best, layers = data["board"], data["best"], data["layers"]
    title = _title(data["model"], data["hidden"], layers, data["bins"])
    costed = ("LUTs, DSPs and block RAMs from the resource model fitted to Yosys reports "
              "of the core alone (`sim/resources.json`); `board_luts` scales the LUTs by "
              f"{board['packing']:.2f} logic cells per core LUT (LUT4, or half a carry cell), "
              f"measured on a board build ({board['packing_source']}), and decides `fits`"
              if (data["hidden"], layers) == NETWORKS["lite"] else
              "DSPs from the Lite resource model (they do not depend on H); block RAMs a "
              "lower bound from the weights alone; LUTs not modelled (the resource model is "
              "fitted to the 32-unit, one-layer core), so `fits` checks DSPs and block RAMs "
              "only")
    verdict = (f"Best: rows {best['rows']}, batch {best['batch']}, slots {best['slots']}, "
               f"{gate_label(best).lstrip(', ') or 'DSP gates'}: "
               f"**{best['pixels_per_s']:.0f} pixels/s**, "
               f"**{data['speedup']:.1f}x** that baseline; against one multiply at a "
               f"time (rows 1: {data['sequential_cycles_per_pixel']:,.0f} cycles/pixel) "
               f"**{data['speedup_vs_sequential']:.0f}x**." if best else
               "**No configuration fits**; the table lists the smallest (by board logic "
               "cells) and the baseline. Partly DSP-built gate units (`gate_dsps`) are "
               "not in this sweep.")
    spill = ("`multipliers` are hard DSPs (matmul and gates); matmul products beyond "
             "the board's DSPs are built from LUTs (`lut_multipliers`). "
             if data["lut_multipliers"] else "")
    rows = [[_fmt(e[c]) for c in COLUMNS] for e in data["shown"] + [data["baseline"]]]
    return (f"{title}. {board['name']} budget: {board['luts']:,} LUTs, {board['dsp']} DSPs, "
            f"{board['bram']} block RAMs; clock {board['clock_mhz']:g} MHz, "
            f"{board['clock_source']}. Cycles from `sim.des` (validated against RTL for the "
            f"Lite network, see above{'' if layers == 1 else '; a prediction for stacked layers'}); "
            f"{costed}{'. Note: ' + _widths_caveat(data) if _wider(data) else ''}. "
            f"The last row is the manual-scheduling baseline: one pixel at a time "
            f"in program order (`slots = batch = 1`) on the largest row count that fits. "
            f"{spill}{verdict}\n\n" + table(list(COLUMNS), rows))
