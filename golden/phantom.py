"""A synthetic FLIM phantom: an image with regions of known lifetimes and uneven brightness."""
import numpy as np

from .physics import IRF, Acquisition, simulate_counts

__all__ = ["phantom_parameters", "phantom"]


def phantom_parameters(size=64):
    """Ground-truth maps ``(size, size)``: ``tau1``, ``tau2``, ``frac`` and relative brightness.

    Background tissue is bi-exponential (0.5 / 2.6 ns, 30 % short; tau_m 1.97 ns); a
    mono-exponential disk (0.6 ns), a bi-exponential disk (0.3 / 2.5 ns, 60 % short; tau_m
    1.18 ns), a mono-exponential lifetime ramp (0.5 -> 2.8 ns) along the bottom and a dark corner
    with no signal.
    """
    if not isinstance(size, int) or size < 8:
        raise ValueError(f"size must be an integer of at least 8, not {size!r}")
    yy, xx = np.mgrid[0:size, 0:size] / size
    tau1, tau2, frac = np.full((3, size, size), [[[0.5]], [[2.6]], [[0.3]]])
    disk_a = (xx - 0.3) ** 2 + (yy - 0.35) ** 2 < 0.16 ** 2
    disk_b = (xx - 0.7) ** 2 + (yy - 0.35) ** 2 < 0.16 ** 2
    ramp = yy > 0.72
    tau1[disk_a] = tau2[disk_a] = 0.6
    frac[disk_a] = 1.0
    tau1[disk_b], tau2[disk_b], frac[disk_b] = 0.3, 2.5, 0.6
    ramp_tau = 0.5 + 2.3 * xx
    tau1[ramp] = tau2[ramp] = ramp_tau[ramp]
    frac[ramp] = 1.0
    brightness = 0.25 + 0.75 * np.exp(-((xx - 0.5) ** 2 + (yy - 0.5) ** 2) / 0.18)
    brightness[(xx > 0.88) & (yy < 0.12)] = 0.0
    return {"tau1": tau1, "tau2": tau2, "frac": frac, "brightness": brightness}


def phantom(size=64, *, photons=2000, acq=Acquisition(), irf=IRF(), seed=0):
    """Simulate the phantom: ``counts`` ``(size, size, T)`` plus its ground-truth maps
    (``photons`` is the brightest pixel's expected photon count)."""
    truth = phantom_parameters(size)
    flat = {k: v.ravel() for k, v in truth.items()}
    expected = photons * flat["brightness"]
    counts = simulate_counts(flat["tau1"], flat["tau2"], flat["frac"], expected, acq=acq,
                             irf=irf, rng=np.random.default_rng(seed))
    truth["photons"] = expected.reshape(size, size)
    return {"counts": counts.reshape(size, size, acq.bins), **truth}
