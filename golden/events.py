"""Photon-event streams (``boards/PHOTONS.md``) and the reference of the on-chip histogrammer
(:class:`rtl.histogrammer.Histogrammer`).

An event is a photon, with its TDC code (the micro-time), or a marker: ``PIXEL`` (the open pixel
is complete), ``LINE`` (the line is complete: photons since the last ``PIXEL``, the flyback,
belong to no pixel) or ``FRAME`` (as ``LINE``, and the frame is complete). A micro-time-to-bin
table (:func:`bin_table`) puts each photon in a bin of a model's acquisition, or outside it.
"""
import math
from enum import IntEnum

import numpy as np

from statistics import NormalDist

from .physics import IRF, Acquisition

__all__ = ["EventKind", "MICRO_BITS", "tdc_lsb_ns", "bin_table", "histogram_events",
           "photon_codes", "code_bins", "image_events", "scan_events", "xorshift32", "RATE_BITS",
           "JITTER_BITS", "DELAY_BITS", "source_codes", "source_tables", "source_events"]

#: The event input's TDC code width (micro-time bits) unless a board states another.
MICRO_BITS = 12


class EventKind(IntEnum):
    PHOTON = 0
    PIXEL = 1
    LINE = 2
    FRAME = 3


def tdc_lsb_ns(period_ns, micro_bits=MICRO_BITS):
    """The TDC code's width for a laser period of ``period_ns``: whole picoseconds, so that the
    period fits ``2 ** micro_bits`` codes."""
    return math.ceil(period_ns * 1000 / (1 << micro_bits)) / 1000


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


def photon_codes(dtime, bin_width_ns, *, shift_ns=0.0, lsb_ns, micro_bits=MICRO_BITS, seed=0):
    """The event input's TDC codes (``lsb_ns`` wide) of photons recorded in bins of
    ``bin_width_ns`` (their ``dtime``): each photon at a uniformly drawn time inside its bin
    (a generator seeded with ``seed``, one draw per photon in order), moved ``shift_ns``
    earlier; ``-1`` where no ``micro_bits``-bit code holds that time. The draw spreads a
    coarse bin's photons over the finer codes, so that the model's bins fill in proportion to
    the time they share with it rather than in a comb."""
    dtime = np.asarray(dtime, np.int64)
    time = (dtime + np.random.default_rng(seed).random(dtime.size)) * bin_width_ns - shift_ns
    codes = np.floor(time / lsb_ns).astype(np.int64)
    codes[(codes < 0) | (codes >= 1 << micro_bits)] = -1
    return codes


def code_bins(codes, table):
    """The bin of each TDC code in ``table`` (:func:`bin_table`); ``-1`` outside the window
    (and for code ``-1``)."""
    lookup = np.array([-1 if b is None else b for b in table] + [-1])
    return lookup[np.asarray(codes)]


def image_events(pixel, codes, shape):
    """A scanned image's event stream (``(kinds, micro)``, as :func:`source_events`) from each
    photon's ``pixel`` (``y * width + x`` of an image of ``shape``) and TDC code (``codes``
    of ``-1``, which no code holds, are left out): a ``FRAME`` first (it starts the stream at
    pixel 0 whatever came before), then each pixel's photons and ``PIXEL`` in scan order, a
    ``LINE`` after each line but the last and a ``FRAME`` after it."""
    height, width = shape
    pixel, codes = np.asarray(pixel, np.int64), np.asarray(codes, np.int64)
    keep = codes >= 0
    order = np.argsort(pixel[keep], kind="stable")
    pixel, codes = pixel[keep][order], codes[keep][order]
    n = 1 + pixel.size + height * width + height
    kinds = np.full(n, EventKind.PIXEL, np.int64)
    micro = np.zeros(n, np.int64)
    # every event is preceded by the FRAME, the markers of the pixels and lines before it
    at = 1 + np.arange(pixel.size) + pixel + pixel // width
    kinds[at], micro[at] = EventKind.PHOTON, codes
    cells = np.arange(height * width)
    before = np.searchsorted(pixel, cells, side="right")    # photons up to each pixel's end
    ends = 1 + before + cells + cells // width                # each pixel's PIXEL marker
    lines = ends[width - 1::width] + 1
    kinds[0] = kinds[lines[-1]] = EventKind.FRAME
    kinds[lines[:-1]] = EventKind.LINE
    return kinds, micro


