"""Photon-event streams (``boards/PHOTONS.md``) and the reference of the on-chip histogrammer
(:class:`rtl.histogrammer.Histogrammer`).

An event is a photon, with its TDC code (the micro-time), or a marker: ``PIXEL`` (the open pixel
is complete), ``LINE`` (the line is complete: photons since the last ``PIXEL``, the flyback,
belong to no pixel) or ``FRAME`` (as ``LINE``, and the frame is complete). A micro-time-to-bin
table (:func:`bin_table`) puts each photon in a bin of a model's acquisition, or outside it.
"""
from enum import IntEnum

import numpy as np

from .physics import Acquisition

__all__ = ["EventKind", "bin_table", "histogram_events"]


class EventKind(IntEnum):
    PHOTON = 0
    PIXEL = 1
    LINE = 2
    FRAME = 3


def bin_table(acq, *, tdc_lsb_ns, micro_bits, start_ns=0.0):
    """For every TDC code ``k`` of ``micro_bits`` bits: the bin of ``acq`` that the code's
    centre, ``start_ns + (k + 1/2) * tdc_lsb_ns`` in the window, falls in; ``None`` outside
    the window."""
    if not isinstance(acq, Acquisition):
        raise TypeError(f"acq must be an Acquisition, not {acq!r}")
    if not tdc_lsb_ns > 0:
        raise ValueError(f"tdc_lsb_ns must be positive, not {tdc_lsb_ns!r}")
    t = start_ns + (np.arange(1 << micro_bits) + 0.5) * tdc_lsb_ns
    b = np.floor(t / acq.bin_width_ns).astype(int)
    return [int(k) if 0 <= tk and k < acq.bins else None for tk, k in zip(t, b)]


def histogram_events(kinds, micro, table, bins, *, count_bits=16):
    """What the histogrammer makes of an event stream: each completed pixel's histogram
    (counters saturating at ``2**count_bits - 1``) with its number in its frame, and the
    frame ends.

    Returns a dict: ``pixels`` (list of ``(tag, counts)``, counts an int64 ``(bins,)``),
    ``frames`` (after how many pixels each frame ended), ``outside`` (photons outside the
    window) and ``saturated`` (photons that found their counter at its ceiling).
    """
    lookup = np.array([-1 if b is None else b for b in table])
    ceiling = (1 << count_bits) - 1
    pixels, frames, open_bins = [], [], []
    pixel = outside = saturated = 0
    for kind, code in zip(np.asarray(kinds), np.asarray(micro)):
        if kind == EventKind.PHOTON:
            b = lookup[code]
            if b < 0:
                outside += 1
            else:
                open_bins.append(b)
            continue
        if kind == EventKind.PIXEL:
            counts = np.bincount(np.asarray(open_bins, int), minlength=bins)
            saturated += int(np.maximum(counts - ceiling, 0).sum())
            pixels.append((pixel, np.minimum(counts, ceiling)))
            pixel += 1
        elif kind == EventKind.FRAME:
            frames.append(len(pixels))
            pixel = 0
        open_bins = []
    return {"pixels": pixels, "frames": frames, "outside": outside, "saturated": saturated}
