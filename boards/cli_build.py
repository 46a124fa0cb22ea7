"""``python -m boards build BOARD --out DIR``: the bitstream, its resources and Fmax, and the
throughput they give, into ``DIR/report.json`` and ``results/boards.json`` (BENCHMARKS.md's source).

The PLL is first set to ``--clock-mhz``; when nextpnr reports a lower Fmax the design is built
once more with the PLL at or below that Fmax, so the bitstream always meets timing if it can.
"""
import json
import shutil
import time
from pathlib import Path

from rich.console import Console

from golden.benchmarks import command_line
from golden.commands import positive_float, positive_int
from golden.pipeline import add_weights_argument, load_model
from golden.validate import InputError
from rtl.config import add_core_arguments, core_from_arguments
from rtl.multipixel import MultiPixelCore
from rtl.synth import LUT_MAPPERS

from .builds import record
from .build import BITSTREAM, NAME, BuildError, build, parse_report
from .performance import cycles_per_pixel, records_per_s, uart_pixels_per_s
from .platforms import BOARDS, board_named
from .toplevel import BoardTop

__all__ = ["add_arguments", "run", "core_config", "ATTEMPTS", "RETRY_MARGIN"]

ATTEMPTS = 2
"""Builds at most: the requested clock, then one just below the Fmax the first achieved."""
RETRY_MARGIN = 0.97
"""A rebuild asks for this share of the missed attempt's Fmax: nextpnr's result moves by a few
MHz between placements (77 to 84 MHz on the ULX3S core), so asking for the Fmax itself often
misses again."""


def add_arguments(p):
    p.add_argument("board", choices=sorted(BOARDS))
    p.add_argument("--out", required=True, help="output directory: bitstream, report.json, build/")
    p.add_argument("--force", action="store_true", help="replace an existing report")
    add_weights_argument(p)
    add_core_arguments(p, "the board's")
    p.add_argument("--clock-mhz", type=positive_float, help="core clock (default: the board's)")
    p.add_argument("--baud", type=positive_int,
                   help="UART bit rate (default: the fastest of the board's the clock allows)")
    p.add_argument("--seed", type=positive_int,
                   help="nextpnr placer seed (placement, hence Fmax, varies with it; default: "
                        "the board's)")
    p.add_argument("--router", choices=("router1", "router2"),
                   help="nextpnr router (default: the board's)")
    p.add_argument("--lut-mapper", choices=LUT_MAPPERS,
                   help="ECP5: Yosys's LUT mapping, synth_ecp5's ABC9 or abc -lut 4 (default: "
                        "the board's)")
    p.add_argument("--no-benchmarks", action="store_true", help="do not record the figures in results/ (BENCHMARKS.md's source)")


def core_config(board, args):
    """The core (:class:`rtl.config.CoreConfig`): the board's default, with the options
    given."""
    try:
        return core_from_arguments(args, board.core)
    except ValueError as err:
        given = ", ".join(f"{k}={v}" for k, v in vars(args).items()
                          if k in board.core.params() and v is not None)
        raise InputError(f"{board.name}'s core with {given}: {err}") from None


def _top(board, qmodel, bins, core, clock_mhz, baud):
    try:
        component = MultiPixelCore(qmodel=qmodel, bins=bins, config=core)
        return BoardTop(board=board, core=component, clock_mhz=clock_mhz, baud=baud)
    except ValueError as err:
        raise InputError(f"{board.name} {core.label()} at {clock_mhz:g} MHz: "
                         f"{err}") from None


def _tools(board, args):
    """nextpnr's ``seed`` and ``router``, Yosys's ``lut_mapper``: the options given, else the
    board's; :class:`InputError` for a LUT mapper on a board that is not an ECP5."""
    if args.lut_mapper and board.family != "ecp5":
        raise InputError(f"--lut-mapper: ECP5 builds only (synth_{board.family} maps LUTs its "
                         f"own way)")
    return {"seed": args.seed or board.seed, "router": args.router or board.router,
            "lut_mapper": args.lut_mapper or board.lut_mapper}


