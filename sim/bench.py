"""The estimators' half of the benchmark suite (``python -m boards bench``, whose board half is
:mod:`boards.bench`): every lifetime estimator on the same simulated inputs.

- :func:`accuracy`: tau_m MAE and F-value of each method at fixed photon counts (100 .. 10^4),
  on decays drawn from the held-out test range (:data:`golden.datasets.TEST_RANGE`).
- :func:`throughput`: pixels/s of each method on one set of histograms (2 CPU cores).
"""
import time
from dataclasses import replace

import numpy as np
import torch

from golden.datasets import TEST_RANGE, make_dataset
from golden.evaluate import estimate, f_value, metrics

__all__ = ["PHOTONS", "METHODS", "photon_set", "accuracy", "throughput"]

PHOTONS = (100, 300, 1000, 3000, 10000)
#: Methods in the order they are shown; ``teacher`` is skipped when its weights are absent.
METHODS = ("flimlib_lma", "flimlib_rld", "phasor", "teacher", "lite_float", "lite_int")
THREADS = 2


def photon_set(photons, n, seed):
    """``n`` test-range decays (``golden.datasets.make_dataset``) of exactly ``photons``."""
    return make_dataset(n, seed=seed, prange=replace(TEST_RANGE, photons=(photons, photons)))


def _tau_m(method, models):
    return lambda counts: estimate(method, counts.astype(np.int64), models)["tau_m"]


def accuracy(models, methods, *, photons=PHOTONS, n=2000, f_pixels=500, seed=5150,
             advance=None):
    """``{method: {"tau_m_mae_ns", "undefined_share", "f_value"}}``, each a dict keyed by the
    photon count (as text). The MAE is over ``n`` decays of the test range; the F-value
    (``golden.evaluate.f_value``, mean over five lifetimes) over ``f_pixels`` mono-exponential
    decays per lifetime. ``advance`` is called after each (method, photon count)."""
    torch.set_num_threads(THREADS)
    out = {m: {"tau_m_mae_ns": {}, "undefined_share": {}, "f_value": {}} for m in methods}
    for level in photons:
        data = photon_set(level, n, seed + level)
        for method in methods:
            tau_m = _tau_m(method, models)
            found = metrics({"tau_m": tau_m(data["counts"])}, data)
            out[method]["tau_m_mae_ns"][str(level)] = found["tau_m_mae_ns"]
            out[method]["undefined_share"][str(level)] = found["undefined_share"]
            out[method]["f_value"][str(level)] = f_value(
                tau_m, photons=level, pixels=f_pixels, seed=seed + level)["mean"]
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
