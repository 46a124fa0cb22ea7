"""Accuracy and speed of every lifetime estimator on one held-out test set.

Methods: ``teacher`` and ``lite_float`` (torch), ``lite_int`` (the integer reference, compiled, shipped
QAT weights), ``flimlib_lma`` (FLIMLib Levenberg-Marquardt, bi-exponential, with the IRF) and
``phasor`` (phasorpy apparent phase lifetime); besides them, mono-exponential fits with the same
IRF for mono-exponential data: ``flimlib_lma_mono`` (Poisson chi-square) and ``flimlib_mle_mono``
(FLIMLib's Poisson maximum likelihood), and FLIMLib's rapid lifetime ``flimlib_rld``. MAEs of ``tau1``, ``tau2`` and ``fraction`` are over
bi-exponential pixels only (a mono-exponential decay has no second component to name); ``tau_m``
(amplitude-weighted mean lifetime) over all pixels. Pixels a method leaves undefined (NaN) are
left out of its MAEs and counted in ``undefined_share``.
"""
import time

import numpy as np

from . import baselines
from .datasets import TEST_RANGE, Instrument, make_dataset
from .fixed import FixedSpec
from .intref import to_physical
from .intref_fast import run_counts_fast
from .physics import IRF, Acquisition, irf_histogram, simulate_counts
from .training import float_lifetimes

__all__ = ["METHODS", "ESTIMATORS", "PHOTON_BANDS", "test_set", "true_tau_m", "metrics", "estimate",
           "f_value", "evaluate"]

METHODS = ("teacher", "lite_float", "lite_int", "flimlib_lma", "phasor")
#: Every method :func:`estimate` knows: :data:`METHODS` and FLIMLib's mono-exponential ones.
ESTIMATORS = METHODS + ("flimlib_lma_mono", "flimlib_mle_mono", "flimlib_rld")
#: The FLIMLib fits by method: exponentials and merit function.
FITS = {"flimlib_lma": (2, "NOISE_POISSON_FIT"), "flimlib_lma_mono": (1, "NOISE_POISSON_FIT"),
        "flimlib_mle_mono": (1, "NOISE_MLE")}
PHOTON_BANDS = ((100, 300), (300, 1000), (1000, 3000), (3000, 10000))
F_TAUS_NS = (0.5, 1.0, 1.5, 2.0, 2.5)


def test_set(n, seed=20241009):
    """The held-out test set (seed distinct from every training seed)."""
    return make_dataset(n, seed=seed, prange=TEST_RANGE)


def true_tau_m(data):
    return data["frac"] * data["tau1"] + (1 - data["frac"]) * data["tau2"]


def _mae(pred, truth, mask):
    err = np.abs(pred[mask] - truth[mask])
    err = err[~np.isnan(err)]
    return float(err.mean()) if err.size else None


def metrics(pred, data):
    """MAE dict for one method's ``pred`` (dict of ``(N,)`` arrays, missing keys = not given)."""
    n = len(data["tau1"])
    everything = np.ones(n, bool)
    bi = (data["frac"] > 0) & (data["frac"] < 1) & (data["tau1"] < data["tau2"])
    out = {"pixels": n, "undefined_share": float(np.isnan(pred["tau_m"]).mean())}
    for key, truth, mask in (("tau1_mae_ns", data["tau1"], bi), ("tau2_mae_ns", data["tau2"], bi),
                             ("frac_mae", data["frac"], bi),
                             ("tau_m_mae_ns", true_tau_m(data), everything)):
        name = {"tau1_mae_ns": "tau1", "tau2_mae_ns": "tau2", "frac_mae": "fraction",
                "tau_m_mae_ns": "tau_m"}[key]
        out[key] = _mae(pred[name], truth, mask) if name in pred else None
    photons = data["photons"]
    out["tau_m_mae_ns_le500"] = _mae(pred["tau_m"], true_tau_m(data), photons <= 500)
    out["tau_m_mae_ns_by_photons"] = {
        f"{lo}-{hi}": _mae(pred["tau_m"], true_tau_m(data), (photons >= lo) & (photons < hi))
        for lo, hi in PHOTON_BANDS}
    return out


