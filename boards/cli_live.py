"""``python -m boards live BOARD --port PORT --out DIR``: lifetime images of the board's on-chip
photon source, of the photon events on its event pins (``--source pins``;
``boards/PHOTONS.md``), or of a T3 ``.ptu`` recording's frames, its photons streamed over the
link into the event input (``--source replay FILE``), histogrammed and computed on the chip,
only the results crossing back; a live mean-lifetime window while the frames arrive.

The on-chip scene is the board's catalogue record's :class:`boards.photons.PhotonPath`:
``len(stripes)`` columns x ``lines`` lines, pixel ``y * width + x`` of a frame (its tag) with the
lifetime ``lifetimes_ns[stripes[x]]``. The pins' frames are the instrument's: ``--size WIDTH
LINES`` says their shape, and there is no known lifetime to compare with. A replay's frames are
the file's (its photons on ``sim run``'s axis, :func:`golden.readers.read_for_model`), each
pixel's photon count checked against the frame's own. The results arrive in
scan order; a frame is complete when its last pixel arrived or the next frame began (the tags
went back down; the same tag again is a duplicate). A frame already under way when the source
was switched on (the source pauses, mid-frame, while it is not the core's input) is skipped.
Integer results become lifetimes as in ``python -m boards run``
(:func:`golden.intref.to_physical`); the histograms stay on the chip, so a pixel with a
saturated bin is not withheld here (the ``saturated`` counter tells). The counters in the report
are the board's since its reset, read after the last frame.

Outputs (written only on success): ``frames.tif`` (float32, frames x planes tau1, tau2,
fraction, tau_m in ns, photons x lines x width; NaN where a pixel has no lifetime or was
missing), ``tau_m.png`` (the last frame, beside the scene's lifetimes for the on-chip source) and
``report.json``.
"""
import contextlib
import itertools
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import tifffile

from golden.commands import positive_int
from golden.intref import to_physical
from golden.outputs import add_output_arguments, check_output, output_dir, plot_tau_m, \
    tau_range, write_report
from golden.datasets import Instrument
from golden.pipeline import MAP_KEYS, add_weights_argument, load_model
from golden.progress import progress_bar
from golden.readers import input_arguments, read_for_model
from golden.validate import InputError

from . import cli_run
from .host import Host, LinkError
from .maps import check_replay_board, frame_photons, replay_events
from .platforms import BOARDS, board_named
from .protocol import Source

__all__ = ["add_arguments", "run", "Frame", "FrameAssembler", "frame_maps",
           "stripe_medians", "LiveWindow", "open_window", "SOURCES"]

#: ``--source`` -> the core's input it selects.
SOURCES = {"onchip": Source.ONCHIP, "pins": Source.PINS, "replay": Source.EVENTS}
#: Frames read by default from the sources that do not end.
FRAMES = 4


class Frame:
    """The records of one frame: ``results[tag] = (result, photons)`` (the first of
    duplicates), and the count of all records received."""

    def __init__(self, pixels):
        self.pixels, self.results, self.received = pixels, {}, 0

    def add(self, tag, result, photons):
        self.received += 1
        self.results.setdefault(tag, (result, photons))

    @property
    def missing(self):
        """Pixels of the frame that did not arrive."""
        return self.pixels - len(self.results)

    @property
    def duplicated(self):
        """Records of a pixel that had already arrived."""
        return self.received - len(self.results)


class FrameAssembler:
    """Cuts ``(tag, result, photons)`` records, in scan order, into frames of ``pixels``.

    A record whose tag is below the previous one begins a frame (as does any record in a
    frame of one pixel); the same tag again is a duplicate. A frame is complete when its last
    tag arrived or the next frame began. Records before the first frame's start (the first
    record's tag is not 0: the source was paused mid-frame) and duplicates after a frame's last
    pixel are counted in ``skipped``. A tag beyond the scene raises :class:`LinkError`.
    """

    def __init__(self, pixels):
        self.pixels, self.skipped = pixels, 0
        self._open, self._last = None, None

    def feed(self, tag, result, photons):
        """One record; returns the frames it completes (zero, one or two)."""
        if not 0 <= tag < self.pixels:
            raise LinkError(f"the board sent pixel {tag} of a frame of {self.pixels}: are the "
                            f"frames larger (--size, or a bitstream built for another scene)?")
        done = []
        if (self._last is None or tag < self._last
                or (tag == self._last and self.pixels == 1)):
            if self._open is not None:
                done.append(self._open)
            self._open = Frame(self.pixels) if self._last is not None or tag == 0 else None
        self._last = tag
        if self._open is None:
            self.skipped += 1
            return done
        self._open.add(tag, result, photons)
        if tag == self.pixels - 1:
            done.append(self._open)
            self._open = None
        return done