def _build_meeting_timing(board, qmodel, bins, core, args, tools, build_dir, console):
    """Build at the requested clock, then (if nextpnr's Fmax is lower) at the PLL setting at or
    below :data:`RETRY_MARGIN` of that Fmax (the PLL never exceeds the clock asked for),
    keeping a missed attempt's nextpnr log as ``attemptN.tim`` beside the build directory.
    Returns ``(top, parsed report, cells, attempts)``."""
    clock = args.clock_mhz or board.clock_mhz
    attempts = []
    for attempt in range(1, ATTEMPTS + 1):
        top = _top(board, qmodel, bins, core, clock, args.baud)
        label = f"{board.name}: build {attempt} at {top.pll.f_out:g} MHz"
        with console.status(label) as status:
            report, cells, seconds = build(
                top, board, build_dir, **tools,
                on_stage=lambda stage, t: status.update(f"{label}: {stage}, {t:.0f} s"))
        parsed = parse_report(report, board.family)
        attempts.append({"clock_mhz": top.pll.f_out, "fmax_mhz": round(parsed["fmax_mhz"], 2),
                         "seconds": round(seconds, 1)})
        console.print(f"{label}: Fmax {parsed['fmax_mhz']:.2f} MHz, {seconds:.0f} s")
        if parsed["fmax_mhz"] >= top.pll.f_out or attempt == ATTEMPTS:
            break
        # the next attempt empties the build directory: keep this one's critical path
        shutil.copy(build_dir / f"{NAME}.tim", build_dir.parent / f"attempt{attempt}.tim")
        clock = parsed["fmax_mhz"] * RETRY_MARGIN
    return top, parsed, cells, attempts


def run(args):
    board = board_named(args.board)
    core = core_config(board, args)
    tools = _tools(board, args)
    out = Path(args.out)
    if (out / "report.json").exists() and not args.force:
        raise InputError(f"{out / 'report.json'} exists; pass --force to replace it")
    qmodel = load_model(args.weights)
    bins = qmodel.meta["acquisition"]["bins"]
    cycles, cycles_source = cycles_per_pixel(core, bins=bins)
    began = time.perf_counter()
    console = Console(stderr=True)
    try:
        top, parsed, cells, attempts = _build_meeting_timing(board, qmodel, bins, core, args,
                                                             tools, out / "build", console)
    except BuildError as err:
        if not args.no_benchmarks:
            record({"board": board.name, "core": core.label(), "weights": args.weights.name,
                    "error": str(err),
                    "build_seconds": round(time.perf_counter() - began, 1)},
                   command_line("boards"))
        raise
    clock = top.pll.f_out
    compute = min(parsed["fmax_mhz"], clock) * 1e6 / cycles
    report = {"board": board.name, "core": core.label(), "weights": args.weights.name,
              "bins": bins, **core.params(), **parsed,
              "fmax_mhz": round(parsed["fmax_mhz"], 2), "clock_mhz": clock,
              **tools,
              "timing_met": parsed["fmax_mhz"] >= clock,
              "lanes": core.lanes,
              "multipliers": sum(cells.get(c, 0) for c in ("SB_MAC16", "MULT18X18D")),
              "lut_multipliers": core.multipliers - core.hard_matmul,
              "cycles_per_pixel": cycles, "cycles_source": cycles_source,
              "pixels_per_s": compute, "baud": top.link.baud,
              "uart_pixels_per_s": uart_pixels_per_s(top.link.baud, bins),
              **({"records": board.photons.records,
                  "records_per_s": records_per_s(top.link.baud, board.photons.records)}
                 if board.photons else {}),
              "build_seconds": round(time.perf_counter() - began, 1), "attempts": attempts,
              "clock_note": _clock_note(attempts), "bitstream": BITSTREAM[board.family],
              "command": command_line("boards")}
    shutil.copy(out / "build" / BITSTREAM[board.family], out / BITSTREAM[board.family])
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    if not args.no_benchmarks:
        record(report, report["command"])
    print(json.dumps(report, indent=2))
    if not report["timing_met"]:
        console.print(f"error: timing not met: Fmax {report['fmax_mhz']:g} MHz < "
                      f"{clock:g} MHz after {len(attempts)} builds")
        return 1
    return 0


def _clock_note(attempts):
    first, last = attempts[0], attempts[-1]
    if len(attempts) == 1:
        return f"built once at {first['clock_mhz']:g} MHz (Fmax {first['fmax_mhz']:g} MHz)"
    return (f"{first['clock_mhz']:g} MHz missed timing (Fmax {first['fmax_mhz']:g} MHz); "
            f"rebuilt with the PLL at {last['clock_mhz']:g} MHz (Fmax {last['fmax_mhz']:g} MHz)")

