"""Classical lifetime estimators to compare against: FLIMLib fits and phasorpy phasors.

* :func:`flimlib_lma` — FLIMLib Levenberg-Marquardt, ``Z + A1 e^{-t/tau1} + A2 e^{-t/tau2}``
  convolved with the IRF, Poisson noise model, started from a rapid-lifetime estimate.
* :func:`flimlib_rld` — FLIMLib rapid lifetime determination (triple integral), mono-exponential,
  from each pixel's peak onwards.
* :func:`phasor_lifetime` — the apparent phase lifetime from phasorpy, calibrated against the IRF
  (a reference of lifetime 0). The DFT runs over the histogram window, so its fundamental
  frequency is ``1 / (T * dt)``; background (mean of the first 8 bins) is subtracted first.
"""
import flimlib
import numpy as np
from phasorpy.lifetime import phasor_to_apparent_lifetime
from phasorpy.phasor import phasor_divide, phasor_from_signal

from .preprocess import BACKGROUND_BINS

__all__ = ["flimlib_lma", "flimlib_rld", "phasor_lifetime"]

CHUNK = 256
#: LMA starting points: (tau1, tau2) as multiples of the rapid-lifetime estimate; the fit with
#: the lower chi-square wins (one start alone often stalls in a local minimum).
STARTS = ((0.5, 1.5), (0.2, 1.2))


def _check(counts, irf=None):
    counts = np.asarray(counts, dtype=np.float32)
    if counts.ndim != 2:
        raise ValueError(f"counts must have shape (N, T), not {counts.shape}")
    if irf is not None and np.shape(irf) != (counts.shape[1],):
        raise ValueError(f"irf must have shape ({counts.shape[1]},), not {np.shape(irf)}")
    return counts


def _rld(counts, bin_width_ns):
    """Per-pixel triple-integral lifetime from the peak bin to the end (NaN on failure)."""
    tau = np.full(len(counts), np.nan)
    peaks = counts.argmax(axis=1)
    for start in np.unique(peaks):
        rows = np.flatnonzero(peaks == start)
        if counts.shape[1] - start < 3:
            continue
        result = flimlib.GCI_triple_integral_fitting_engine(bin_width_ns, counts[rows],
                                                            fit_start=int(start))
        tau[rows] = result.tau
    tau[(counts.sum(axis=1) == 0) | ~(tau > 0) | ~np.isfinite(tau)] = np.nan
    return tau


def flimlib_rld(counts, *, bin_width_ns):
    """Mono-exponential rapid lifetime determination: ``{"tau_m": (N,)}`` in ns."""
    return {"tau_m": _rld(_check(counts), bin_width_ns)}


def _half_bin_delay(irf):
    """FLIMLib evaluates the convolved model at bin starts while a histogram integrates each
    bin: delaying the IRF by half a bin aligns the two (chi-square of a noise-free 10^6-photon
    bi-exponential drops ~12x, and its lifetimes come out right)."""
    delayed = 0.5 * (irf + np.concatenate([[0.0], irf[:-1]]))
    return (delayed / delayed.sum()).astype(np.float32)


def flimlib_lma(counts, *, irf, bin_width_ns, progress=None):
    """Bi-exponential Levenberg-Marquardt fit with the IRF, per pixel.

    Parameters
    ----------
    counts : array (N, T)
        Photon-count histograms.
    irf : array (T,)
        Instrument response binned like the data (normalised here to unit sum).
    progress : callable, optional
        Called with the number of pixels finished, every ``CHUNK`` pixels.

    Returns
    -------
    dict of (N,) float arrays
        ``tau1 <= tau2`` (ns), ``fraction`` (amplitude share of tau1), ``tau_m`` (amplitude-
        weighted mean lifetime); NaN where the fit failed or the pixel is empty.
    """
    counts = _check(counts, irf)
    irf = _half_bin_delay(np.asarray(irf, np.float64))
    n = len(counts)
    tau0 = _rld(counts, bin_width_ns)
    tau0 = np.where(np.isfinite(tau0), np.clip(tau0, 0.1, 5.0), 1.0)
    z0 = counts[:, :BACKGROUND_BINS].mean(axis=1)
    area = np.maximum(counts.sum(axis=1) - z0 * counts.shape[1], 1.0) * bin_width_ns
    best, best_chisq = None, np.full(n, np.inf)
    for short, long in STARTS:
        # equal amplitudes whose decay integral matches the photons above background
        amp = area / (tau0 * (short + long))
        param = np.stack([z0, amp, tau0 * short, amp, tau0 * long], axis=1).astype(np.float32)
        chisq = np.full(n, np.inf)
        for start in range(0, n, CHUNK):
            sl = slice(start, start + CHUNK)
            result = flimlib.GCI_marquardt_fitting_engine(
                bin_width_ns, counts[sl], param[sl], instr=irf, noise_type="NOISE_POISSON_FIT",
                compute_fitted=False, compute_residuals=False, compute_covar=False,
                compute_alpha=False, compute_erraxes=False)
            param[sl], chisq[sl] = result.param, np.nan_to_num(result.chisq, nan=np.inf)
            if progress:
                progress(len(counts[sl]) / len(STARTS))
        better = chisq < best_chisq
        best = param if best is None else np.where(better[:, None], param, best)
        best_chisq = np.minimum(chisq, best_chisq)
    param = best
    _, a1, t1, a2, t2 = param.astype(np.float64).T
    swap = t1 > t2
    t1, t2 = np.where(swap, t2, t1), np.where(swap, t1, t2)
    a1, a2 = np.where(swap, a2, a1), np.where(swap, a1, a2)
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = a1 / (a1 + a2)
    bad = ((counts.sum(axis=1) == 0) | ~np.isfinite(param).all(axis=1) | (t1 <= 0)
           | (a1 + a2 <= 0) | (fraction < 0) | (fraction > 1))
    out = {"tau1": t1, "tau2": t2, "fraction": fraction,
           "tau_m": fraction * t1 + (1 - fraction) * t2}
    return {k: np.where(bad, np.nan, v) for k, v in out.items()}


def phasor_lifetime(counts, *, irf, bin_width_ns):
    """Apparent phase lifetime per pixel: ``{"tau_m": (N,)}`` in ns (NaN for empty pixels)."""
    counts = _check(counts, irf)
    background = counts[:, :BACKGROUND_BINS].mean(axis=1, keepdims=True)
    signal = np.clip(counts - background, 0, None)
    mean, real, imag = phasor_from_signal(signal, axis=-1)
    _, irf_real, irf_imag = phasor_from_signal(np.asarray(irf, np.float64))
    real, imag = phasor_divide(real, imag, irf_real, irf_imag)
    frequency_mhz = 1000.0 / (counts.shape[1] * bin_width_ns)
    tau_phase, _ = phasor_to_apparent_lifetime(real, imag, frequency_mhz)
    return {"tau_m": np.where(mean > 0, tau_phase, np.nan)}
