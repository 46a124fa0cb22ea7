"""Reading photon-count images (``sim run``, ``boards run``, ``golden calibrate``): Becker &
Hickl ``.sdt``, PicoQuant ``.ptu`` (T3 images and T3 point measurements), TIFF stacks, ``.npy``
arrays and the built-in phantom, all as ``(H, W, T)`` int64 counts with their time axis (:class:`golden.resample.Layout`:
bin width, bins, the bins holding data, the laser period); :func:`read_for_model` puts them on
a model's time axis (:func:`golden.resample.to_model_axis`).

Frames are summed; of several channels (PicoQuant detectors, Becker & Hickl image blocks) one is
mapped: ``channel``, or the one with the most photons. A point measurement is a 1 x 1 image.
Any failure inside a file library becomes :class:`~golden.validate.InputError` naming the file.
"""
import argparse
from pathlib import Path
from typing import NamedTuple

import numpy as np
import ptufile
import sdtfile
import tifffile

from .binning import bin_pixels
from .commands import positive_float, positive_int
from .phantom import phantom
from .phasors import Phasors, read_irf, recording_phasors
from .physics import Acquisition
from .pipeline import MIN_PHOTONS
from .resample import Layout, photons_to_model_axis, to_model_axis, valid_bins
from .t3 import T3Photons, read_t3_photons
from .validate import COUNT_MAX, InputError, check_counts

__all__ = ["Recording", "Prepared", "read_input", "read_for_model", "add_input_arguments",
           "input_arguments", "SUFFIXES", "MAX_VALUES"]

MAX_VALUES = 2 ** 27
"""Largest image (H * W * channels * T values) read; a corrupt header must not exhaust memory."""
#: PicoQuant's older formats, which ptufile does not read.
_LEGACY = {".pt3", ".ht3", ".t3r", ".pt2", ".ht2"}


class Recording(NamedTuple):
    """Counts ``(H, W, T)`` int64 on their time axis ``layout``, ground-truth ``tau_m``
    ``(H, W)`` (ns) or ``None``, notes on what the reader chose (channel, frames), and, for a
    T3 ``.ptu``, its single photons (:class:`golden.t3.T3Photons`; their histograms are
    ``counts``)."""
    counts: np.ndarray
    layout: Layout
    tau_m: np.ndarray | None = None
    notes: tuple = ()
    photons: T3Photons | None = None


def _checked_size(shape, path):
    size = int(np.prod(shape, dtype=object))
    if size > MAX_VALUES:
        raise InputError(f"{path.name}: image of shape {tuple(shape)} is too large "
                         f"({size} values > {MAX_VALUES})")


def _pick_channel(per_channel, channel, path, what="channel"):
    """The index of the channel to map among ``per_channel`` (counts of each): ``channel``, or
    the one with the most photons; with a note naming it when there is a choice."""
    photons = [int(c.sum()) for c in per_channel]
    if channel is None:
        channel = int(np.argmax(photons))
    elif not 0 <= channel < len(per_channel):
        raise InputError(f"{path.name} has {len(per_channel)} {what}s (0-"
                         f"{len(per_channel) - 1}), not {what} {channel}")
    notes = ()
    if len(per_channel) > 1:
        notes = (f"mapped {what} {channel} of {len(per_channel)} ({photons[channel]} photons; "
                 + ", ".join(f"{what} {k}: {n}" for k, n in enumerate(photons) if k != channel)
                 + "); --channel picks another",)
    return channel, notes


def _read_sdt(path, options):
    with sdtfile.SdtFile(path) as sdt:
        blocks = [(d, t) for d, t in zip(sdt.data, sdt.times) if d.ndim == 3]
        if not blocks:
            raise InputError(f"{path.name} holds no image data block")
        index, notes = _pick_channel([d for d, _ in blocks], options.get("channel"), path,
                                     "image block")
        counts, times = blocks[index]
    if len(times) < 2 or not times[1] > times[0]:
        raise InputError(f"{path.name} has no usable time axis")
    # Becker & Hickl headers do not state the laser's rate
    return counts, float(times[1] - times[0]) * 1e9, None, notes, None


def _read_ptu(path, options):
    with ptufile.PtuFile(path) as ptu:
        if not ptu.is_t3:
            raise InputError(f"{path.name} is a T2 recording (photon times without a laser "
                             f"sync, so no decay histograms): record in T3 mode")
        for key in ("ImgHdr_LineStart", "ImgHdr_LineStop", "ImgHdr_Frame"):
            # ptufile computes 2 ** (value - 1): a corrupt value would exhaust memory
            if not 0 < ptu.tags.get(key, 1) <= 64:
                raise InputError(f"{path.name}: invalid marker {key} = {ptu.tags[key]}")
        held = (path.stat().st_size - ptu.record_offset) // 4
        if ptu.number_records > held:
            raise InputError(f"{path.name} is truncated: {ptu.number_records} records stated, "
                             f"{held} present")
        bins, channels = ptu.number_bins_in_period, ptu.number_channels
        period = 1e9 / ptu.syncrate if ptu.syncrate > 0 else None
        if ptu.is_image:
            frames, height, width = ptu.shape[:3]
            _checked_size((height, width, channels, bins), path)
            # frames summed, channels kept: (H, W, C, bins)
            image = ptu.decode_image(frame=-1, channel=None, dtime=0, keepdims=False)
            image = image.reshape(height, width, channels, bins)
            notes = (f"summed {frames} frames",) if frames > 1 else ()
        else:
            _checked_size((channels, bins), path)
            image = ptu.decode_histogram(dtime=0).reshape(1, 1, channels, bins)
            notes = ("a point measurement: mapped as a 1 x 1 image",)
        width_ns = ptu.tcspc_resolution * 1e9
    index, picked = _pick_channel([image[:, :, k] for k in range(channels)],
                                  options.get("channel"), path)
    return image[:, :, index], width_ns, period, notes + picked, read_t3_photons(path, index)


