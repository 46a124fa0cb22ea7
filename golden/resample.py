"""Recordings onto a model's time axis: any bin width, window and rise position.

A recording's time axis is a :class:`Layout`: its bin width and count, the bins that hold data
(TAC-cut bins at either end, exact zeros of the summed decay, hold none) and the laser period.
:func:`to_model_axis` maps its histograms onto an :class:`~golden.physics.Acquisition`:

1. **Rise.** The decay's rise (:func:`rise_ns`: where the summed decay's leading edge crosses
   half its height over the baseline) is compared with the rises the model was trained on (the
   IRF centres of its :class:`~golden.datasets.Instrument`'s training range). A rise inside that
   range is left where it is; one outside moves the whole image, by one shift, to the rise of
   the instrument's IRF.
2. **Resampling.** Each model bin takes the photons of the file's time span it covers: the
   cumulative histogram, linear within a file bin, is read at the model's bin edges and rounded
   there (:func:`resample`). Counts stay integers, every photon of the file's data inside the
   model window is kept (the totals are exact), and no bin is off by more than one photon from
   the fractional rebinning. Finer and coarser bins, and shifts by fractions of a bin, are all
   the same operation.
3. **Missing time.** Model bins, or parts of them, where the file holds no data (TAC-cut bins,
   or past the end of its window) get the pixel's own background: its photons per ns before the
   rise, rounded the same way. The core then finds a real baseline in its first bins.

A recording of single photons (a T3 ``.ptu``) is aligned the same way but binned photon by
photon instead (:func:`photons_to_model_axis`), as the board's histogrammer bins them: each
photon's time becomes a TDC code of the event input (:func:`golden.events.photon_codes`) and
its bin comes from the micro-time-to-bin table (:func:`golden.events.bin_table`), so that a
replay of its photons through a board gives the same histograms.
"""
from dataclasses import dataclass

import numpy as np

from dataclasses import replace

from .datasets import Instrument
from .events import MICRO_BITS, bin_table, code_bins, photon_codes, tdc_lsb_ns
from .physics import expected_tpsf
from .validate import InputError

__all__ = ["Layout", "valid_bins", "rise_ns", "trained_rises_ns", "resample",
           "to_model_axis", "photons_to_model_axis", "MIN_DECAY_NS", "PRE_RISE_GAP_NS"]

#: The shortest stretch of data after the rise that can be mapped: the model's lifetimes come
#: from the shape of the decay's tail.
MIN_DECAY_NS = 4.0
#: The baseline is taken from the data ending this long before the rise (the IRF's rising
#: edge is excluded).
PRE_RISE_GAP_NS = 0.5
#: Histograms resampled at a time: their float copies stay in cache.
ROWS = 4096


@dataclass(frozen=True)
class Layout:
    """A recording's time axis.

    Attributes
    ----------
    bin_width_ns : float
    bins : int
    valid : (int, int)
        First bin holding data and one past the last (TAC-cut bins lie outside).
    laser_period_ns : float or None
        From the file's sync rate, or the user; ``None`` when neither states it.
    """
    bin_width_ns: float
    bins: int
    valid: tuple
    laser_period_ns: float = None

    @property
    def window_ns(self):
        return self.bins * self.bin_width_ns


def valid_bins(decay):
    """``(first, stop)`` of the bins between the summed decay's leading and trailing exact
    zeros (TAC-cut bins); ``(0, 0)`` when it holds no photon."""
    held = np.flatnonzero(np.asarray(decay) > 0)
    return (int(held[0]), int(held[-1]) + 1) if held.size else (0, 0)


def rise_ns(decay, bin_width_ns, valid=None):
    """Where the decay's leading edge crosses half its height over the baseline, in ns from
    the window's start (bin centres at ``(k + 1/2) * width``), interpolated between bins.

    The baseline is the lowest 5-bin mean before the peak; ``None`` when the decay holds no
    photon or has no rising edge in its valid bins.
    """
    decay = np.asarray(decay, float)
    first, stop = valid if valid is not None else valid_bins(decay)
    if stop - first < 2 or decay[first:stop].max() <= 0:
        return None
    part = decay[first:stop]
    peak = int(part.argmax())
    means = np.convolve(part[:peak + 1], np.ones(5) / 5, mode="valid")
    baseline = means.min() if means.size else part[:peak + 1].min()
    half = baseline + (part[peak] - baseline) / 2
    below = np.flatnonzero(part[:peak] < half)
    if not below.size:
        return None
    k = int(below[-1])                       # part[k] < half <= part[k + 1]
    step = (half - part[k]) / (part[k + 1] - part[k])
    return (first + k + step + 0.5) * bin_width_ns


