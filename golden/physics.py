"""Fluorescence decay physics: IRFs, bi-exponential TPSFs with laser-period wrap-around, photon noise.

Every function is vectorised over pixels: lifetime, fraction, photon and IRF arguments broadcast to
one shape ``(N,)`` and histograms come back as ``(N, T)``.
"""
from dataclasses import dataclass

import numpy as np

__all__ = ["Acquisition", "IRF", "expected_tpsf", "simulate_counts", "decay_components",
           "irf_histogram"]

#: Fine-grid points per histogram bin used for the convolution.
OVERSAMPLE = 8


@dataclass(frozen=True)
class Acquisition:
    """Histogram geometry of a TCSPC / time-gated acquisition.

    Parameters
    ----------
    bins : int
        Number of time bins T per pixel histogram.
    bin_width_ns : float
        Bin width dt in nanoseconds.
    period_ns : float
        Laser repetition period; the tail of the previous pulse wraps into the window.
    """
    bins: int = 135
    bin_width_ns: float = 0.09
    period_ns: float = 12.5

    def __post_init__(self):
        if not isinstance(self.bins, int) or self.bins <= 8:
            raise ValueError(f"bins must be an integer greater than 8, not {self.bins!r}")
        if not self.bin_width_ns > 0:
            raise ValueError(f"bin_width_ns must be positive, not {self.bin_width_ns!r}")
        if not self.period_ns >= self.bins * self.bin_width_ns:
            raise ValueError(f"period_ns must cover the {self.bins * self.bin_width_ns:g} ns "
                             f"window, not {self.period_ns!r}")

    @property
    def window_ns(self):
        return self.bins * self.bin_width_ns

    def bin_starts(self):
        """Start time of every bin, shape ``(T,)``, in ns."""
        return np.arange(self.bins) * self.bin_width_ns


@dataclass(frozen=True)
class IRF:
    """Instrument response: a Gaussian, optionally convolved with an exponential tail.

    Parameters
    ----------
    fwhm_ns : float or array
        Full width at half maximum of the Gaussian.
    offset_ns : float or array
        Position of the Gaussian's centre in the window.
    tail_ns : float or array
        Time constant of the exponential tail (ex-Gaussian); 0 for a symmetric Gaussian.
    """
    fwhm_ns: float = 0.25
    offset_ns: float = 1.2
    tail_ns: float = 0.0


def _grid(acq):
    step = acq.bin_width_ns / OVERSAMPLE
    points = int(np.ceil(acq.period_ns / step))
    return (np.arange(points) + 0.5) * step, step


def _irf_spectrum(acq, irf, n):
    """FFT of the periodic, unit-area IRF on the fine grid, shape ``(n, M)``."""
    t, step = _grid(acq)
    period = t.size * step
    fwhm = np.broadcast_to(np.asarray(irf.fwhm_ns, float), (n,))[:, None]
    offset = np.broadcast_to(np.asarray(irf.offset_ns, float), (n,))[:, None]
    tail = np.broadcast_to(np.asarray(irf.tail_ns, float), (n,))[:, None]
    sigma = fwhm / (2 * np.sqrt(2 * np.log(2)))
    shifted = (t[None, :] - offset + period / 2) % period - period / 2
    gauss = np.exp(-0.5 * (shifted / sigma) ** 2)
    spectrum = np.fft.rfft(gauss / gauss.sum(axis=1, keepdims=True), axis=1)
    has_tail = tail[:, 0] > 0
    if has_tail.any():
        tt = np.where(has_tail[:, None], tail, 1.0)
        # from the grid's first point, so that a tail far shorter than a step cannot underflow
        # to an all-zero (unnormalisable) exponential
        expo = np.exp(-(t[None, :] - t[0]) / tt)
        expo /= expo.sum(axis=1, keepdims=True)
        tail_spectrum = np.fft.rfft(expo, axis=1)
        spectrum = np.where(has_tail[:, None], spectrum * tail_spectrum, spectrum)
    return spectrum


def _bin(fine, acq):
    n = fine.shape[0]
    return fine[:, :acq.bins * OVERSAMPLE].reshape(n, acq.bins, OVERSAMPLE).mean(axis=2)


def irf_histogram(acq=Acquisition(), irf=IRF()):
    """The IRF binned like the data, shape ``(T,)``, unit sum over the window."""
    spectrum = _irf_spectrum(acq, irf, 1)
    t, _ = _grid(acq)
    hist = _bin(np.fft.irfft(spectrum, n=t.size, axis=1), acq)[0]
    return np.clip(hist, 0, None) / np.clip(hist, 0, None).sum()


def expected_tpsf(tau1, tau2, frac, *, acq=Acquisition(), irf=IRF()):
    """Noise-free TPSF shape, unit sum over the window, shape ``(N, T)``.

    The decay ``frac*exp(-t/tau1) + (1-frac)*exp(-t/tau2)`` is made periodic with the laser period
    (the sum over all earlier pulses) and circularly convolved with the IRF, so the previous pulse's
    tail piles up at the start of the window.
    """
    tau1, tau2, frac = np.broadcast_arrays(*(np.atleast_1d(np.asarray(a, float))
                                             for a in (tau1, tau2, frac)))
    t, step = _grid(acq)
    period = t.size * step
    decay = np.zeros((tau1.size, t.size))
    for amp, tau in ((frac, tau1), (1 - frac, tau2)):
        tau = tau[:, None]
        decay += amp[:, None] * np.exp(-t[None, :] / tau) / (1 - np.exp(-period / tau))
    signal = np.fft.irfft(np.fft.rfft(decay, axis=1) * _irf_spectrum(acq, irf, tau1.size),
                          n=t.size, axis=1)
    hist = np.clip(_bin(signal, acq), 0, None)
    return hist / hist.sum(axis=1, keepdims=True)


def simulate_counts(tau1, tau2, frac, photons, *, acq=Acquisition(), irf=IRF(), background=0.0,
                    rng=None):
    """Poisson photon-count histograms, shape ``(N, T)``, dtype int64.

    Parameters
    ----------
    photons : float or array
        Expected photons per pixel in the window, fluorescence and background together.
    background : float or array
        Fraction of those photons spread uniformly over the bins (dark counts, ambient light).
    rng : numpy.random.Generator, optional
        Source of the Poisson noise; ``None`` seeds a fresh default generator with 0.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    tau1, tau2, frac, photons, background = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, float)) for a in (tau1, tau2, frac, photons, background)))
    shape = expected_tpsf(tau1, tau2, frac, acq=acq, irf=irf)
    photons, background = photons[:, None], background[:, None]
    rate = photons * ((1 - background) * shape + background / acq.bins)
    return rng.poisson(rate)


def decay_components(tau1, tau2, frac, *, acq=Acquisition(), step_ns=None):
    """Deconvolved decays the network learns, shape ``(N, T, 3)``, sampled every ``step_ns``
    (default: at the bin starts).

    Channel 0 is the full decay ``a1 e^{-t/tau1} + a2 e^{-t/tau2}`` (first value 1), channel 1
    the short component ``a1 e^{-t/tau1}`` and channel 2 the long one, with ``a1 = frac``.
    """
    tau1, tau2, frac = np.broadcast_arrays(*(np.atleast_1d(np.asarray(a, float))
                                             for a in (tau1, tau2, frac)))
    t = acq.bin_starts()[None, :] if step_ns is None else np.arange(acq.bins)[None, :] * step_ns
    short = frac[:, None] * np.exp(-t / tau1[:, None])
    long = (1 - frac[:, None]) * np.exp(-t / tau2[:, None])
    return np.stack([short + long, short, long], axis=2)
