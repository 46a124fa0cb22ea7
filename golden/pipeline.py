"""Lifetime maps from count histograms through the bit-exact integer reference (or, for
comparison, a float torch network such as the teacher)."""
from pathlib import Path

import numpy as np

from .datasets import TRAIN_RANGE, Instrument
from .intref import to_physical
from .intref_fast import run_counts_fast
from .quantize import load_quantized
from .validate import InputError, check_bin_width, check_counts, saturated_pixels

__all__ = ["DEFAULT_WEIGHTS", "DEFAULT_FLOAT", "load_default", "add_weights_argument",
           "load_model", "analyse", "analyse_float",
           "withhold_dim", "MAP_KEYS", "LIFETIME_KEYS", "MIN_PHOTONS"]

DEFAULT_WEIGHTS = Path(__file__).parent / "weights" / "lite_int.npz"
#: The float Lite model the shipped integer one was quantized from.
DEFAULT_FLOAT = DEFAULT_WEIGHTS.with_name("lite.pt")
MAP_KEYS = ("tau1", "tau2", "fraction", "tau_m", "photons")
LIFETIME_KEYS = MAP_KEYS[:4]
CHUNK = 4096
#: Pixels with fewer photons get no lifetime by default: the fewest the model was trained on.
MIN_PHOTONS = int(TRAIN_RANGE.photons[0])


def load_default():
    """The shipped 8-bit Seq2SeqLite (QAT) integer model."""
    return load_quantized(DEFAULT_WEIGHTS)


def add_weights_argument(p):
    """``--weights MODEL``, as every command that runs the integer model takes it."""
    p.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS, metavar="MODEL",
                   help="the integer model (.npz): the shipped one (default) or an instrument "
                        "model from `golden calibrate`")


def load_model(path):
    """The integer model at ``path``; :class:`InputError` naming the file if it is none."""
    try:
        return load_quantized(path)
    except (OSError, ValueError, KeyError) as err:
        raise InputError(f"cannot read the model {path}: {str(err).splitlines()[0]}") from None


def analyse(counts, qmodel, *, bin_width_ns=None, progress=None, process=None, chunk=CHUNK):
    """Run ``counts`` ``(N, T)`` or ``(H, W, T)`` through the integer pipeline.

    Returns float32 maps (shape ``counts.shape[:-1]``) ``tau1``, ``tau2``, ``fraction``, ``tau_m``
    (ns, NaN = no lifetime), ``photons``, and bool maps ``valid`` and ``saturated`` (a bin at the
    counter ceiling: reported, lifetimes withheld). ``progress`` is called with pixels done.
    ``process(flat, first_tag=...)`` computes the integer results of ``chunk`` pixels at a time
    (default: :func:`golden.intref_fast.run_counts_fast`, the compiled
    :func:`golden.intref.run_counts`; a board's host driver gives the same).
    """
    process = process or (lambda flat, first_tag: run_counts_fast(qmodel, flat))
    acq = qmodel.meta["acquisition"]

    def lifetimes(flat, first_tag):
        result = process(flat, first_tag=first_tag)
        return to_physical(result, Instrument.of(qmodel).step_ns, qmodel.spec), result["valid"]

    return _maps(counts, acq, lifetimes, bin_width_ns=bin_width_ns, progress=progress,
                 chunk=chunk)


def analyse_float(counts, model, acq, *, bin_width_ns=None, progress=None, chunk=CHUNK):
    """:func:`analyse` through a float torch network (``model``, e.g. the teacher) for an
    acquisition ``acq`` (``{"bins", "bin_width_ns", ...}``): the same maps, same checks."""
    from .training import float_lifetimes       # torch (2 s to import) only for this path
    return _maps(counts, acq,
                 lambda flat, first_tag: float_lifetimes(model, flat, acq["bin_width_ns"]),
                 bin_width_ns=bin_width_ns, progress=progress, chunk=chunk)


def _maps(counts, acq, lifetimes, *, bin_width_ns, progress, chunk):
    """Validate ``counts``, compute ``lifetimes(flat, first_tag) -> (dict, valid)`` a chunk at a
    time, withhold saturated pixels and add photons: the maps of :func:`analyse`."""
    counts = check_counts(counts, acq["bins"])
    if bin_width_ns is not None:
        check_bin_width(bin_width_ns, acq["bin_width_ns"])
    shape = counts.shape[:-1]
    flat = counts.reshape(-1, counts.shape[-1])
    maps = {k: np.empty(len(flat), np.float32) for k in MAP_KEYS}
    valid = np.empty(len(flat), bool)
    for start in range(0, len(flat), chunk):
        sl = slice(start, start + chunk)
        values, valid[sl] = lifetimes(flat[sl], first_tag=start)
        for key, value in values.items():
            maps[key][sl] = value
        if progress:
            progress(len(flat[sl]))
    saturated = saturated_pixels(flat)
    for key in LIFETIME_KEYS:
        maps[key][saturated] = np.nan
    maps["photons"] = flat.sum(axis=1).astype(np.float32)
    maps = {k: v.reshape(shape) for k, v in maps.items()}
    maps["valid"] = (valid & ~saturated).reshape(shape)
    maps["saturated"] = saturated.reshape(shape)
    return maps


def withhold_dim(maps, min_photons):
    """``maps`` with no lifetime (NaN, not valid) where a pixel holds fewer than
    ``min_photons`` photons; ``maps["dim"]`` marks them."""
    dim = maps["photons"] < min_photons
    maps = {k: np.where(dim, np.nan, v).astype(np.float32) if k in LIFETIME_KEYS else v
            for k, v in maps.items()}
    maps["valid"] = maps["valid"] & ~dim
    maps["dim"] = dim
    return maps
