"""Backends of ``python -m sim run``: a lifetime map of a whole image, from the integer
reference (``golden``) or checked pixel by pixel against the RTL core in simulation (``rtl``)."""
import time

import numpy as np

from golden.intref import run_counts
from golden.pipeline import LIFETIME_KEYS, analyse, analyse_float
from golden.progress import progress_bar

from .des import simulate
from .rtl_backend import by_tag, run_core

__all__ = ["RTLMismatch", "run_golden", "run_rtl", "sample_pixels", "expected_records",
           "summary"]


class RTLMismatch(RuntimeError):
    """The RTL core's integer results differ from :func:`golden.intref.run_counts`."""


def run_golden(counts, qmodel, float_model=None):
    """Lifetime maps of ``counts`` ``(H, W, T)`` through :func:`golden.pipeline.analyse` (or,
    given a torch ``float_model``, :func:`golden.pipeline.analyse_float` at ``qmodel``'s
    acquisition), with a progress bar. Returns ``(maps, seconds)``."""
    began = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task("integer reference" if float_model is None else "float network",
                            total=int(np.prod(counts.shape[:-1])), status="")
        advance = lambda k: bar.update(task, advance=k)             # noqa: E731
        maps = (analyse(counts, qmodel, progress=advance) if float_model is None else
                analyse_float(counts, float_model, qmodel.meta["acquisition"],
                              progress=advance))
    return maps, time.perf_counter() - began


def sample_pixels(pixels, sample, *, seed):
    """Sorted flat indices of ``min(sample, pixels)`` distinct pixels, drawn with ``seed``."""
    if sample >= pixels:
        return np.arange(pixels)
    return np.sort(np.random.default_rng(seed).choice(pixels, size=sample, replace=False))


def expected_records(qmodel, counts):
    """What the core must deliver for ``counts`` ``(N, T)``, in :func:`run_core`'s terms."""
    ref = run_counts(qmodel, counts)
    return [{"tau": ref["tau_q"][n].tolist(), "fraction": int(ref["fraction_q"][n]),
             "tau_defined": ref["tau_defined"][n].astype(int).tolist(),
             "fraction_defined": int(ref["fraction_defined"][n]), "valid": int(ref["valid"][n])}
            for n in range(len(counts))]


def run_rtl(counts, core, *, sample, seed, clock_mhz=None):
    """The golden map of ``counts`` ``(H, W, T)`` through ``core``'s model, plus ``sample``
    random pixels (all of them if there are no more) through ``core``
    (:class:`rtl.multipixel.MultiPixelCore`, built for ``T`` bins) in Amaranth simulation,
    checked for exact equality.

    Returns ``(maps, seconds, rtl)``: ``rtl`` is the report section (pixels verified, cycles per
    pixel and, given a ``clock_mhz``, the pixels/s it gives at that clock). Raises :class:`RTLMismatch` when any
    checked pixel differs.
    """
    if counts.shape[-1] != core.bins:
        raise ValueError(f"the core is built for {core.bins} bins, not {counts.shape[-1]}")
    qmodel, c = core.qmodel, core.config
    maps, seconds = run_golden(counts, qmodel)
    flat = counts.reshape(-1, counts.shape[-1])
    chosen = sample_pixels(len(flat), sample, seed=seed)
    began = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task("RTL simulation (MultiPixelCore)", total=len(chosen), status="")
        records, _ = run_core(core, flat[chosen], progress=lambda k: bar.update(task, advance=k))
    sim_seconds = time.perf_counter() - began
    got = by_tag(records)
    for tag, want in enumerate(expected_records(qmodel, flat[chosen])):
        if got.get(tag) != want:
            y, x = np.unravel_index(chosen[tag], counts.shape[:-1])
            raise RTLMismatch(f"RTL result for pixel (y={y}, x={x}) differs from the integer "
                              f"reference: {got.get(tag)} != {want}")
    steady = simulate(c, bins=core.bins, hidden=core.hidden_size)["cycles_per_pixel"]
    rtl = {"pixels_verified": len(chosen), "matched": True,
           "pixels_yx": np.transpose(np.unravel_index(chosen, counts.shape[:-1])).tolist(),
           "core": {"rows": c.rows, "batch": c.batch, "slots": c.slots, "lanes": c.lanes,
                    "matmul_multipliers": c.multipliers},
           "latency_cycles": records[0]["cycle"], "cycles_per_pixel": steady,
           "cycles_per_pixel_source": "sim.des steady state of this configuration (validated "
                                      "against RTL simulation, BENCHMARKS.md)",
           "simulation_seconds": round(sim_seconds, 2)}
    if clock_mhz is not None:
        rtl.update(assumed_clock_mhz=clock_mhz,
                   projected_pixels_per_s=round(clock_mhz * 1e6 / steady, 1))
    return maps, seconds, rtl


def lifetime_statistics(maps):
    """Median and quartiles of each lifetime map over the pixels that have one."""
    stats = {}
    for key in LIFETIME_KEYS:
        values = maps[key][maps["valid"] & np.isfinite(maps[key])]
        stats[key] = ({"median": None, "q1": None, "q3": None} if not values.size else
                      dict(zip(("q1", "median", "q3"),
                               (round(float(v), 4) for v in np.percentile(values, [25, 50, 75])))))
    return stats


def photon_histogram(photons):
    """Pixels per photon count, in powers of two: ``pixels[k]`` have ``edges[k]`` ..
    ``edges[k + 1] - 1`` photons."""
    top = int(np.max(photons, initial=0))
    edges = [0, 1] + [1 << k for k in range(1, max(top, 1).bit_length() + 1)]
    pixels, _ = np.histogram(photons, bins=edges)
    return {"edges": edges, "pixels": pixels.tolist()}


def summary(source, prepared, maps, seconds, *, min_photons):
    """The report fields every backend shares: the input (``source`` as the user named it, its
    time axis, how it was mapped: :class:`golden.readers.Prepared`), the mapped shape, pixels,
    pixels/s, valid, saturated and dim (below ``min_photons``) pixels, the lifetimes' medians
    and quartiles, the photon histogram, and the tau_m MAE when the recording's truth is
    known."""
    rec, counts = prepared.recording, prepared.counts
    pixels = int(np.prod(counts.shape[:-1]))
    layout = rec.layout
    report = {"input": source,
              "input_layout": {"bin_width_ns": layout.bin_width_ns, "bins": layout.bins,
                               "data_bins": list(layout.valid),
                               "laser_period_ns": layout.laser_period_ns},
              "shift_ns": round(prepared.shift_ns, 4), "input_notes": list(prepared.notes),
              "shape": list(counts.shape), "pixels": pixels,
              "pixels_per_s": round(pixels / seconds, 1),
              "valid_pixels": int(maps["valid"].sum()),
              "saturated_pixels": int(maps["saturated"].sum()),
              "min_photons": min_photons, "dim_pixels": int(maps["dim"].sum()),
              "lifetimes": lifetime_statistics(maps),
              "photon_histogram": photon_histogram(maps["photons"])}
    if rec.tau_m is not None:
        err = np.abs(maps["tau_m"] - rec.tau_m)[maps["valid"]]
        err = err[~np.isnan(err)]
        report["tau_m_mae_ns"] = round(float(err.mean()), 4) if err.size else None
    return report
