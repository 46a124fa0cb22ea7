"""The estimators' half of the benchmark suite (``python -m boards bench``, whose board half is
:mod:`boards.bench`): every lifetime estimator on the same simulated inputs.

- :func:`accuracy`: tau_m MAE and F-value of each method at fixed photon counts (100 .. 10^4),
  on decays drawn from the held-out test range (:data:`golden.datasets.TEST_RANGE`).
- :func:`fret`: tau1, tau2, fraction and tau_m MAE of each method on FRET-like decays
  (:data:`golden.datasets.FRET_RANGE`), where two components can be told apart.
- :func:`throughput`: pixels/s of each method on one set of histograms (2 CPU cores).
"""
import time
from dataclasses import replace

import numpy as np
import torch

from golden.datasets import FRET_RANGE, TEST_RANGE, make_dataset
from golden.evaluate import estimate, f_value, metrics

__all__ = ["PHOTONS", "METHODS", "MONO_FIT", "photon_set", "accuracy", "fret", "throughput"]

PHOTONS = (100, 300, 1000, 3000, 10000)
#: Methods in the order they are shown; ``teacher`` is skipped when its weights are absent.
METHODS = ("flimlib_lma", "flimlib_mle_mono", "flimlib_rld", "phasor", "teacher", "lite_float",
           "lite_int")
#: The F-value's decays are mono-exponential: a method that fits a model fits the mono one there.
MONO_FIT = {"flimlib_lma": "flimlib_lma_mono"}
THREADS = 2


def photon_set(photons, n, seed):
    """``n`` test-range decays (``golden.datasets.make_dataset``) of exactly ``photons``."""
    return make_dataset(n, seed=seed, prange=replace(TEST_RANGE, photons=(photons, photons)))


def _tau_m(method, models):
    return lambda counts: estimate(method, counts.astype(np.int64), models)["tau_m"]


def accuracy(models, methods, *, photons=PHOTONS, n=2000, f_pixels=500, seed=5150,
             advance=None):
    """``{method: {"tau_m_mae_ns", "undefined_share", "f_value", "f_value_by"}}``, the first
    three dicts keyed by the photon count (as text). The MAE is over ``n`` decays of the test
    range; the F-value (``golden.evaluate.f_value``, mean over five lifetimes) over ``f_pixels``
    mono-exponential decays per lifetime, by the method's mono-exponential fit where it fits a
    model (:data:`MONO_FIT`; ``f_value_by`` names it). ``advance`` is called after each (method,
    photon count)."""
    torch.set_num_threads(THREADS)
    out = {m: {"tau_m_mae_ns": {}, "undefined_share": {}, "f_value": {},
               "f_value_by": MONO_FIT.get(m, m)} for m in methods}
    for level in photons:
        data = photon_set(level, n, seed + level)
        for method in methods:
            tau_m = _tau_m(method, models)
            found = metrics({"tau_m": tau_m(data["counts"])}, data)
            out[method]["tau_m_mae_ns"][str(level)] = found["tau_m_mae_ns"]
            out[method]["undefined_share"][str(level)] = found["undefined_share"]
            out[method]["f_value"][str(level)] = f_value(
                _tau_m(MONO_FIT.get(method, method), models), photons=level, pixels=f_pixels,
                seed=seed + level)["mean"]
            if advance:
                advance()
    return out


def fret(models, methods, *, photons=1000, n=2000, seed=6160, advance=None):
    """``{method: {"tau1_mae_ns", "tau2_mae_ns", "frac_mae", "tau_m_mae_ns", "undefined_share"}}``
    on ``n`` FRET-like decays of exactly ``photons`` (``None`` where a method does not give a
    component: the mono-exponential ones give tau_m alone)."""
    torch.set_num_threads(THREADS)
    data = make_dataset(n, seed=seed, prange=replace(FRET_RANGE, photons=(photons, photons)))
    out = {}
    for method in methods:
        found = metrics(estimate(method, data["counts"].astype(np.int64), models), data)
        out[method] = {k: found[k] for k in ("tau1_mae_ns", "tau2_mae_ns", "frac_mae",
                                             "tau_m_mae_ns", "undefined_share")}
        if advance:
            advance()
    return out


def throughput(models, methods, counts, advance=None):
    """``{method: pixels/s}`` on ``counts`` ``(N, T)``, each after a 64-pixel warm-up."""
    torch.set_num_threads(THREADS)
    out = {}
    for method in methods:
        tau_m = _tau_m(method, models)
        tau_m(counts[:64])
        began = time.perf_counter()
        tau_m(counts)
        out[method] = len(counts) / (time.perf_counter() - began)
        if advance:
            advance()
    return out