def frame_maps(frame, qmodel, shape):
    """The maps of :data:`golden.pipeline.MAP_KEYS` of ``frame``, each ``shape`` (lines,
    width) float32: lifetimes from the integer results as :func:`golden.intref.to_physical`
    makes them (NaN where undefined or missing), photons from the records (NaN if missing)."""
    pixels = frame.pixels
    result = {"tau_q": np.zeros((pixels, 3), np.int64), "fraction_q": np.zeros(pixels, np.int64),
              "tau_defined": np.zeros((pixels, 3), bool),
              "fraction_defined": np.zeros(pixels, bool), "valid": np.zeros(pixels, bool)}
    photons = np.full(pixels, np.nan)
    for tag, (values, count) in frame.results.items():
        for key, value in values.items():
            result[key][tag] = value
        if count is not None:
            photons[tag] = count
    maps = to_physical(result, Instrument.of(qmodel).step_ns, qmodel.spec)
    maps["photons"] = photons
    return {key: np.asarray(maps[key], np.float32).reshape(shape) for key in MAP_KEYS}


def stripe_medians(tau_m, path):
    """Per lifetime of the scene: its columns and the median tau_m of their pixels with a
    lifetime (``tau_m`` ``(..., lines, width)``), against the scene's lifetime."""
    stripes = np.asarray(path.stripes)
    rows = []
    for index, lifetime in enumerate(path.lifetimes_ns):
        columns = np.flatnonzero(stripes == index)
        values = np.asarray(tau_m)[..., columns].ravel()
        values = values[np.isfinite(values)]
        median = float(np.median(values)) if values.size else None
        rows.append({"lifetime_ns": float(lifetime), "columns": columns.tolist(),
                     "pixels_with_lifetime": int(values.size),
                     "median_tau_m_ns": None if median is None else round(median, 4),
                     "error_ns": None if median is None else round(median - lifetime, 4)})
    return rows


def _backends():
    """Interactive matplotlib backends to try, the platform's own first."""
    native = {"darwin": ["macosx"]}.get(sys.platform, [])
    return native + ["qtagg", "gtk4agg", "gtk3agg", "tkagg", "wxagg"]


class LiveWindow:
    """A non-blocking matplotlib window of the latest frame's tau_m."""

    def __init__(self, plt, shape, colour_range, title):
        self.plt = plt
        self.fig, ax = plt.subplots(figsize=(6, 5))
        cmap = plt.get_cmap("turbo").with_extremes(bad=(0.5, 0.5, 0.5))
        self.image = ax.imshow(np.full(shape, np.nan), cmap=cmap, vmin=colour_range[0],
                               vmax=colour_range[1], interpolation="nearest")
        self.fig.colorbar(self.image, ax=ax, label="mean lifetime τm (ns); grey = none")
        self.title, self.ax = title, ax
        ax.set_title(f"{title}\nwaiting for the first frame", fontsize=10)
        ax.set_axis_off()
        plt.show(block=False)
        plt.pause(0.001)

    def update(self, tau_m, caption):
        """Show ``tau_m``; nothing once the user has closed the window."""
        if not self.plt.fignum_exists(self.fig.number):
            return
        self.image.set_data(tau_m)
        self.ax.set_title(f"{self.title}\n{caption}", fontsize=10)
        self.fig.canvas.draw_idle()
        self.plt.pause(0.001)

    def close(self):
        self.plt.close(self.fig)
        self.plt.switch_backend("agg")


def open_window(shape, colour_range, title):
    """A :class:`LiveWindow`, or ``None`` with a one-line note on stderr when there is no
    display or no interactive matplotlib backend. The outputs are drawn with Agg either way."""
    import matplotlib.pyplot as plt
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                 or os.environ.get("WAYLAND_DISPLAY")):
        print("note: no display ($DISPLAY is unset): no live window", file=sys.stderr)
        return None
    problems = []
    for backend in _backends():
        try:
            plt.switch_backend(backend)
            return LiveWindow(plt, shape, colour_range, title)
        except Exception as err:        # a missing toolkit, or a display it cannot open
            problems.append(f"{backend}: {str(err).splitlines()[0] if str(err) else err!r}")
            plt.close("all")
            plt.switch_backend("agg")
    print(f"note: no live window (no interactive matplotlib backend works: "
          f"{'; '.join(problems)})", file=sys.stderr)
    return None


