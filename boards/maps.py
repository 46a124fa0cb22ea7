"""Lifetime maps from a board's integer results: :func:`golden.pipeline.analyse`'s maps, with
the integer reference replaced by the board (through :meth:`boards.host.Host.process`)."""
import numpy as np

from golden.intref import to_physical
from golden.pipeline import MAP_KEYS
from golden.validate import check_counts, saturated_pixels

__all__ = ["board_maps", "CHUNK"]

CHUNK = 256
"""Pixels per :meth:`Host.process` call (the progress granularity)."""


def board_maps(counts, qmodel, process, *, progress=None):
    """Maps of ``counts`` ``(H, W, T)`` in :func:`golden.pipeline.analyse`'s format, from
    ``process(flat, first_tag=...)`` (``Host.process``: the results of
    :func:`golden.intref.run_counts` for ``(N, T)`` counts). ``progress(k)`` after each chunk."""
    acq = qmodel.meta["acquisition"]
    counts = check_counts(counts, acq["bins"])
    shape, flat = counts.shape[:-1], counts.reshape(-1, counts.shape[-1])
    maps = {k: np.empty(len(flat), np.float32) for k in MAP_KEYS}
    valid = np.empty(len(flat), bool)
    for start in range(0, len(flat), CHUNK):
        sl = slice(start, start + CHUNK)
        result = process(flat[sl], first_tag=start)
        for key, value in to_physical(result, acq["bin_width_ns"], qmodel.spec).items():
            maps[key][sl] = value
        valid[sl] = result["valid"]
        if progress:
            progress(len(flat[sl]))
    saturated = saturated_pixels(flat)
    for key in ("tau1", "tau2", "fraction", "tau_m"):
        maps[key][saturated] = np.nan
    maps["photons"] = flat.sum(axis=1).astype(np.float32)
    maps = {k: v.reshape(shape) for k, v in maps.items()}
    maps["valid"] = (valid & ~saturated).reshape(shape)
    maps["saturated"] = saturated.reshape(shape)
    return maps
