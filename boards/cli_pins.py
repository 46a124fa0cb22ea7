"""``python -m boards pins``: the board top fed on its event pins (an instrument's scan, the
queue, the histogrammer, the core, RESULTS records on the UART) in RTL simulation against the
discrete-event model, on small configurations (and, with ``--full``, each board's default top
under Verilator): the rate, the latency and the events lost to a full queue; into results/
(BENCHMARKS.md's source)."""
import time
from pathlib import Path

import numpy as np

from golden.benchmarks import command_line, table, update_section
from golden.events import histogram_events
from golden.pipeline import load_default
from golden.progress import progress_bar
from rtl.config import CoreConfig

from .cli_path import SMALL
from .path import instrument_events, measure_pins_path, records_not_matching, \
    simulate_pins_path
from .photons import PhotonPath
from .platforms import BOARDS
from .top import uart_divisor

__all__ = ["add_arguments", "run", "section_body", "DEFAULT_CASES", "small_case", "compare"]

#: (queue depth, photons a pixel, cycles between frames) compared by default: a queue that
#: never fills, one too small for any pixel, one that overflows in each frame's first pixels.
DEFAULT_CASES = ("1024,20,0", "16,20,3000", "32,40,12000")
#: The instrument: a 4 x 2 scan (the small scene's shape), a toggle every 3 clocks (the pins'
#: fastest, 20.8 M events/s at 62.5 MHz), 4 clocks per UART bit; T = 12.
BINS, APART, DIVISOR, START = 12, 3, 4, 160
#: Photons a pixel of the full-size instruments (lines of :data:`FULL_WIDTH` pixels, a toggle
#: every :data:`APART` clocks): on the ULX3S a little slower than its core (nothing lost), and
#: a little faster (the queue overflows).
FULL_PHOTONS = (1100, 1000)
FULL_WIDTH = 32
#: Cycles without a byte after which a full-size run ends (longer than a slot's compute).
FULL_IDLE = 200_000


def case_arg(text):
    return tuple(int(v) for v in text.split(","))


def add_arguments(p):
    p.add_argument("--cases", nargs="+", type=case_arg,
                   default=[case_arg(c) for c in DEFAULT_CASES], metavar="QUEUE,PHOTONS,GAP",
                   help="instruments and queues compared (T = 12, rows 32, 2 slots of 2 lanes, "
                        "4 x 2 frames)")
    p.add_argument("--frames", type=int, default=3, help="frames the instrument scans")
    p.add_argument("--full", type=int, default=0, metavar="PIXELS",
                   help=f"also drive each board's default top, full size, under Verilator with "
                        f"one frame of PIXELS / {FULL_WIDTH} lines for each of "
                        f"{', '.join(map(str, FULL_PHOTONS))} photons a pixel (a compile of some "
                        f"minutes, then about a minute a hundred pixels)")
    p.add_argument("--build-dir", default="build/pins", help="the Verilator builds' folder")
    p.add_argument("--no-benchmarks", action="store_true")


def small_case(qmodel, queue, photons, gap, *, frames, seed=0):
    """One small case: ``(config, path, events, measure)``, its core, its photon path, the
    instrument's events and :func:`boards.path.measure_pins_path`'s other arguments."""
    config = CoreConfig(rows=32, batch=2, slots=2)
    path = PhotonPath(dwell=40, queue=queue, **SMALL)
    shape = (SMALL["lines"], len(SMALL["stripes"]))
    codes = [c for c, b in enumerate(path.bin_table(qmodel, BINS)) if b is not None]
    events = instrument_events(codes, shape=shape, frames=frames, photons=photons,
                               apart=APART, gap=gap, start=START,
                               rng=np.random.default_rng(seed))
    return config, path, events, dict(bins=BINS, divisor=DIVISOR,
                                      pixels=frames * shape[0] * shape[1], idle_limit=20_000)