def add_arguments(p):
    p.add_argument("board", choices=sorted(BOARDS))
    p.add_argument("--port", help="the board's serial device, e.g. /dev/ttyUSB0")
    add_output_arguments(p)
    p.add_argument("--frames", type=positive_int,
                   help=f"complete frames to read (default {FRAMES}; a replay: the file's)")
    p.add_argument("--source", nargs="+", default=["onchip"], metavar="SOURCE",
                   help="the photons: 'onchip', the on-chip photon source (default); 'pins', "
                        "the board's event pins (boards/PHOTONS.md); or 'replay FILE', a T3 "
                        ".ptu recording's frames sent over the link")
    p.add_argument("--channel", type=int,
                   help="a replay's channel (default: the one with most photons)")
    p.add_argument("--size", type=positive_int, nargs=2, metavar=("WIDTH", "LINES"),
                   help="the frames' pixels a line and lines (--source pins: required, the "
                        "instrument's scan; the on-chip source: its scene's)")
    p.add_argument("--baud", type=positive_int,
                   help="the rate the bitstream was built for (its report.json's baud; "
                        "default: the board's default build's)")
    p.add_argument("--no-window", dest="window", action="store_false",
                   help="no live lifetime window (the outputs are written either way)")
    add_weights_argument(p)


def _sig(value, digits=4):
    """``value`` rounded to ``digits`` significant digits (for the report)."""
    return float(f"{value:.{digits}g}")


def _colour_range(args, path):
    """The live window's colours: ``--tau-range``, else 0 to 1.5 times the on-chip scene's
    longest lifetime, whatever the source (fixed, so that frames compare)."""
    if args.tau_range is not None:
        return tuple(args.tau_range)
    return 0.0, 1.5 * max(path.lifetimes_ns)


def _source(args):
    """``--source``'s name and, for a replay, its file."""
    name, *files = args.source
    if name not in SOURCES:
        raise InputError(f"--source is onchip, pins or replay FILE, not {name!r}")
    if len(files) != (name == "replay"):
        raise InputError("--source replay takes one FILE (a T3 .ptu); onchip and pins take "
                         "none")
    return name, (files[0] if files else None)


class Replay:
    """A recording to replay: its event stream (``(kinds, micro)``, its first ``frames``
    frames), each of those frames' photons per pixel (``photons``, ``(frames, pixels)``), its
    frames' ``size`` (width, lines) and the frames the file holds."""

    def __init__(self, file, args, qmodel, board):
        check_replay_board(board)
        channel = [] if args.channel is None else ["--channel", args.channel]
        prepared = read_for_model(input_arguments(file, *channel), Instrument.of(qmodel))
        if prepared.codes is None:
            raise InputError(f"--source replay: {file} holds no single photons (a T3 .ptu "
                             f"recording does)")
        recorded = prepared.recording.photons
        self.file, self.in_file = Path(file).name, recorded.frames
        self.frames = args.frames or recorded.frames
        table = board.photons.bin_table(qmodel, qmodel.meta["acquisition"]["bins"])
        self.events = replay_events(prepared, table, frames=self.frames)
        self.photons = frame_photons(prepared, table)[:self.frames]
        self.size = recorded.shape[::-1]

    def other_counts(self, frames):
        """Pixels of ``frames`` (:class:`Frame`, the replay's in order) whose photon count
        is not their frame's."""
        return sum(count != self.photons[k, tag] for k, frame in enumerate(frames)
                   for tag, (_, count) in frame.results.items())