def estimate(method, counts, models, acq=Acquisition(), irf=IRF(), progress=None,
             spec=FixedSpec(), step_ns=None):
    """Lifetimes of ``counts`` ``(N, T)`` by ``method``; ``models`` maps ``teacher``, ``lite``
    (float torch, given ``spec``'s inputs, outputs ``step_ns`` apart, default the bin width)
    and ``lite_int`` (integer) to loaded models."""
    if method in ("teacher", "lite_float"):
        model = models["teacher" if method == "teacher" else "lite"]
        return float_lifetimes(model, counts, step_ns or acq.bin_width_ns, spec)[0]
    if method == "lite_int":
        q = models["lite_int"]
        return to_physical(run_counts_fast(q, counts), Instrument.of(q).step_ns, q.spec)
    if method in FITS:
        components, noise = FITS[method]
        return baselines.flimlib_lma(counts, irf=irf_histogram(acq, irf),
                                     bin_width_ns=acq.bin_width_ns, period_ns=acq.period_ns,
                                     components=components, noise=noise, progress=progress)
    if method == "flimlib_rld":
        return baselines.flimlib_rld(counts, bin_width_ns=acq.bin_width_ns)
    if method == "phasor":
        return baselines.phasor_lifetime(counts, irf=irf_histogram(acq, irf),
                                         bin_width_ns=acq.bin_width_ns, period_ns=acq.period_ns)
    raise ValueError(f"method must be one of {ESTIMATORS}, not {method!r}")


def f_value(tau_m, photons=1000, pixels=1000, seed=7, acq=Acquisition(), irf=IRF()):
    """F-value ``sqrt(N) * std(tau) / tau`` of an estimator on mono-exponential decays of ``N``
    photons, per lifetime in ``F_TAUS_NS``, and their mean. ``tau_m`` maps counts ``(n, T)`` to
    lifetimes ``(n,)`` in ns (NaNs are left out of the spread)."""
    rng = np.random.default_rng(seed)
    per_tau = {}
    for tau in F_TAUS_NS:
        counts = simulate_counts(tau, tau, 1.0, np.full(pixels, photons), acq=acq, irf=irf,
                                 rng=rng)
        per_tau[str(tau)] = float(np.sqrt(photons) * np.nanstd(tau_m(counts)) / tau)
    return {"photons": photons, "pixels_per_tau": pixels, "per_tau_ns": per_tau,
            "mean": float(np.mean(list(per_tau.values())))}


def evaluate(models, *, n=20000, methods=METHODS, seed=20241009, log=print):
    """Run every method on one test set; returns ``{method: metrics}`` plus ``lite_int_f_value``."""
    data = test_set(n, seed)
    counts = data["counts"].astype(np.int64)
    params = {"teacher": models.get("teacher") and sum(p.numel() for p in
                                                        models["teacher"].parameters()),
              "lite_float": sum(p.numel() for p in models["lite"].parameters()),
              "lite_int": models["lite_int"].parameter_count(), "flimlib_lma": 5, "phasor": 0}
    results = {}
    for method in methods:
        if method == "teacher" and "teacher" not in models:
            continue
        began = time.perf_counter()
        pred = estimate(method, counts, models)
        seconds = time.perf_counter() - began
        results[method] = {"params": params[method], **metrics(pred, data),
                           "pixels_per_s": round(n / seconds, 1)}
        log(f"{method}: tau_m MAE {results[method]['tau_m_mae_ns']} ns, "
            f"{results[method]['pixels_per_s']} pixels/s")
    results["lite_int_f_value"] = f_value(lambda c: estimate("lite_int", c, models)["tau_m"])
    return results