def _read_tif(path, options):
    time_axis = options.get("time_axis", -1)
    if not -3 <= time_axis < 3:
        raise InputError(f"--time-axis {time_axis} is not an axis of an (H, W, T) stack")
    with tifffile.TiffFile(path) as tif:
        series = tif.series[0]
        _checked_size(series.shape, path)
        counts = series.asarray()
    if counts.ndim != 3:
        raise InputError(f"{path.name}: a TIFF stack must have 3 axes, not shape {counts.shape}")
    return np.moveaxis(counts, time_axis, -1), None, None, (), None


def _read_npy(path, _):
    counts = np.load(path, mmap_mode="r", allow_pickle=False)
    _checked_size(counts.shape, path)
    return np.array(counts), None, None, (), None


_READERS = {".sdt": _read_sdt, ".ptu": _read_ptu, ".tif": _read_tif, ".tiff": _read_tif,
            ".npy": _read_npy}
SUFFIXES = tuple(_READERS)


def _phantom(size, seed):
    try:
        data = phantom(size, seed=seed)
    except ValueError as err:
        raise InputError(f"phantom: {err}") from None
    acq = Acquisition()
    counts = data["counts"].astype(np.int64)
    tau_m = data["frac"] * data["tau1"] + (1 - data["frac"]) * data["tau2"]
    return Recording(counts, Layout(acq.bin_width_ns, acq.bins, (0, acq.bins), acq.period_ns),
                     tau_m)


def _unknown(path):
    hint = (f" ({path.suffix} is an older PicoQuant format: save the measurement as .ptu)"
            if path.suffix.lower() in _LEGACY else "")
    return InputError(f"unknown input type {path.suffix!r}: expected 'phantom' or one of "
                      f"{', '.join(SUFFIXES)}{hint}")


def read_input(source, *, bin_width_ns=None, laser_mhz=None, channel=None, time_axis=-1,
               size=64, seed=0):
    """Read ``source``: a file path with a known suffix, or ``"phantom"``.

    Parameters
    ----------
    source : str
        ``phantom`` (the :func:`golden.phantom.phantom` of ``size`` x ``size`` pixels, seeded
        with ``seed``), or a ``.sdt``, ``.ptu``, ``.tif``/``.tiff`` or ``.npy`` file.
    bin_width_ns : float, optional
        Required for ``.npy`` and TIFF (they do not state it); overrides nothing else.
    laser_mhz : float, optional
        The laser's repetition rate, where the file does not state it (``.sdt``, ``.npy``,
        TIFF); a file's own sync rate wins.
    channel : int, optional
        The channel (``.ptu``) or image block (``.sdt``) to map; default: the most photons.
    time_axis : int
        The TIFF axis holding the histogram bins.

    Returns
    -------
    Recording
    """
    if source == "phantom":
        return _phantom(size, seed)
    path = Path(source)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise _unknown(path)
    if not path.is_file():
        raise InputError(f"input {source} does not exist")
    try:
        counts, width, period, notes, photons = reader(path, {"channel": channel,
                                                              "time_axis": time_axis})
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001 - the libraries raise anything on corrupt files
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"cannot read {path.name}: {reason}") from None
    width = width if width is not None else bin_width_ns
    if width is None:
        raise InputError(f"{path.name} does not state its bin width: pass --bin-width-ns")
    if not np.isfinite(width) or width <= 0:
        raise InputError(f"{path.name}: bin width {width:g} ns is not positive")
    if np.ndim(counts) != 3:
        raise InputError(f"{path.name}: counts must have shape (H, W, T), not "
                         f"{np.shape(counts)}")
    try:
        counts = check_counts(counts, np.shape(counts)[-1])
    except InputError as err:
        raise InputError(f"{path.name}: {err}") from None
    if period is None and laser_mhz is not None:
        period = 1e3 / laser_mhz
    decay = counts.reshape(-1, counts.shape[-1]).sum(axis=0)
    layout = Layout(float(width), counts.shape[-1], valid_bins(decay), period)
    return Recording(counts, layout, None, notes, photons)


