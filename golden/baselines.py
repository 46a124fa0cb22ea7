"""Classical lifetime estimators to compare against: FLIMLib fits and phasorpy phasors.

* :func:`flimlib_lma` — FLIMLib Levenberg-Marquardt, ``Z + A1 e^{-t/tau1} + A2 e^{-t/tau2}``
  (or ``Z + A e^{-t/tau}``) convolved with the IRF (and the previous laser pulse's IRF), with a
  Poisson chi-square or FLIMLib's Poisson maximum-likelihood merit (``NOISE_MLE``).
* :func:`flimlib_rld` — FLIMLib rapid lifetime determination (triple integral), mono-exponential,
  from each pixel's peak bin onwards, no IRF.
* :func:`phasor_lifetime` — phasorpy's apparent phase lifetime, calibrated against the IRF as a
  reference of lifetime 0, at the fundamental frequency of the histogram window.

Every function takes photon-count histograms ``counts`` of shape ``(N, T)`` and returns a dict of
float64 ``(N,)`` arrays (lifetimes in ns), NaN where a pixel has no photons or its estimate failed.
"""
import flimlib
import numpy as np
from phasorpy.lifetime import phasor_to_apparent_lifetime

from .fixed import FixedSpec
from .phasors import calibrated_phasors

__all__ = ["flimlib_lma", "flimlib_rld", "phasor_lifetime"]

#: The leading bins whose mean is the background, as for the network's preprocessing.
BACKGROUND_BINS = FixedSpec().background_bins
#: Pixels per FLIMLib call, and per ``progress`` report.
CHUNK = 256
#: FLIMLib's fixed per-transient buffers (``MAXBINS``); a longer transient overflows them.
FLIMLIB_MAX_BINS = 1024
#: LMA starts ``(tau1, tau2)`` as multiples of the rapid-lifetime estimate; the fit with the lower
#: chi-square wins (the second start cuts the tau_m error ~10 % at 300 and 3e4 photons).
STARTS = ((0.5, 1.5), (0.2, 1.2))
#: Range (ns) the rapid-lifetime estimate is clipped to before it scales the starts.
TAU0_RANGE_NS = (0.1, 5.0)
#: FLIMLib refits (up to 10 times, while it improves) a pixel whose reduced chi-square is above
#: this. Its default, a raw chi-square of 1.1, refits nearly every pixel: 2-3x slower, and a few
#: per cent of the fits fail, for no better accuracy.
REDUCED_CHISQ_TARGET = 1.1
_NO_EXTRAS = dict(compute_fitted=False, compute_residuals=False, compute_covar=False,
                  compute_alpha=False, compute_erraxes=False)


def _check(counts, irf=None):
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2:
        raise ValueError(f"counts must have shape (N, T), not {counts.shape}")
    if irf is not None:
        if np.shape(irf) != (counts.shape[1],):
            raise ValueError(f"irf must have shape ({counts.shape[1]},), not {np.shape(irf)}")
        if not np.sum(irf) > 0:
            raise ValueError("irf must have a positive sum")
    return counts


def _rld(counts, bin_width_ns):
    """Triple-integral lifetime of each pixel from its peak bin to the end, NaN on failure."""
    counts = counts.astype(np.float32)
    tau = np.full(len(counts), np.nan)
    peaks = counts.argmax(axis=1)
    for peak in np.unique(peaks):
        rows = np.flatnonzero(peaks == peak)
        tau[rows] = flimlib.GCI_triple_integral_fitting_engine(
            bin_width_ns, counts[rows], fit_start=int(peak), compute_fitted=False,
            compute_residuals=False).tau
    return np.where((counts.sum(axis=1) > 0) & (tau > 0) & np.isfinite(tau), tau, np.nan)


def flimlib_rld(counts, *, bin_width_ns):
    """Mono-exponential rapid lifetime determination (FLIMLib triple integral).

    Parameters
    ----------
    counts : array_like, shape (N, T)
        Photon-count histograms.
    bin_width_ns : float
        Histogram bin width.

    Returns
    -------
    dict
        ``tau_m`` (N,): lifetime fitted from each pixel's peak bin to the end, NaN on failure.
    """
    return {"tau_m": _rld(_check(counts), bin_width_ns)}