def trained_rises_ns(instrument=Instrument()):
    """The rises (:func:`rise_ns`) of a model's training decays at the two ends of its IRF
    centres, and at its instrument's IRF: ``(low, high, default)`` in ns."""
    irf, acq = instrument.irf, instrument.acq
    offsets = (*instrument.prange.irf_offset_ns, irf.offset_ns)
    tpsf = expected_tpsf(np.full(3, 2.0), np.full(3, 2.0), np.ones(3), acq=acq,
                         irf=replace(irf, offset_ns=np.array(offsets)))
    return tuple(rise_ns(row, acq.bin_width_ns) for row in tpsf)


def _below(width_ns, bins, edges_ns):
    """``(bins, len(edges))``: the share of each bin below each edge (clipped to the window),
    so that ``counts @ _below(...)`` reads the cumulative histogram at the edges, linear
    within a bin."""
    position = np.clip(np.asarray(edges_ns) / width_ns, 0, bins)
    return np.clip(position[None, :] - np.arange(bins)[:, None], 0.0, 1.0)


def _round_differences(cumulative):
    """Integer bins from a cumulative ``(N, K + 1)`` rounded at every edge."""
    return np.diff(np.floor(cumulative + 0.5), axis=1).astype(np.int64)


def resample(counts, layout, acq, start_ns, background_per_ns=None, *, rows=ROWS):
    """Histograms ``(N, T)`` on ``layout`` to ``(N, acq.bins)``: model bin ``k`` covers the
    file's ``[start_ns + k w, start_ns + (k + 1) w)``, ``w = acq.bin_width_ns``.

    The photons of the file's valid bins are moved by the rounded cumulative histogram (exact
    totals); the time each model bin spends outside them gets ``background_per_ns`` ``(N,)``
    photons per ns (none by default), rounded the same way. ``rows`` histograms at a time.
    """
    counts = np.asarray(counts)
    width = layout.bin_width_ns
    first, stop = layout.valid
    edges = start_ns + np.arange(acq.bins + 1) * acq.bin_width_ns
    inside = np.clip(edges, first * width, stop * width)
    below = _below(width, counts.shape[-1], inside)
    below[:first] = below[stop:] = 0                      # TAC-cut bins hold no photons
    # time outside the data, accumulated edge by edge
    missing = np.concatenate([[0], np.cumsum(acq.bin_width_ns - np.diff(inside))])
    out = np.empty((counts.shape[0], acq.bins), np.int64)
    for lo in range(0, counts.shape[0], rows):
        part = slice(lo, lo + rows)
        out[part] = _round_differences(counts[part].astype(np.float64) @ below)
        if background_per_ns is not None:
            out[part] += _round_differences(
                np.asarray(background_per_ns, float)[part, None] * missing)
    return out


def _background_per_ns(counts, layout, rise):
    """Each pixel's photons per ns in its valid bins ending :data:`PRE_RISE_GAP_NS` before the
    rise (zeros when there are none)."""
    first = layout.valid[0]
    stop = int(np.floor((rise - PRE_RISE_GAP_NS) / layout.bin_width_ns))
    if stop <= first:
        return np.zeros(counts.shape[0]), 0.0
    span = (stop - first) * layout.bin_width_ns
    return counts[:, first:stop].sum(axis=1) / span, span


def to_model_axis(counts, layout, instrument=Instrument()):
    """Map an image's histograms ``(..., T)`` onto the time axis of the model trained for
    ``instrument`` (module docstring).

    Returns
    -------
    counts : ndarray of int64, ``(..., acq.bins)``
    shift_ns : float
        How far the decay moved (positive: earlier in the window).
    notes : list of str
        What was done, one line each.

    Raises
    ------
    InputError
        No rise to align on, or less than :data:`MIN_DECAY_NS` of data after it.
    """
    counts = np.asarray(counts, np.int64)
    shape = counts.shape[:-1]
    flat = counts.reshape(-1, counts.shape[-1])
    rise, shift = _alignment(flat, layout, instrument)
    acq = instrument.acq
    background, span = _background_per_ns(flat, layout, rise)
    out = resample(flat, layout, acq, shift, background)
    note = _describe(layout, acq, rise, shift, span)
    return out.reshape(*shape, acq.bins), shift, [note] if note else []


