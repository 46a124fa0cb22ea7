"""A model's lifetimes on a real recording beside a reconvolution fit of its own: FLIMLib's
bi-exponential least squares (:func:`golden.baselines.flimlib_lma`) with the measured IRF, on the
same bright pixels.

The fit reads the recording on its own axis, over its valid bins only (a Becker & Hickl file's
TAC-limited bins are exact zeros, not background). A measured IRF is exported on the
recording's axis, but where its peak sits against the decay is uncertain by a bin or two, and a
reconvolution fit hangs on it (``Neutrophils-021``'s summed decay: tau_m 0.27 ns with the IRF
as exported, 0.80 ns one bin earlier). As SPCImage does, the shift is fitted: the IRF moved in
steps of :data:`SHIFT_STEP_BINS` (linear interpolation) that gives the summed decay's lowest
chi-square is the one every pixel is fitted with. The search spans :data:`SHIFT_RANGE_BINS`
either side of the shift that puts the IRF's rise on the decay's (an IRF measured on another
day may sit a few hundred picoseconds off).

Two estimators that disagree on real pixels may both be biased. :func:`simulated_like` makes
decays of what the fit says the pixels are (each one's tau1, tau2, fraction and photons,
through an ex-Gaussian fitted to the aligned IRF): each estimator's median error there is its
own bias on such decays, which the real pixels' difference can be set against.
"""
from typing import NamedTuple

import numpy as np

from .baselines import flimlib_lma
from .calibrate import fit_irf
from .physics import Acquisition, simulate_counts
from .resample import rise_ns
from .validate import InputError

__all__ = ["SHIFT_RANGE_BINS", "SHIFT_STEP_BINS", "irf_on_axis", "shifted", "align_irf",
           "reconvolution_fit", "simulated_like", "Agreement", "agreement"]

#: The IRF shifts tried, either side of the one that aligns its rise with the decay's (bins).
SHIFT_RANGE_BINS = 6.0
#: Their step (bins).
SHIFT_STEP_BINS = 0.1
#: A measured IRF's bin width may differ from the recording's by this share (export rounding).
WIDTH_TOLERANCE = 1e-4


def irf_on_axis(measured, layout):
    """The measured IRF ``(counts, bin_width_ns)`` (:func:`golden.phasors.read_irf`) as an
    array on the recording's ``layout``; :class:`InputError` if it is on another axis."""
    counts, width = measured
    if len(counts) != layout.bins or abs(width / layout.bin_width_ns - 1) > WIDTH_TOLERANCE:
        raise InputError(f"the IRF has {len(counts)} bins of {width:.6g} ns, the recording "
                         f"{layout.bins} of {layout.bin_width_ns:.6g} ns: export the IRF on the "
                         f"recording's time axis")
    return np.asarray(counts, float)


def shifted(irf, bins):
    """``irf`` moved ``bins`` later (fractional: linear interpolation), zero where it enters."""
    index = np.arange(len(irf))
    return np.interp(index - bins, index, irf, left=0.0, right=0.0)


def align_irf(decay, irf, layout):
    """The shift (bins, positive = later) of ``irf`` whose reconvolution fit of ``decay``
    (the recording's summed decay) has the lowest chi-square, within :data:`SHIFT_RANGE_BINS`
    of the one that aligns their rises; :class:`InputError` if it lies on that range's edge."""
    width = layout.bin_width_ns
    rises = rise_ns(decay, width, layout.valid), rise_ns(irf, width)
    if None in rises:
        raise InputError(f"no rising edge in the {'IRF' if rises[0] else 'summed decay'} to "
                         f"align on")
    centre = round((rises[0] - rises[1]) / width / SHIFT_STEP_BINS) * SHIFT_STEP_BINS
    shifts = centre + np.arange(-SHIFT_RANGE_BINS, SHIFT_RANGE_BINS + SHIFT_STEP_BINS / 2,
                                SHIFT_STEP_BINS)
    stack = np.stack([shifted(irf, s) for s in shifts])
    chisq = np.array([reconvolution_fit(decay[None], row, layout)["chisq"][0] for row in stack])
    if not np.isfinite(chisq).any():
        raise InputError("no reconvolution fit of the summed decay converged with this IRF")
    best = int(np.nanargmin(chisq))
    if best in (0, len(shifts) - 1):
        raise InputError(f"the IRF fits the summed decay best {shifts[best]:+.1f} bins away, "
                         f"at the edge of the +-{SHIFT_RANGE_BINS:g} bins searched around "
                         f"{centre:+.1f}: is it this instrument's IRF?")
    return float(shifts[best])


def reconvolution_fit(counts, irf, layout, progress=None):
    """FLIMLib's bi-exponential fit of ``counts`` ``(N, T)`` on ``layout`` with ``irf`` (on
    the same axis, aligned), over the valid bins: :func:`golden.baselines.flimlib_lma`'s dict."""
    first, stop = layout.valid
    return flimlib_lma(counts[:, first:stop], irf=irf[first:stop],
                       bin_width_ns=layout.bin_width_ns, period_ns=layout.laser_period_ns,
                       progress=progress)


def simulated_like(fit, photons, irf, layout, rng):
    """Poisson decays on ``layout`` (TAC-cut bins zero, no background) of each pixel's fitted
    ``tau1``, ``tau2`` and ``fraction`` (:func:`reconvolution_fit`'s ``fit``) and its
    ``photons``, through the ex-Gaussian fitted to ``irf`` (the aligned IRF on the axis);
    pixels whose fit failed are left out. Returns ``(counts, tau_m)``, the latter their
    truth."""
    acq = Acquisition(bins=layout.bins, bin_width_ns=layout.bin_width_ns,
                      period_ns=layout.laser_period_ns)
    shape, _ = fit_irf(None, acq, measured=(irf, layout.bin_width_ns))
    ok = np.isfinite(fit["tau_m"])
    counts = simulate_counts(fit["tau1"][ok], fit["tau2"][ok], fit["fraction"][ok],
                             np.asarray(photons)[ok], acq=acq, irf=shape, rng=rng)
    first, stop = layout.valid
    counts[:, :first] = counts[:, stop:] = 0
    return counts, fit["tau_m"][ok]


class Agreement(NamedTuple):
    """Two tau_m estimates of the same pixels (ns), compared where both have one."""
    pixels: int
    median_model_ns: float
    median_fit_ns: float
    median_difference_ns: float
    mad_difference_ns: float
    within_10_percent: float
    correlation: float


def agreement(model_tau_m, fit_tau_m):
    """:class:`Agreement` of two ``(N,)`` tau_m arrays over the pixels where both are finite:
    medians, the median and median absolute deviation of model - fit, the share of pixels
    within 10 % of the fit, and Pearson's r."""
    both = np.isfinite(model_tau_m) & np.isfinite(fit_tau_m)
    if both.sum() < 2:
        raise InputError(f"{int(both.sum())} bright pixels have both lifetimes: too few to "
                         f"compare")
    model, fit = model_tau_m[both], fit_tau_m[both]
    diff = model - fit
    return Agreement(
        pixels=int(both.sum()), median_model_ns=float(np.median(model)),
        median_fit_ns=float(np.median(fit)), median_difference_ns=float(np.median(diff)),
        mad_difference_ns=float(np.median(np.abs(diff - np.median(diff)))),
        within_10_percent=float(np.mean(np.abs(diff) <= 0.1 * fit)),
        correlation=float(np.corrcoef(model, fit)[0, 1]))