def _instrument(irf, bin_width_ns, period_ns):
    """FLIMLib's ``instr`` for transients left-padded with ``pad`` bins, and ``pad``.

    Two corrections make FLIMLib's discrete model match binned, periodic data:

    * FLIMLib convolves the decay sampled at bin starts, with full weight at lag 0, whereas a
      histogram integrates each bin; delaying the IRF by half a bin (mean of neighbouring bins)
      aligns the two (a noise-free 1.5 ns decay fitted mono-exponentially: tau +8 % without,
      -0.5 % with).
    * The previous pulse's tail wraps into the window, but FLIMLib's convolution is causal from
      the first bin. The transient is therefore padded with ``pad >= period / dt`` bins in front
      and the IRF is added once more one period earlier (linearly interpolated to the fractional
      bin shift). Pulses two periods back (weight ``e^{-2 period / tau}``) are neglected.
    """
    irf = np.asarray(irf, dtype=np.float64)
    delayed = 0.5 * (irf + np.concatenate([[0.0], irf[:-1]])) / irf.sum()
    shift = period_ns / bin_width_ns
    pad = int(np.ceil(shift))
    if pad + irf.size > FLIMLIB_MAX_BINS:
        raise ValueError(f"period_ns / bin_width_ns + T = {pad + irf.size} exceeds FLIMLib's "
                         f"{FLIMLIB_MAX_BINS}-bin limit")
    instr = np.zeros(pad + irf.size)
    instr[pad:] = delayed
    instr += np.interp(np.arange(instr.size), np.arange(irf.size) + pad - shift, delayed,
                       left=0.0, right=0.0)
    return instr.astype(np.float32), pad


def _fit_chunk(padded, starts, instr, pad, bin_width_ns, noise):
    """Best-of-``starts`` parameters (``Z, A1, tau1, ...``) and their merit (chi-square), NaN
    and ``inf`` where every start failed."""
    fit_mask = padded.sum(axis=1) > 0
    best = np.full(starts[0].shape, np.nan)
    best_chisq = np.full(len(padded), np.inf)
    for param in starts:
        result = flimlib.GCI_marquardt_fitting_engine(
            bin_width_ns, padded, param, fit_start=pad, instr=instr,
            noise_type=noise, fit_mask=fit_mask,
            chisq_target=REDUCED_CHISQ_TARGET * (padded.shape[1] - pad - param.shape[1]),
            **_NO_EXTRAS)
        chisq = np.where(np.isfinite(result.chisq), result.chisq, np.inf)
        better = chisq < best_chisq
        best[better], best_chisq[better] = result.param[better], chisq[better]
    return best, best_chisq


def _unstick(param, chisq, padded, starts, instr, pad, bin_width_ns):
    """FLIMLib's MLE can return a rough start unchanged (tau0 = 1 ns for a 0.5 ns decay): the
    pixels whose ``param`` is one of ``starts`` are fitted again, in place (``param`` and
    ``chisq``), from their Poisson chi-square fit."""
    stuck = np.any([np.all(param == s, axis=1) for s in starts], axis=0)
    if not stuck.any():
        return
    lsq, _ = _fit_chunk(padded[stuck], [s[stuck] for s in starts], instr, pad, bin_width_ns,
                        "NOISE_POISSON_FIT")
    start = np.where(np.isfinite(lsq), lsq, starts[0][stuck]).astype(np.float32)
    param[stuck], chisq[stuck] = _fit_chunk(padded[stuck], [start], instr, pad, bin_width_ns,
                                            "NOISE_MLE")