def compare(qmodel, queue, photons, gap, *, frames, seed=0):
    """One case, measured and modelled: ``{"rtl": ..., "des": ...}``, each with
    ``cycles_per_pixel``, ``latency``, ``lost`` and ``records`` (results received)."""
    config, path, events, measure = small_case(qmodel, queue, photons, gap, frames=frames,
                                               seed=seed)
    rtl = measure_pins_path(qmodel, config, path, events, **measure)
    des = simulate_pins_path(config, path, [(c, k) for c, k, _ in events], bins=BINS,
                             divisor=DIVISOR, pixels=measure["pixels"])
    rtl["records"] = len(rtl["records"])
    return {"rtl": rtl, "des": des, "events": len(events)}


def run(args):
    qmodel = load_default()
    cases = []
    with progress_bar() as bar:
        task = bar.add_task("board top on its event pins", total=len(args.cases), status="")
        for queue, photons, gap in args.cases:
            found = compare(qmodel, queue, photons, gap, frames=args.frames)
            rtl, des = found["rtl"], found["des"]
            cases.append({"queue": queue, "photons": photons, "gap": gap, "frames": args.frames,
                          **found,
                          "error": des["cycles_per_pixel"] / rtl["cycles_per_pixel"] - 1})
            bar.console.print(f"queue {queue}, {photons} photons a pixel, gap {gap}: RTL "
                              f"{rtl['cycles_per_pixel']:.1f} cycles/pixel, {rtl['lost']} lost; "
                              f"DES {des['cycles_per_pixel']:.1f}, {des['lost']} lost")
            bar.advance(task)
    full = [measure_full(board, qmodel, pixels=args.full, photons=photons,
                         build_dir=Path(args.build_dir) / board.name)
            for board in BOARDS.values() if board.photons and args.full
            for photons in FULL_PHOTONS]
    for f in full:
        print(f"{f['board']}, {f['photons']} photons a pixel, under Verilator: "
              f"{f['pixels_per_s']:,.0f} pixels/s over {f['records']} records (model "
              f"{f['des_pixels_per_s']:,.0f}, {100 * f['error']:+.2f} %; {f['des_records']} "
              f"records); {f['lost']:,} events lost (model {f['des_lost']:,}); {f['wrong']} "
              f"records not the reference's")
    if not args.no_benchmarks:
        update_section("pins-path", "Event pins: an instrument's events to RESULTS records",
                       command_line("boards"), {"cases": cases, "full": full},
                       renderer=__name__)
    return 0 if not any(f["wrong"] for f in full) else 1


