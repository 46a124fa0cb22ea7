"""``python -m boards pins``: the board top fed on its event pins (an instrument's scan, the
queue, the histogrammer, the core, RESULTS records on the UART) in RTL simulation against the
discrete-event model, on small configurations: the rate, the latency and the events lost to a
full queue; into results/ (BENCHMARKS.md's source)."""
import numpy as np

from golden.benchmarks import command_line, table, update_section
from golden.pipeline import load_default
from golden.progress import progress_bar
from rtl.config import CoreConfig

from .cli_path import SMALL
from .path import instrument_events, measure_pins_path, simulate_pins_path
from .photons import PhotonPath

__all__ = ["add_arguments", "run", "section_body", "DEFAULT_CASES", "compare"]

#: (queue depth, photons a pixel, cycles between frames) compared by default: a queue that
#: never fills, one too small for any pixel, one that overflows in each frame's first pixels.
DEFAULT_CASES = ("1024,20,0", "16,20,3000", "32,40,12000")
#: The instrument: a 4 x 2 scan (the small scene's shape), a toggle every 3 clocks (the pins'
#: fastest, 20.8 M events/s at 62.5 MHz), 4 clocks per UART bit; T = 12.
BINS, APART, DIVISOR, START = 12, 3, 4, 160


def case_arg(text):
    return tuple(int(v) for v in text.split(","))


def add_arguments(p):
    p.add_argument("--cases", nargs="+", type=case_arg,
                   default=[case_arg(c) for c in DEFAULT_CASES], metavar="QUEUE,PHOTONS,GAP",
                   help="instruments and queues compared (T = 12, rows 32, 2 slots of 2 lanes, "
                        "4 x 2 frames)")
    p.add_argument("--frames", type=int, default=3, help="frames the instrument scans")
    p.add_argument("--no-benchmarks", action="store_true")


def compare(qmodel, queue, photons, gap, *, frames, seed=0):
    """One case, measured and modelled: ``{"rtl": ..., "des": ...}``, each with
    ``cycles_per_pixel``, ``latency``, ``lost`` and ``records`` (results received)."""
    config = CoreConfig(rows=32, batch=2, slots=2)
    path = PhotonPath(dwell=40, queue=queue, **SMALL)
    shape = (SMALL["lines"], len(SMALL["stripes"]))
    codes = [c for c, b in enumerate(path.bin_table(qmodel, BINS)) if b is not None]
    events = instrument_events(codes, shape=shape, frames=frames, photons=photons,
                               apart=APART, gap=gap, start=START,
                               rng=np.random.default_rng(seed))
    pixels = frames * shape[0] * shape[1]
    rtl = measure_pins_path(qmodel, config, path, events, bins=BINS, divisor=DIVISOR,
                            pixels=pixels, idle_limit=20_000)
    des = simulate_pins_path(config, path, [(c, k) for c, k, _ in events],
                             frame_pixels=shape[0] * shape[1], bins=BINS, divisor=DIVISOR,
                             pixels=pixels)
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
    if not args.no_benchmarks:
        update_section("pins-path", "Event pins: an instrument's events to RESULTS records",
                       command_line("boards"), {"cases": cases}, renderer=__name__)
    return 0


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
            "counted in `lost` (the board's counter after the last event, and the model's); "
            "a lost marker merges pixels, so fewer records arrive. Rates in steady state as "
            "for the on-chip source; target |error| <= 2 %.\n\n"
            + table(["queue", "photons/pixel", "gap between frames (cycles)", "events",
                     "RTL cycles/pixel", "DES cycles/pixel", "DES error",
                     "latency, RTL / DES (cycles)", "lost, RTL / DES", "records"], rows))
