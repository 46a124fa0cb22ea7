"""``python -m boards path``: the photon path (on-chip source, histogrammer, core, RESULTS link)
of the board top, RTL simulation against the discrete-event model on small configurations, then
the model's prediction for each board with a photon path, into results/ (BENCHMARKS.md's
source)."""
import time
from pathlib import Path

import numpy as np

from golden.benchmarks import command_line, table, update_section
from golden.pipeline import load_default
from golden.progress import progress_bar
from rtl.config import CoreConfig

from .path import measure_path, records_not_matching, simulate_path
from .photons import PhotonPath
from .platforms import BOARDS
from .top import uart_divisor

__all__ = ["add_arguments", "run", "section_body", "DEFAULT_CASES"]

#: (dwell, clocks per UART bit, batch) compared by default: the core the bottleneck, the
#: source, the link.
DEFAULT_CASES = ("40,4,2", "4000,4,2", "40,40,2")
#: The small scene of the comparisons: 4 x 2 pixels, two lifetimes.
SMALL = dict(lifetimes_ns=(0.3, 1.0), stripes=(0, 1, 1, 0), lines=2, rate=120, records=4,
             tally=16)


def case_arg(text):
    dwell, divisor, batch = (int(v) for v in text.split(","))
    return dwell, divisor, batch


def add_arguments(p):
    p.add_argument("--cases", nargs="+", type=case_arg,
                   default=[case_arg(c) for c in DEFAULT_CASES], metavar="DWELL,DIVISOR,BATCH",
                   help="small board tops compared (T = 20, rows 32, 2 slots, a 4 x 2 scene)")
    p.add_argument("--pixels", type=int, default=24, help="results read per case")
    p.add_argument("--frames", type=int, default=3,
                   help="scene frames of each board's prediction")
    p.add_argument("--full", type=int, default=0, metavar="PIXELS",
                   help="also measure each board's default top, full size, under Verilator "
                        "over PIXELS results (a compile of some minutes, then about a minute "
                        "a hundred pixels)")
    p.add_argument("--build-dir", default="build/path", help="the Verilator builds' folder")
    p.add_argument("--no-benchmarks", action="store_true")


def run(args):
    qmodel = load_default()
    bins = 20
    cases = []
    with progress_bar() as bar:
        task = bar.add_task("board top in RTL simulation", total=len(args.cases), status="")
        for dwell, divisor, batch in args.cases:
            config = CoreConfig(rows=32, batch=batch, slots=2)
            path = PhotonPath(dwell=dwell, **SMALL)
            rtl = measure_path(qmodel, config, path, bins=bins, divisor=divisor,
                               pixels=args.pixels)
            des = simulate_path(config, path, bins=bins, divisor=divisor, pixels=args.pixels)
            cases.append({"dwell": dwell, "divisor": divisor, "rows": 32, "batch": batch,
                          "slots": 2, "bins": bins, "pixels": args.pixels,
                          "rtl": {k: rtl[k] for k in ("cycles_per_pixel", "latency")},
                          "des": {k: des[k] for k in ("cycles_per_pixel", "latency")},
                          "error": des["cycles_per_pixel"] / rtl["cycles_per_pixel"] - 1})
            bar.console.print(f"dwell {dwell}, {divisor} clocks/bit, batch {batch}: RTL "
                              f"{rtl['cycles_per_pixel']:.1f}, DES "
                              f"{des['cycles_per_pixel']:.1f} cycles/pixel "
                              f"({100 * cases[-1]['error']:+.2f} %)")
            bar.advance(task)
    boards = [predict(board, qmodel, frames=args.frames) for board in BOARDS.values()
              if board.photons]
    for b in boards:
        print(f"{b['board']}: {b['pixels_per_s']:,.0f} pixels/s, {b['photons_per_s']:,.0f} "
              f"photons/s, {b['frames_per_s']:.2f} frames/s, frame latency "
              f"{b['frame_latency_frames']:.3f} frames")
    full = []
    for board in (b for b in BOARDS.values() if b.photons and args.full):
        full.append(measure_full(board, qmodel, pixels=args.full,
                                 build_dir=Path(args.build_dir) / board.name))
        f = full[-1]
        print(f"{f['board']}, full size under Verilator: {f['pixels_per_s']:,.0f} pixels/s "
              f"measured over {f['records']} records (model {f['des_pixels_per_s']:,.0f}, "
              f"{100 * f['error']:+.2f} %); {f['wrong']} records not the reference's")
    if not args.no_benchmarks:
        update_section("photon-path", "Photon path: on-chip photons to RESULTS records",
                       command_line("boards"), {"cases": cases, "boards": boards,
                                                "full": full},
                       renderer=__name__)
    return 0 if not any(f["wrong"] for f in full) else 1


