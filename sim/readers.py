"""Reading photon-count images for ``python -m sim run``: Becker & Hickl ``.sdt``, PicoQuant
``.ptu`` (T3 image), TIFF stacks, ``.npy`` arrays and the built-in phantom, all as
``(H, W, T)`` int64 counts with their bin width; and :func:`rebin` onto the model's time axis.

Any failure inside a file library becomes :class:`~golden.validate.InputError` naming the file.
"""
from pathlib import Path
from typing import NamedTuple

import numpy as np
import ptufile
import sdtfile
import tifffile

from golden.commands import positive_int
from golden.phantom import phantom
from golden.physics import Acquisition
from golden.validate import InputError, check_counts

__all__ = ["Recording", "read_input", "rebin", "read_for_model", "add_input_arguments",
           "SUFFIXES", "MAX_VALUES"]

MAX_VALUES = 2 ** 27
"""Largest image (H * W * T values) read; a corrupt header must not exhaust memory."""


class Recording(NamedTuple):
    """Counts ``(H, W, T)`` int64, their bin width (ns), ground-truth ``tau_m`` ``(H, W)`` (ns)
    or ``None``, and notes on what the reader chose (e.g. which data block)."""
    counts: np.ndarray
    bin_width_ns: float
    tau_m: np.ndarray | None = None
    notes: tuple = ()


def _checked_size(shape, path):
    size = int(np.prod(shape, dtype=object))
    if size > MAX_VALUES:
        raise InputError(f"{path.name}: image of shape {tuple(shape)} is too large "
                         f"({size} values > {MAX_VALUES})")


def _read_sdt(path, _):
    with sdtfile.SdtFile(path) as sdt:
        blocks = [(i, d) for i, d in enumerate(sdt.data) if d.ndim == 3]
        if not blocks:
            raise InputError(f"{path.name} holds no image data block")
        index, counts = blocks[0]
        times = sdt.times[index]
    if len(times) < 2 or not times[1] > times[0]:
        raise InputError(f"{path.name} has no usable time axis")
    notes = (f"{len(blocks)} image blocks; using block {index}",) if len(blocks) > 1 else ()
    return counts, float(times[1] - times[0]) * 1e9, notes


def _read_ptu(path, _):
    with ptufile.PtuFile(path) as ptu:
        if not (ptu.is_t3 and ptu.is_image):
            raise InputError(f"{path.name} is not a T3 image")
        for key in ("ImgHdr_LineStart", "ImgHdr_LineStop", "ImgHdr_Frame"):
            # ptufile computes 2 ** (value - 1): a corrupt value would exhaust memory
            if not 0 < ptu.tags.get(key, 1) <= 64:
                raise InputError(f"{path.name}: invalid marker {key} = {ptu.tags[key]}")
        held = (path.stat().st_size - ptu.record_offset) // 4
        if ptu.number_records > held:
            raise InputError(f"{path.name} is truncated: {ptu.number_records} records stated, "
                             f"{held} present")
        frames, height, width, channels, _bins = ptu.shape
        _checked_size((height, width, ptu.number_bins_in_period), path)
        counts = ptu.decode_image(frame=-1, channel=-1, dtime=0, keepdims=False)
        notes = tuple(f"summed {n} {what}" for n, what in ((frames, "frames"),
                                                           (channels, "channels")) if n > 1)
        return counts, ptu.tcspc_resolution * 1e9, notes


def _read_tif(path, time_axis):
    if not -3 <= time_axis < 3:
        raise InputError(f"--time-axis {time_axis} is not an axis of an (H, W, T) stack")
    with tifffile.TiffFile(path) as tif:
        series = tif.series[0]
        _checked_size(series.shape, path)
        counts = series.asarray()
    if counts.ndim != 3:
        raise InputError(f"{path.name}: a TIFF stack must have 3 axes, not shape {counts.shape}")
    return np.moveaxis(counts, time_axis, -1), None, ()


def _read_npy(path, _):
    counts = np.load(path, mmap_mode="r", allow_pickle=False)
    _checked_size(counts.shape, path)
    return np.array(counts), None, ()


_READERS = {".sdt": _read_sdt, ".ptu": _read_ptu, ".tif": _read_tif, ".tiff": _read_tif,
            ".npy": _read_npy}
SUFFIXES = tuple(_READERS)


