"""Lifetimes from the network's three output sequences (float form of the integer divider).

``tau = dt * (sum / first - 1/2)`` (trapezoid integral over first value), per component, with
``dt`` the time between output samples (the bin width, or a calibrated model's longer output
step, which keeps small what the sum misses: the decay past the last sample,
``tau e^{-T dt / tau}``);
``fraction = first_short / (first_short + first_long)``; ``tau_m`` (amplitude-weighted mean
lifetime) comes from the full-decay channel, since its integral over its first value is exactly
``a1 tau1 + a2 tau2`` when ``a1 + a2 = 1``.
"""
import numpy as np

__all__ = ["lifetimes_from_sequences", "RESULT_KEYS"]

RESULT_KEYS = ("tau1", "tau2", "fraction", "tau_m")


def lifetimes_from_sequences(seq, step_ns):
    """Map output sequences ``(N, T, 3)`` to a dict of ``(N,)`` float arrays (ns; NaN = none)."""
    seq = np.clip(np.asarray(seq, dtype=np.float64), 0, None)
    first = seq[:, 0, :]
    total = seq.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.where(first > 0, step_ns * np.maximum(total / first - 0.5, 0), np.nan)
        pair = first[:, 1] + first[:, 2]
        fraction = np.where(pair > 0, first[:, 1] / pair, np.nan)
    return {"tau1": tau[:, 1], "tau2": tau[:, 2], "fraction": fraction, "tau_m": tau[:, 0]}