def flimlib_lma(counts, *, irf, bin_width_ns, period_ns=12.5, components=2,
                noise="NOISE_POISSON_FIT", progress=None):
    """Levenberg-Marquardt fit with the IRF (FLIMLib), per pixel, of one or two exponentials.

    The model ``Z + A1 e^{-t/tau1} + A2 e^{-t/tau2}`` (``components=2``) or ``Z + A e^{-t/tau}``
    (``components=1``) is convolved with ``irf``, delayed by half a bin to match FLIMLib's sampled
    model to binned data, plus a copy of it one laser period earlier for the previous pulse's
    wrap-around (see ``_instrument``), and fitted over every bin of the window with ``noise``:
    FLIMLib's Poisson chi-square (``NOISE_POISSON_FIT``) or its Poisson maximum likelihood
    (``NOISE_MLE``; a pixel whose MLE returned its start unchanged is fitted again from its
    chi-square fit); its default restraints (``A >= 0``, ``0.001 <= tau <= 1000``) and a reduced
    chi-square target of :data:`REDUCED_CHISQ_TARGET`. Starts: ``Z`` = mean of the first
    ``BACKGROUND_BINS`` bins, ``tau`` = :data:`STARTS` times the rapid-lifetime estimate (one
    component: the estimate itself), amplitudes that account for the photons above ``Z``.

    Parameters
    ----------
    counts : array_like, shape (N, T)
        Photon-count histograms.
    irf : array_like, shape (T,)
        Instrument response binned like the data (normalised here to unit sum).
    bin_width_ns : float
        Histogram bin width.
    period_ns : float, optional
        Laser repetition period, where the previous pulse's IRF sits before this one's.
    components : {1, 2}, optional
        Exponentials in the model.
    noise : {"NOISE_POISSON_FIT", "NOISE_MLE"}, optional
        FLIMLib's merit function.
    progress : callable, optional
        Called with the number of pixels finished, every :data:`CHUNK` pixels.

    Returns
    -------
    dict
        Two components: ``tau1 <= tau2`` (ns), ``fraction`` (amplitude share of ``tau1``, the
        short component), ``tau_m`` (amplitude-weighted mean lifetime). One: ``tau_m``, the
        lifetime. And ``chisq``, the fit's merit (FLIMLib's chi-square, or its MLE merit).
        All (N,), NaN where the fit failed or the pixel is empty.
    """
    if components not in (1, 2):
        raise ValueError(f"components must be 1 or 2, not {components!r}")
    counts = _check(counts, irf)
    instr, pad = _instrument(irf, bin_width_ns, period_ns)
    n, bins = counts.shape
    tau0 = np.clip(np.nan_to_num(_rld(counts, bin_width_ns), nan=1.0), *TAU0_RANGE_NS)
    z0 = counts[:, :BACKGROUND_BINS].mean(axis=1)
    amp = np.maximum(counts.sum(axis=1) - z0 * bins, 1.0) * bin_width_ns / tau0
    if components == 1:
        starts = [np.stack([z0, amp, tau0], axis=1).astype(np.float32)]
    else:
        starts = [np.stack([z0, amp / (short + long), tau0 * short, amp / (short + long),
                            tau0 * long], axis=1).astype(np.float32) for short, long in STARTS]
    padded = np.concatenate([np.zeros((n, pad)), counts], axis=1).astype(np.float32)
    param, chisq = np.empty((n, starts[0].shape[1])), np.empty(n)
    for start in range(0, n, CHUNK):
        sl = slice(start, min(start + CHUNK, n))
        chunk = [s[sl] for s in starts]
        param[sl], chisq[sl] = _fit_chunk(padded[sl], chunk, instr, pad, bin_width_ns, noise)
        if noise == "NOISE_MLE":
            _unstick(param[sl], chisq[sl], padded[sl], chunk, instr, pad, bin_width_ns)
        if progress:
            progress(sl.stop - sl.start)
    empty = counts.sum(axis=1) == 0
    chisq = np.where(np.isfinite(chisq), chisq, np.nan)
    if components == 1:
        tau = param[:, 2]
        return {"tau_m": np.where(empty | ~np.isfinite(tau), np.nan, tau), "chisq": chisq}
    _, a1, t1, a2, t2 = param.T
    swap = t1 > t2
    t1, t2 = np.where(swap, t2, t1), np.where(swap, t1, t2)
    a1, a2 = np.where(swap, a2, a1), np.where(swap, a1, a2)
    with np.errstate(invalid="ignore"):
        fraction = a1 / (a1 + a2)
    out = {"tau1": t1, "tau2": t2, "fraction": fraction,
           "tau_m": fraction * t1 + (1 - fraction) * t2, "chisq": chisq}
    bad = ~np.isfinite(out["tau_m"]) | empty
    return {k: np.where(bad, np.nan, v) for k, v in out.items()}


def phasor_lifetime(counts, *, irf, bin_width_ns, period_ns=12.5):
    """Apparent phase lifetime (phasorpy), calibrated against the IRF as a lifetime-0 reference.

    The background, the mean of the first ``BACKGROUND_BINS`` bins, is subtracted and the result
    clipped at 0. The phasor (:func:`golden.phasors.calibrated_phasors`, as for ``phasor.png``)
    is the first DFT harmonic over the ``T`` bins, so its frequency is
    ``1 / (T * bin_width_ns)``, not the laser's: the window, not the laser period, is what the
    DFT treats as one period. With one pulse in the window that is exact up to the wrap-around
    tail, ``e^{-period/tau}`` rather than ``e^{-window/tau}`` (noise-free: within 0.006 ns or
    0.6 % for tau = 0.05-5 ns). The phase, unlike the modulation, is insensitive to the
    subtracted level.

    Parameters
    ----------
    counts : array_like, shape (N, T)
        Photon-count histograms.
    irf : array_like, shape (T,)
        Instrument response binned like the data.
    bin_width_ns : float
        Histogram bin width.
    period_ns : float, optional
        Laser repetition period; the window ``T * bin_width_ns`` must not exceed it.

    Returns
    -------
    dict
        ``tau_m`` (N,): apparent phase lifetime in ns, NaN where nothing is left after background
        subtraction.
    """
    counts = _check(counts, irf)
    window_ns = counts.shape[1] * bin_width_ns
    if window_ns > period_ns:
        raise ValueError(f"the {window_ns:g} ns histogram window exceeds the {period_ns:g} ns "
                         f"laser period")
    signal = np.clip(counts - counts[:, :BACKGROUND_BINS].mean(axis=1, keepdims=True), 0, None)
    frequency_mhz = 1e3 / window_ns
    _, real, imag = calibrated_phasors(signal, bin_width_ns, frequency_mhz,
                                       (np.asarray(irf, float), bin_width_ns), 0.0)
    with np.errstate(invalid="ignore"):
        tau, _ = phasor_to_apparent_lifetime(real, imag, frequency_mhz)
    return {"tau_m": tau}