def measure_full(board, qmodel, *, pixels, build_dir):
    """``board``'s default top (core, clock, UART rate, scene) at full size under Verilator:
    ``pixels`` records off its ``tx`` pin, each checked against the reference (its tag in
    scan order, its photons and result those of :meth:`PhotonPath.reference`'s histogram
    through the integer reference), the rate against the model's over the same records."""
    path, bins = board.photons, qmodel.meta["acquisition"]["bins"]
    clock = board.clock_mhz * 1e6
    divisor = uart_divisor(clock, board.bauds[0])
    began = time.perf_counter()
    rtl = measure_path(qmodel, board.core, path, bins=bins, divisor=divisor, pixels=pixels,
                       verilator=build_dir)
    seconds = time.perf_counter() - began
    scene = len(path.stripes) * path.lines
    reference = path.reference(qmodel, bins, frames=-(-pixels // scene))["pixels"]
    wrong = records_not_matching(qmodel, rtl["records"], reference)
    des = simulate_path(board.core, path, bins=bins, hidden=qmodel.hidden_size,
                        divisor=divisor, pixels=len(rtl["records"]))
    return {"board": board.name, "core": board.core.label(), "clock_mhz": board.clock_mhz,
            "baud": board.bauds[0], "records": len(rtl["records"]), "wrong": wrong,
            "cycles_per_pixel": rtl["cycles_per_pixel"],
            "pixels_per_s": clock / rtl["cycles_per_pixel"], "latency": rtl["latency"],
            "des_pixels_per_s": clock / des["cycles_per_pixel"], "des_latency": des["latency"],
            "error": des["cycles_per_pixel"] / rtl["cycles_per_pixel"] - 1,
            "seconds": round(seconds)}


def predict(board, qmodel, *, frames):
    """The discrete-event model's figures for ``board``'s default top at its default clock and
    UART rate, on its on-chip scene (``frames`` frames)."""
    path, bins = board.photons, qmodel.meta["acquisition"]["bins"]
    clock = board.clock_mhz * 1e6
    divisor = uart_divisor(clock, board.bauds[0])
    scene = len(path.stripes) * path.lines
    des = simulate_path(board.core, path, bins=bins, hidden=qmodel.hidden_size,
                        divisor=divisor, pixels=frames * scene)
    pixels_per_s = clock / des["cycles_per_pixel"]
    reference = path.reference(qmodel, bins, frames=1)
    photons = np.mean([counts.sum() for _, counts in reference["pixels"]])
    latency = max(des["frame_latency"])
    return {"board": board.name, "core": board.core.label(), "clock_mhz": board.clock_mhz,
            "baud": board.bauds[0], "scene": f"{len(path.stripes)} x {path.lines}",
            "dwell": path.dwell, "records": path.records,
            "cycles_per_pixel": des["cycles_per_pixel"], "pixels_per_s": pixels_per_s,
            "photons_per_pixel": float(photons), "photons_per_s": float(pixels_per_s * photons),
            "frames_per_s": pixels_per_s / scene,
            "source_pixels_per_s": clock / (path.dwell + 1),
            "frame_latency_cycles": latency,
            "frame_latency_frames": latency / (scene * des["cycles_per_pixel"])}


def section_body(data):
    """The photon-path section's Markdown."""
    cases = [[c["dwell"], c["divisor"], c["batch"], f"{c['rtl']['cycles_per_pixel']:,.1f}",
              f"{c['des']['cycles_per_pixel']:,.1f}", f"{100 * c['error']:+.2f} %",
              c["rtl"]["latency"], c["des"]["latency"]] for c in data["cases"]]
    boards = [[b["board"], b["core"], b["clock_mhz"], f"{b['baud']:,}", b["scene"], b["dwell"],
               f"{b['cycles_per_pixel']:,.1f}", f"{b['pixels_per_s']:,.0f}",
               f"{b['source_pixels_per_s']:,.0f}", f"{b['photons_per_pixel']:,.0f}",
               f"{b['photons_per_s'] / 1e6:.2f} M", f"{b['frames_per_s']:.2f}",
               f"{b['frame_latency_cycles']:,} ({b['frame_latency_frames']:.3f} frames)"]
              for b in data["boards"]]
    full = [[f["board"], f["core"], f["clock_mhz"], f"{f['baud']:,}", f["records"],
             f"{f['cycles_per_pixel']:,.1f}", f"{f['pixels_per_s']:,.0f}",
             f"{f['des_pixels_per_s']:,.0f}", f"{100 * f['error']:+.2f} %",
             f"{f['latency']:,} / {f['des_latency']:,}", f["wrong"], f["seconds"]]
            for f in data.get("full", [])]
    return ("The board top with its photon path (`boards/top.py`, `boards/PHOTONS.md`): the "
            "on-chip photon source through the histogrammer into the core, results as "
            "RESULTS records on the UART. Measured in Amaranth simulation of `LinkTop` "
            "through its UART pins (`boards.path.measure_path`: a SOURCE frame in, records "
            "decoded off `tx`; T = 20, rows 32, 2 slots, a 4 x 2 scene of 0.3 and 1 ns; "
            "steady state from the first RESULTS frame after a round of the lanes, in UART "
            "byte times) against the discrete-event model of the same path "
            "(`boards.path.simulate_path`: `sim.des`'s core fed by the source and "
            "histogrammer, drained by the link). The cases make the core, the source (a long "
            "dwell) and the link (a slow UART) the bottleneck in turn; target |error| <= 2 %."
            "\n\n" + table(["dwell (slots/pixel)", "clocks/UART bit", "batch",
                            "RTL cycles/pixel", "DES cycles/pixel", "DES error",
                            "RTL latency", "DES latency"], cases)
            + "\n\nThe model's prediction for each board with a photon path, its default "
            "core, clock, UART rate and scene: pixels/s sustained from photons to RESULTS "
            "records at the host; the source's own ceiling (clock / (dwell + 1)); photons a "
            "pixel in the window (`PhotonPath.reference`); frame latency = cycles from a "
            "frame's last photon to the end of the RESULTS frame with its last result "
            "(the worst frame), also in frame times. The histogrammer takes one photon per "
            "clock (`tests/rtl/test_histogrammer.py`): as many photons/s as the clock has "
            "cycles.\n\n"
            + table(["board", "core", "clock (MHz)", "baud", "scene", "dwell",
                     "cycles/pixel", "pixels/s", "source ceiling (pixels/s)",
                     "photons/pixel", "photons/s", "frames/s", "frame latency (cycles)"],
                    boards)
            + ("\n\nEach board's default top at full size, measured: converted to Verilog and "
               "run under Verilator (`boards.path.measure_path(..., verilator=...)`, cocotb "
               "on its UART pins, each byte stamped to the cycle); every record checked "
               "against the reference (tag in scan order, photons, and the integer "
               "reference's result of `PhotonPath.reference`'s histogram: 'not the "
               "reference's' counts the records that differ); the model's rate over the same "
               "records beside it.\n\n"
               + table(["board", "core", "clock (MHz)", "baud", "records", "cycles/pixel",
                        "pixels/s (measured)", "pixels/s (model)", "model error",
                        "latency, measured / model (cycles)", "not the reference's",
                        "seconds"], full) if full else ""))