def read_input(source, *, bin_width_ns=None, time_axis=-1, size=64, seed=0):
    """Read ``source``: a file path with a known suffix, or ``"phantom"``.

    Parameters
    ----------
    source : str
        ``phantom`` (the :func:`golden.phantom.phantom` of ``size`` x ``size`` pixels, seeded
        with ``seed``), or a ``.sdt``, ``.ptu``, ``.tif``/``.tiff`` or ``.npy`` file.
    bin_width_ns : float, optional
        Required for ``.npy`` and TIFF (they do not state it); overrides nothing else.
    time_axis : int
        The TIFF axis holding the histogram bins.

    Returns
    -------
    Recording
    """
    if source == "phantom":
        try:
            data = phantom(size, seed=seed)
        except ValueError as err:
            raise InputError(f"phantom: {err}") from None
        tau_m = data["frac"] * data["tau1"] + (1 - data["frac"]) * data["tau2"]
        return Recording(data["counts"].astype(np.int64), Acquisition.bin_width_ns, tau_m)
    path = Path(source)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(f"unknown input type {path.suffix!r}: expected 'phantom' or one of "
                         f"{', '.join(SUFFIXES)}")
    if not path.is_file():
        raise InputError(f"input {source} does not exist")
    try:
        counts, width, notes = reader(path, time_axis)
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
    return Recording(counts, float(width), None, notes)


def rebin(counts, bin_width_ns, *, bins, target_width_ns):
    """Map histograms onto the model's time axis: ``bins`` bins of ``target_width_ns``.

    Finer bins are summed in groups of an integer factor ``F = target / width``; bins past
    ``bins * F`` (a longer time range) are cropped. Coarser bins, a non-integer factor or too
    short a time range cannot be mapped and raise :class:`~golden.validate.InputError`.

    Returns
    -------
    counts : ndarray
        ``(..., bins)``.
    note : str or None
        What was done, ``None`` when the input already matched.
    """
    ratio = target_width_ns / bin_width_ns
    factor = max(int(round(ratio)), 1)
    if ratio < 1 and not np.isclose(ratio, 1, rtol=1e-6):
        raise InputError(f"bins of {bin_width_ns:g} ns are coarser than the model's "
                         f"{target_width_ns:g} ns")
    if not np.isclose(ratio, factor, rtol=1e-6):
        raise InputError(f"bin width {bin_width_ns:g} ns does not divide the model's "
                         f"{target_width_ns:g} ns into whole bins")
    length = counts.shape[-1]
    need = bins * factor
    if length < need:
        raise InputError(f"time range {length * bin_width_ns:g} ns ({length} bins) is shorter "
                         f"than the model's {bins * target_width_ns:g} ns ({bins} bins)")
    if factor == 1 and length == bins:
        return counts, None
    out = counts[..., :need].reshape(*counts.shape[:-1], bins, factor).sum(axis=-1)
    done = [f"summed groups of {factor} {bin_width_ns:g}-ns bins"] if factor > 1 else []
    if length > need:
        done.append(f"cropped {length - need} trailing bins "
                    f"({(length - need) * bin_width_ns:g} ns)")
    return out, f"{' and '.join(done)} into {bins} bins of {target_width_ns:g} ns"


def add_input_arguments(p):
    """The input arguments of every map command (``sim run``, ``boards run``), as
    :func:`read_for_model` reads them."""
    p.add_argument("input", help=f"'phantom' or a file: {', '.join(SUFFIXES)}")
    p.add_argument("--bin-width-ns", type=float, help="bin width of a .npy or TIFF input")
    p.add_argument("--time-axis", type=int, default=-1, help="TIFF axis holding the bins")
    p.add_argument("--seed", type=int, default=0, help="seeds the phantom (and any sample)")
    p.add_argument("--size", type=positive_int, default=64, help="phantom size in pixels")


def read_for_model(args, acq):
    """The input named by command-line ``args`` (``input``, ``bin_width_ns``, ``time_axis``,
    ``size``, ``seed``), rebinned to the acquisition ``acq``; prints each note.

    Returns ``(recording, counts, rebinned)``: ``rebinned`` is the note on what was done, or
    ``None``.
    """
    rec = read_input(args.input, bin_width_ns=args.bin_width_ns, time_axis=args.time_axis,
                     size=args.size, seed=args.seed)
    counts, rebinned = rebin(rec.counts, rec.bin_width_ns, bins=acq.bins,
                             target_width_ns=acq.bin_width_ns)
    for note in rec.notes + ((rebinned,) if rebinned else ()):
        print(f"note: {note}")
    return rec, counts, rebinned