def _alignment(flat, layout, instrument):
    """``(rise, shift)`` in ns of histograms ``(N, T)`` (module docstring, step 1)."""
    rise = rise_ns(flat.sum(axis=0), layout.bin_width_ns, layout.valid)
    if rise is None:
        raise InputError("the summed decay has no rising edge to align the model on "
                         "(no photons, or the rise is cut off at the window's start)")
    low, high, default = trained_rises_ns(instrument)
    shift = 0.0 if low <= rise <= high else rise - default
    after = layout.valid[1] * layout.bin_width_ns - rise
    if after < MIN_DECAY_NS:
        raise InputError(f"the file holds {after:.2f} ns of decay after its rise at {rise:.2f} "
                         f"ns; mapping needs {MIN_DECAY_NS:g} ns: train an instrument model "
                         f"for this layout instead (golden calibrate)")
    return rise, shift


def photons_to_model_axis(photons, counts, layout, instrument=Instrument(), *, seed=0,
                          micro_bits=MICRO_BITS):
    """Map single photons onto the time axis of the model trained for ``instrument``, as the
    board's event input and histogrammer do (module docstring).

    Parameters
    ----------
    photons : golden.t3.T3Photons
        Each photon's ``pixel`` and ``dtime`` (a bin of ``layout``).
    counts : ndarray ``(H, W, T)``
        The photons' histograms on ``layout`` (or binned ones): they place the rise.
    seed : int
        Seeds each photon's draw inside its bin (:func:`golden.events.photon_codes`).
    micro_bits : int
        The event input's TDC code width.

    Returns
    -------
    counts : ndarray of int64, ``(H, W, acq.bins)``
    shift_ns : float
    notes : list of str
    codes : ndarray of int64
        Each photon's TDC code on the event input (``-1``: none holds it).
    """
    acq = instrument.acq
    rise, shift = _alignment(np.asarray(counts).reshape(-1, layout.bins), layout, instrument)
    lsb = tdc_lsb_ns(acq.period_ns, micro_bits)
    codes = photon_codes(photons.dtime, layout.bin_width_ns, shift_ns=shift, lsb_ns=lsb,
                         micro_bits=micro_bits, seed=seed)
    bins = code_bins(codes, bin_table(acq, tdc_lsb_ns=lsb, micro_bits=micro_bits))
    inside = bins >= 0
    height, width = photons.shape
    out = np.bincount(photons.pixel[inside] * acq.bins + bins[inside],
                      minlength=height * width * acq.bins).reshape(height, width, acq.bins)
    first, stop = layout.valid
    missing = (max(first * layout.bin_width_ns - shift, 0)
               + max(shift + acq.window_ns - stop * layout.bin_width_ns, 0))
    notes = [f"{photons.pixel.size} photons binned one by one into {acq.bins} bins of "
             f"{acq.bin_width_ns:g} ns through {lsb * 1000:g} ps TDC codes (as the board's "
             f"event input does), rise at {rise:.2f} ns"
             + (f", moved {abs(shift):.2f} ns {'earlier' if shift > 0 else 'later'}"
                if shift else "")
             + f"; {int((~inside).sum())} outside the model's window"]
    if missing > 0:
        notes.append(f"{missing:.2f} ns of the model's window hold no data of the file and "
                     f"stay empty (single photons get no background filled in)")
    return out.astype(np.int64), shift, notes, codes


def _describe(layout, acq, rise, shift, span):
    first, stop = layout.valid
    width = layout.bin_width_ns
    if (np.isclose(width, acq.bin_width_ns, rtol=1e-9) and not shift and first == 0
            and stop >= acq.bins):
        return (f"cropped {layout.bins - acq.bins} trailing bins to the model's {acq.bins}"
                if layout.bins > acq.bins else None)
    what = [f"{layout.bins} bins of {width:g} ns (data in bins {first}-{stop - 1}) "
            f"resampled to {acq.bins} of {acq.bin_width_ns:g} ns",
            f"rise at {rise:.2f} ns" + (f", moved {abs(shift):.2f} ns "
                                       f"{'earlier' if shift > 0 else 'later'} to where the "
                                       f"model was trained" if shift
                                       else ", where the model was trained")]
    start, end = shift, shift + acq.window_ns
    missing = max(first * width - start, 0) + max(end - stop * width, 0)
    if missing > 0:
        what.append(f"{missing:.2f} ns without data filled with each pixel's background "
                    f"(from {span:.2f} ns before the rise)")
    return "; ".join(what)