def add_input_arguments(p):
    """The input arguments of every map command (``sim run``, ``boards run``), as
    :func:`read_for_model` reads them."""
    p.add_argument("input", help=f"'phantom' or a file: {', '.join(SUFFIXES)}")
    p.add_argument("--bin-width-ns", type=positive_float,
                   help="bin width of a .npy or TIFF input")
    p.add_argument("--laser-mhz", type=positive_float,
                   help="laser repetition rate, where the file does not state it (.sdt)")
    p.add_argument("--channel", type=int,
                   help="channel (.ptu) or image block (.sdt) to map (default: most photons)")
    p.add_argument("--time-axis", type=int, default=-1, help="TIFF axis holding the bins")
    p.add_argument("--bin", type=int, default=0, metavar="K",
                   help="spatial binning: each pixel sums the (2K+1) x (2K+1) pixels around it "
                        "(SPCImage's convention; default 0)")
    p.add_argument("--irf", metavar="FILE",
                   help="the instrument's measured IRF (two columns: ns, counts), for phasors")
    p.add_argument("--reference", metavar="FILE",
                   help="a reference recording of known lifetime (e.g. a dye), for phasors")
    p.add_argument("--reference-lifetime", type=positive_float, metavar="NS",
                   help="the reference's lifetime in ns")
    p.add_argument("--min-photons", type=int, default=MIN_PHOTONS, metavar="N",
                   help=f"pixels with fewer photons get no lifetime (default {MIN_PHOTONS}, "
                        f"the fewest the model was trained on)")
    p.add_argument("--seed", type=int, default=0, help="seeds the phantom (and any sample)")
    p.add_argument("--size", type=positive_int, default=64, help="phantom size in pixels")


def input_arguments(*argv):
    """:func:`add_input_arguments`' arguments as a command line of ``argv`` gives them (the
    defaults for the rest), for code that reads an input as the map commands do."""
    parser = argparse.ArgumentParser()
    add_input_arguments(parser)
    return parser.parse_args([str(a) for a in argv])


def _fit_counters(counts):
    """Pixels with a bin past the core's counters, halved until they fit (their decay's shape
    is kept); a note saying how many."""
    peak = counts.max(axis=-1, keepdims=True)
    shift = np.maximum(np.ceil(np.log2(np.maximum(peak, 1) / COUNT_MAX)), 0).astype(np.int64)
    if not shift.any():
        return counts, ()
    return counts >> shift, (f"{int((shift > 0).sum())} pixels scaled down by up to "
                             f"2^{int(shift.max())} to fit the {COUNT_MAX + 1:,}-count "
                             f"counters",)


class Prepared(NamedTuple):
    """An input ready to map: the recording (binned as asked) on its own axis, its counts on
    the model's axis, how far its decay moved (``shift_ns``), what was done (``notes``), its
    phasors (:func:`golden.phasors.recording_phasors`) and, for single photons, each one's TDC
    code on the event input (``codes``, ``-1`` where none holds it; else ``None``)."""
    recording: Recording
    counts: np.ndarray
    shift_ns: float
    notes: tuple
    phasors: Phasors
    codes: np.ndarray | None = None


def _references(args):
    """The phasor references the arguments name (checked before any work)."""
    irf = read_irf(args.irf) if args.irf else None
    if (args.reference is None) != (args.reference_lifetime is None):
        raise InputError("--reference FILE and --reference-lifetime NS go together")
    if args.reference is None:
        return irf, None
    ref = read_input(args.reference, bin_width_ns=args.bin_width_ns, laser_mhz=args.laser_mhz,
                     channel=args.channel, time_axis=args.time_axis)
    return irf, (ref.counts.reshape(-1, ref.layout.bins).sum(axis=0), ref.layout.bin_width_ns)


def read_for_model(args, instrument):
    """The input named by command-line ``args`` (as :func:`add_input_arguments` declares
    them), on the time axis of a model trained for ``instrument``
    (:class:`golden.datasets.Instrument`); prints each note. Returns :class:`Prepared`."""
    if args.bin < 0:
        raise InputError(f"--bin must be 0 or more, not {args.bin}")
    irf, reference = _references(args)
    rec = read_input(args.input, bin_width_ns=args.bin_width_ns, laser_mhz=args.laser_mhz,
                     channel=args.channel, time_axis=args.time_axis, size=args.size,
                     seed=args.seed)
    rec = rec._replace(counts=bin_pixels(rec.counts, args.bin))
    binned = (f"binned {args.bin}: each pixel sums its {2 * args.bin + 1} x "
              f"{2 * args.bin + 1} neighbourhood",) if args.bin else ()
    codes = None
    if rec.photons is None:
        counts, shift, mapped = to_model_axis(rec.counts, rec.layout, instrument)
    else:
        counts, shift, mapped, codes = photons_to_model_axis(
            rec.photons, rec.counts, rec.layout, instrument, seed=args.seed)
        counts = bin_pixels(counts, args.bin)
    counts, scaled = _fit_counters(counts)
    notes = rec.notes + binned + tuple(mapped) + scaled
    for note in notes:
        print(f"note: {note}")
    phasors = recording_phasors(rec.counts, rec.layout, irf=irf, reference=reference,
                                reference_lifetime_ns=args.reference_lifetime)
    return Prepared(rec, counts, shift, notes, phasors, codes)