def scan_events(pixel, codes, frame, shape, frames):
    """The event stream of ``frames`` frames of a scan, one after another, each photon in its
    ``frame`` (0 .. frames - 1): each frame as :func:`image_events` makes it, the ``FRAME``
    that ends one being the next one's start."""
    pixel, codes, frame = (np.asarray(a, np.int64) for a in (pixel, codes, frame))
    streams = [image_events(pixel[frame == f], codes[frame == f], shape) for f in range(frames)]
    kinds = np.concatenate([streams[0][0]] + [k[1:] for k, _ in streams[1:]])
    micro = np.concatenate([streams[0][1]] + [m[1:] for _, m in streams[1:]])
    return kinds, micro


#: Bits of the photon source's draws: a slot's photon test, its IRF jitter, its delay (the
#: delay's inverse-CDF table has ``2 ** DELAY_BITS`` entries, so that its tail is smooth).
RATE_BITS, JITTER_BITS, DELAY_BITS = 8, 8, 12


def xorshift32(state):
    """Marsaglia's xorshift32: the photon source's random number generator."""
    state ^= (state << 13) & 0xFFFFFFFF
    state ^= state >> 17
    state ^= (state << 5) & 0xFFFFFFFF
    return state


def source_codes(period_ns, tdc_lsb_ns):
    """TDC codes in a laser period: the photon source's micro-times wrap there."""
    return int(round(period_ns / tdc_lsb_ns))


def source_tables(lifetimes_ns, *, irf=IRF(), tdc_lsb_ns, period_ns, micro_bits):
    """The photon source's inverse-CDF tables, in TDC codes: per lifetime, an exponential
    delay ``-tau ln(u)`` for ``u = (k + 1/2) / 2**DELAY_BITS``; and the IRF's Gaussian jitter
    ``offset + sigma Phi^-1(u)`` for ``u = (k + 1/2) / 2**JITTER_BITS``, clipped to a laser
    period; delays are stored modulo the period (a photon's micro-time wraps there, as the
    previous pulses' tails do). Returns ``(delays, jitter)``: lists of codes below
    :func:`source_codes` (delays one list per lifetime)."""
    def quantiles(bits):
        return (np.arange(1 << bits) + 0.5) / (1 << bits)

    period = source_codes(period_ns, tdc_lsb_ns)
    if period > 1 << micro_bits:
        raise ValueError(f"{micro_bits}-bit TDC codes cannot hold a period of {period} codes")
    delays = [(np.round(-tau * np.log(quantiles(DELAY_BITS)) / tdc_lsb_ns).astype(int)
               % period).tolist() for tau in lifetimes_ns]
    sigma = irf.fwhm_ns / (2 * np.sqrt(2 * np.log(2)))
    normal = np.array([NormalDist().inv_cdf(v) for v in quantiles(JITTER_BITS)])
    jitter = np.clip(np.round((irf.offset_ns + sigma * normal) / tdc_lsb_ns), 0, period - 1)
    return delays, jitter.astype(int).tolist()


def source_events(scene, lines, *, dwell, rate, tables, period_codes, events, seed=1):
    """The first ``events`` events of the photon source (:class:`rtl.photon_source.PhotonSource`
    makes exactly these). A frame is ``lines`` lines of ``len(scene)`` pixels, pixel ``x`` of
    every line having lifetime ``scene[x]`` (an index into ``tables``' delays). Each pixel
    dwells ``dwell`` slots, each a photon if the draw's low byte is below ``rate`` (of 256),
    then a ``PIXEL`` marker; a line ends with ``LINE``, a frame with ``FRAME``. A photon's code
    is its jitter (the draw's next byte) plus its delay (its next :data:`DELAY_BITS`), modulo
    the laser period of ``period_codes``. Returns ``(kinds, micro)``."""
    delays, jitter = tables
    state, kinds, micro = seed, [], []
    x = y = slot = 0
    while len(kinds) < events:
        state = xorshift32(state)
        if slot < dwell:
            if state & 0xFF < rate:
                spread = state >> RATE_BITS & 0xFF
                delay = state >> (RATE_BITS + JITTER_BITS) & ((1 << DELAY_BITS) - 1)
                kinds.append(EventKind.PHOTON)
                micro.append((jitter[spread] + delays[scene[x]][delay]) % period_codes)
            slot += 1
            continue
        if slot == dwell:
            kinds.append(EventKind.PIXEL)
            micro.append(0)
            slot, x = (dwell + 1, x) if x == len(scene) - 1 else (0, x + 1)
            continue
        kinds.append(EventKind.FRAME if y == lines - 1 else EventKind.LINE)
        micro.append(0)
        slot, x, y = 0, 0, (0 if y == lines - 1 else y + 1)
    return kinds[:events], micro[:events]