def run(args):
    if not args.port:
        raise InputError("--port is required: the board's serial device, e.g. /dev/ttyUSB0")
    source, file = _source(args)
    board = board_named(args.board)
    path = board.photons
    if path is None:
        raise InputError(f"the {args.board} has no on-chip photon source (its catalogue record "
                         f"has no photon path, boards/PHOTONS.md): use `python -m boards run`")
    scene = (len(path.stripes), path.lines)
    if source == "pins" and args.size is None:
        raise InputError("--size WIDTH LINES is required with --source pins: the shape of "
                         "the instrument's frames")
    check_output(args.out, args.force)
    qmodel = load_model(args.weights)
    replay = Replay(file, args, qmodel, board) if source == "replay" else None
    size = {"onchip": scene, "pins": args.size, "replay": replay and replay.size}[source]
    if args.size is not None and tuple(args.size) != tuple(size):
        of = "the on-chip scene" if source == "onchip" else replay.file
        raise InputError(f"--size {args.size[0]} {args.size[1]} is not {of}'s {size[0]} x "
                         f"{size[1]}: leave it out")
    width, lines = size
    shape, pixels = (lines, width), width * lines
    wanted = replay.frames if replay else args.frames or FRAMES
    colour_range = _colour_range(args, path)
    rate = args.baud or board.bauds[0]
    port = cli_run.open_port(args.port, rate)
    window = None
    try:
        host = Host(port, bins=qmodel.meta["acquisition"]["bins"])
        status = host.ping()
        if args.window:
            window = open_window(shape, colour_range,
                                 f"{args.board}: {source} source, {width} x {lines}")
        if replay:
            records = itertools.chain(host.replay(*replay.events), host.records())
        else:
            host.source(SOURCES[source])
            records = host.records()
        try:
            frames, skipped, seconds = _acquire(records, args, shape, wanted, qmodel, window)
        except BaseException:           # a lost link, Ctrl-C: the host's input again, if it can
            with contextlib.suppress(LinkError):
                host.source(Source.HISTOGRAMS)
            raise
        host.source(Source.HISTOGRAMS)
        counters = host.counters()
    finally:
        if window is not None:
            window.close()
        port.close()
    stack = np.stack([np.stack([maps[k] for k in MAP_KEYS]) for maps, _ in frames])
    missing = sum(frame.missing for _, frame in frames)
    duplicated = sum(frame.duplicated for _, frame in frames)
    photons = sum(count for _, frame in frames for _, count in frame.results.values()
                  if count is not None)
    total = len(frames) * pixels
    report = {
        "board": args.board, "port": args.port, "baud": rate, "source": source,
        "board_status": {k: int(v) for k, v in status.items()},
        "width": width, "lines": lines, "frames": len(frames), "pixels_per_frame": pixels,
        "pixels": total, "seconds": round(seconds, 3),
        "frames_per_s": _sig(len(frames) / seconds), "pixels_per_s": _sig(total / seconds),
        "photons": int(photons), "photons_per_s": _sig(photons / seconds),
        "missing_pixels": int(missing), "duplicated_pixels": int(duplicated),
        "missing_per_frame": [frame.missing for _, frame in frames],
        "duplicated_per_frame": [frame.duplicated for _, frame in frames],
        "skipped_pixels": skipped,
        "counters": {k: int(v) for k, v in counters.items()},
        "link_errors": len(host.errors),
        "timing": "seconds from the source switched on to the last frame complete "
                  "(a skipped partial frame and the window's drawing included)",
        "command": args.invocation}
    truth = None
    if replay:
        report["replay"] = {"file": replay.file, "frames_in_file": replay.in_file,
                            "events": len(replay.events[0]),
                            "pixels_with_other_photon_counts":
                                int(replay.other_counts([frame for _, frame in frames]))}
    if source == "onchip":
        report["scene"] = {"lifetimes_ns": list(path.lifetimes_ns), "stripes": list(path.stripes),
                           "lines": lines, "dwell": path.dwell, "rate": path.rate,
                           "seed": path.seed}
        report["stripes"] = stripe_medians(stack[:, MAP_KEYS.index("tau_m")], path)
        truth = np.broadcast_to(np.asarray(path.lifetimes_ns)[np.asarray(path.stripes)], shape)
    with output_dir(args.out, force=args.force) as tmp:
        labels = [f"{k} {i}" for i in range(len(frames)) for k in MAP_KEYS]
        tifffile.imwrite(Path(tmp) / "frames.tif", stack.astype(np.float32), imagej=True,
                         metadata={"axes": "TCYX", "Labels": labels, "unit": "ns"})
        last = {**frames[-1][0], "photons": np.nan_to_num(frames[-1][0]["photons"])}
        plot_tau_m(tmp, last, truth=truth, intensity_weighted=args.intensity_weighted,
                   colour_range=tau_range(last, args.tau_range))
        write_report(tmp, report)
    print(json.dumps(report, indent=2))
    print(f"outputs in {args.out}: frames.tif, tau_m.png, report.json")
    return 0


def _acquire(records, args, shape, wanted, qmodel, window):
    """Read ``wanted`` complete frames of ``shape`` (lines, width) from ``records`` (lists of
    records, as :meth:`Host.records` yields them): a list of ``(maps, frame)``, the records
    skipped (:class:`FrameAssembler`) and the seconds it took."""
    assembler = FrameAssembler(shape[0] * shape[1])
    frames = []
    began = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task(f"{args.board} over {args.port}", total=wanted,
                            status="")
        for batch in records:
            for record in batch:
                for frame in assembler.feed(*record):
                    maps = frame_maps(frame, qmodel, shape)
                    frames.append((maps, frame))
                    values = maps["tau_m"][np.isfinite(maps["tau_m"])]
                    caption = (f"frame {len(frames)} of {wanted}: median τm "
                               + (f"{np.median(values):.3g} ns" if values.size else "-")
                               + (f", {frame.missing} pixels missing" if frame.missing else ""))
                    bar.update(task, advance=1, status=caption)
                    if window is not None:
                        window.update(maps["tau_m"], caption)
                    if len(frames) == wanted:
                        return frames, assembler.skipped, time.perf_counter() - began
    raise LinkError(f"the board's results stopped after {len(frames)} of {wanted} "
                    f"frames (a read timed out)")