def measure_full(board, qmodel, *, pixels, photons, build_dir):
    """``board``'s default top (core, clock, UART rate, queue) under Verilator, its event pins
    driven by an instrument scanning one frame of ``pixels`` (lines of :data:`FULL_WIDTH`),
    ``photons`` a pixel; beside the model's prediction. Where the board lost no event (its
    counter, asked over the link after the last record), every record is checked against the
    reference (the events histogrammed in numpy, through the integer reference: ``wrong``
    counts those that differ; ``None`` where events were lost)."""
    path, bins = board.photons, qmodel.meta["acquisition"]["bins"]
    clock = board.clock_mhz * 1e6
    divisor = uart_divisor(clock, board.bauds[0])
    table = path.bin_table(qmodel, bins)
    codes = [c for c, b in enumerate(table) if b is not None]
    events = instrument_events(codes, shape=(pixels // FULL_WIDTH, FULL_WIDTH), frames=1,
                               photons=photons, apart=APART, gap=0, start=START,
                               rng=np.random.default_rng(0))
    began = time.perf_counter()
    rtl = measure_pins_path(qmodel, board.core, path, events, bins=bins, divisor=divisor,
                            pixels=pixels, idle_limit=FULL_IDLE, verilator=build_dir)
    seconds = time.perf_counter() - began
    des = simulate_pins_path(board.core, path, [(c, k) for c, k, _ in events], bins=bins,
                             hidden=qmodel.hidden_size, divisor=divisor, pixels=pixels)
    _, kinds, micro = zip(*events)
    reference = histogram_events(kinds, micro, table, bins,
                                 count_bits=qmodel.spec.count_bits)["pixels"]
    return {"board": board.name, "core": board.core.label(), "clock_mhz": board.clock_mhz,
            "baud": board.bauds[0], "photons": photons, "events": len(events),
            "records": len(rtl["records"]), "des_records": des["records"],
            "lost": rtl["lost"], "des_lost": des["lost"],
            "wrong": (records_not_matching(qmodel, rtl["records"], reference)
                      if rtl["lost"] == 0 else None),
            "cycles_per_pixel": rtl["cycles_per_pixel"],
            "pixels_per_s": clock / rtl["cycles_per_pixel"], "latency": rtl["latency"],
            "des_pixels_per_s": clock / des["cycles_per_pixel"], "des_latency": des["latency"],
            "error": des["cycles_per_pixel"] / rtl["cycles_per_pixel"] - 1,
            "seconds": round(seconds)}


def section_body(data):
    """The event pins section's Markdown."""
    rows = [[c["queue"], c["photons"], c["gap"], c["events"],
             f"{c['rtl']['cycles_per_pixel']:,.1f}", f"{c['des']['cycles_per_pixel']:,.1f}",
             f"{100 * c['error']:+.2f} %", f"{c['rtl']['latency']:,} / {c['des']['latency']:,}",
             f"{c['rtl']['lost']} / {c['des']['lost']}", c["rtl"]["records"]]
            for c in data["cases"]]
    return ("The board top fed on its event pins (`boards/pins.py`, `boards/PHOTONS.md`, "
            "\"Event pins\"): an instrument scanning 4 x 2 frames drives the pins, a toggle "
            f"every {APART} clocks, in Amaranth simulation of `LinkTop` "
            "(`boards.path.measure_pins_path`; T = 12, rows 32, 2 slots of 2 lanes, "
            f"{DIVISOR} clocks per UART bit), against the discrete-event model of the same "
            "path (`boards.path.simulate_pins_path`: the queue, the histogrammer's waits for "
            "a free bank, `sim.des`'s core, the link). Events that find the queue full are "
            "counted in `lost` (the board's counter, asked over the link after the last "
            "record, and the model's); a lost marker merges pixels, so fewer records arrive. "
            "Rates in steady state as for the on-chip source; target |error| <= 2 %.\n\n"
            + table(["queue", "photons/pixel", "gap between frames (cycles)", "events",
                     "RTL cycles/pixel", "DES cycles/pixel", "DES error",
                     "latency, RTL / DES (cycles)", "lost, RTL / DES", "records"], rows)
            + (_full_body(data["full"]) if data.get("full") else ""))


def _full_body(full):
    rows = [[f["board"], f["core"], f["clock_mhz"], f"{f['baud']:,}", f["photons"],
             f"{f['events']:,}", f"{f['records']} / {f['des_records']}",
             f"{f['lost']:,} / {f['des_lost']:,}",
             f"{f['cycles_per_pixel']:,.1f}", f"{f['pixels_per_s']:,.0f}",
             f"{f['des_pixels_per_s']:,.0f}", f"{100 * f['error']:+.2f} %",
             f"{f['latency']:,} / {f['des_latency']:,}",
             "not checked (events lost)" if f["wrong"] is None else f["wrong"], f["seconds"]]
            for f in full]
    return ("\n\nEach board's default top at full size on its event pins: converted to Verilog "
            "and run under Verilator (`boards.path.measure_pins_path(..., verilator=...)`: "
            "cocotb drives the pins and reads `tx`, each byte stamped to the cycle), an "
            f"instrument scanning one frame in lines of {FULL_WIDTH} pixels, a toggle every "
            f"{APART} clocks. After the last record the board is asked for its counters over "
            "the link (a COUNTERS frame, as the host asks). Where it lost no event, every "
            "record is checked against the events histogrammed in numpy "
            "(`golden.events.histogram_events`) through the integer reference; fewer records "
            "than pixels show pixels merged by lost markers.\n\n"
            + table(["board", "core", "clock (MHz)", "baud", "photons/pixel", "events",
                     "records, measured / model", "events lost, measured / model",
                     "cycles/pixel", "pixels/s (measured)", "pixels/s (model)", "model error",
                     "latency, measured / model (cycles)", "not the reference's", "seconds"],
                    rows))
