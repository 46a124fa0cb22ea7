"""Writing results: all files go to a temporary directory that is renamed into place at the end,
so a failure never leaves partial output."""
import argparse
import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import tifffile  # noqa: E402
from phasorpy.lifetime import phasor_calibrate  # noqa: E402
from phasorpy.phasor import phasor_from_signal  # noqa: E402
from phasorpy.plot import PhasorPlot  # noqa: E402

from .pipeline import MAP_KEYS  # noqa: E402
from .validate import InputError  # noqa: E402

__all__ = ["output_dir", "write_maps", "write_report", "plot_tau_m", "plot_phasor",
           "write_outputs", "add_output_arguments"]


@contextmanager
def output_dir(path, force=False):
    """Yield a temporary directory beside ``path``; on success it replaces ``path``."""
    path = Path(path)
    if path.exists() and not force:
        raise InputError(f"output directory {path} exists; pass --force to replace it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    except OSError as err:
        raise InputError(f"cannot write to {path.parent}: {err.strerror}") from None
    try:
        yield tmp
        if path.exists():
            shutil.rmtree(path)
        tmp.rename(path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_maps(directory, maps):
    """``lifetimes.tif``: float32 planes tau1, tau2, fraction, tau_m (ns), photons."""
    stack = np.stack([np.atleast_2d(maps[k]).astype(np.float32) for k in MAP_KEYS])
    tifffile.imwrite(Path(directory) / "lifetimes.tif", stack, imagej=True,
                     metadata={"axes": "CYX", "Labels": list(MAP_KEYS), "unit": "ns"})


def write_report(directory, report):
    (Path(directory) / "report.json").write_text(json.dumps(report, indent=2) + "\n")


def _colour(tau, photons, vmax):
    rgba = plt.get_cmap("turbo")(np.clip(np.nan_to_num(tau) / vmax, 0, 1))
    if photons is not None:
        rgba[..., :3] *= np.clip(photons / max(np.percentile(photons, 99), 1), 0, 1)[..., None]
    rgba[np.isnan(tau)] = (0.5, 0.5, 0.5, 1)
    return rgba


def plot_tau_m(directory, maps, truth=None, intensity_weighted=True, vmax=3.0):
    """``tau_m.png``: the mean-lifetime map with a colour bar (brightness-weighted if asked),
    beside the ground truth when it is known."""
    photons = np.atleast_2d(maps["photons"]) if intensity_weighted else None
    panels = [("τm" + (" (intensity-weighted)" if intensity_weighted else ""),
               _colour(np.atleast_2d(maps["tau_m"]), photons, vmax))]
    if truth is not None:
        panels.append(("ground truth τm", _colour(np.atleast_2d(truth), None, vmax)))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels) + 1.2, 4.4), dpi=120,
                             squeeze=False)
    for ax, (title, rgba) in zip(axes[0], panels):
        ax.imshow(rgba, interpolation="nearest")
        ax.set_title(title + "\ngrey = no lifetime", fontsize=10)
        ax.set_axis_off()
    bar = fig.colorbar(plt.cm.ScalarMappable(plt.Normalize(0, vmax), "turbo"), ax=axes[0])
    bar.set_label("amplitude-weighted mean lifetime τm (ns)")
    fig.savefig(Path(directory) / "tau_m.png", bbox_inches="tight")
    plt.close(fig)


def plot_phasor(directory, counts, *, bin_width_ns, irf=None):
    """``phasor.png``: 2-D histogram of the pixels' first-harmonic phasors (phasorpy) on the
    universal semicircle, at ``1 / (T * bin_width_ns)``, the frequency of the DFT over the
    window. With ``irf`` ``(T,)`` the phasors are calibrated against it as a lifetime-0
    reference; pixels without photons are left out."""
    counts = np.asarray(counts, float).reshape(-1, np.shape(counts)[-1])
    frequency_mhz = 1e3 / (counts.shape[-1] * bin_width_ns)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean, real, imag = phasor_from_signal(counts, axis=-1)
        if irf is not None:
            real, imag = phasor_calibrate(real, imag, *phasor_from_signal(np.asarray(irf, float)),
                                          frequency=frequency_mhz, lifetime=0.0)
    keep = (mean > 0) & np.isfinite(real) & np.isfinite(imag)
    fig, ax = plt.subplots(figsize=(5.6, 4.2), dpi=120)
    plot = PhasorPlot(ax=ax, frequency=frequency_mhz, grid={"lifetime": [0.5, 1, 2, 4]})
    if keep.any():
        plot.hist2d(real[keep], imag[keep], bins=128)
    ax.set_title(f"phasors of {int(keep.sum())} pixels at {frequency_mhz:.4g} MHz\n"
                 + ("calibrated against the IRF" if irf is not None else "not calibrated"),
                 fontsize=10)
    fig.savefig(Path(directory) / "phasor.png", bbox_inches="tight")
    plt.close(fig)


def add_output_arguments(p):
    """The output arguments of every map command (``--out``, ``--force``, the map's
    brightness weighting), as :func:`output_dir` and :func:`write_outputs` take them."""
    p.add_argument("--out", required=True, help="output directory (written only on success)")
    p.add_argument("--force", action="store_true", help="replace an existing output directory")
    p.add_argument("--intensity-weighted", action=argparse.BooleanOptionalAction, default=True,
                   help="tau_m.png brightness follows each pixel's photon count (default)")


def write_outputs(directory, maps, counts, report, *, bin_width_ns, irf=None, truth=None,
                  intensity_weighted=True):
    """Everything a map run leaves in ``directory``: ``lifetimes.tif``, ``tau_m.png`` (beside
    ``truth`` when known), ``phasor.png`` and ``report.json``."""
    write_maps(directory, maps)
    plot_tau_m(directory, maps, truth=truth, intensity_weighted=intensity_weighted)
    plot_phasor(directory, counts, bin_width_ns=bin_width_ns, irf=irf)
    write_report(directory, report)
