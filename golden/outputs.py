"""Writing results: all files go to a temporary directory that is renamed into place at the end,
so a failure never leaves partial output."""
import argparse
import json
import shutil
import tempfile
from contextlib import contextmanager
from textwrap import fill
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import tifffile  # noqa: E402
from phasorpy.plot import PhasorPlot  # noqa: E402

from .pipeline import MAP_KEYS  # noqa: E402
from .validate import InputError  # noqa: E402

__all__ = ["check_output", "output_dir", "write_maps", "write_report", "tau_range", "tau_colours",
           "plot_tau_m", "plot_phasor", "write_outputs", "add_output_arguments"]


def check_output(path, force=False):
    """Raise :class:`InputError` if ``path`` exists and may not be replaced: called before
    long work as well as by :func:`output_dir`."""
    if Path(path).exists() and not force:
        raise InputError(f"output directory {path} exists; pass --force to replace it")


@contextmanager
def output_dir(path, force=False):
    """Yield a temporary directory beside ``path``; on success it replaces ``path``."""
    path = Path(path)
    check_output(path, force)
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


def tau_colours(tau, photons, colour_range):
    """RGBA of a lifetime image on the turbo map over ``colour_range`` (ns), darkened by
    ``photons`` where given, grey where there is no lifetime."""
    lo, hi = colour_range
    rgba = plt.get_cmap("turbo")(np.clip((np.nan_to_num(tau) - lo) / (hi - lo), 0, 1))
    if photons is not None:
        rgba[..., :3] *= np.clip(photons / max(np.percentile(photons, 99), 1), 0, 1)[..., None]
    rgba[np.isnan(tau)] = (0.5, 0.5, 0.5, 1)
    return rgba


def tau_range(maps, given=None):
    """The colour range of ``tau_m.png``: ``given`` ``(lo, hi)``, else the 1st to 99th
    percentile of the pixels with a lifetime (0 to 3 ns when none has one)."""
    if given is not None:
        return tuple(given)
    values = maps["tau_m"][np.isfinite(maps["tau_m"])]
    if not values.size:
        return 0.0, 3.0
    lo, hi = np.percentile(values, [1, 99])
    return float(lo), float(max(hi, lo + 0.1))


def plot_tau_m(directory, maps, truth=None, intensity_weighted=True, colour_range=(0.0, 3.0)):
    """``tau_m.png``: the mean-lifetime map with a colour bar over ``colour_range`` (ns),
    brightness-weighted if asked, beside the ground truth when it is known."""
    photons = np.atleast_2d(maps["photons"]) if intensity_weighted else None
    panels = [("τm" + (" (intensity-weighted)" if intensity_weighted else ""),
               tau_colours(np.atleast_2d(maps["tau_m"]), photons, colour_range))]
    if truth is not None:
        panels.append(("ground truth τm", tau_colours(np.atleast_2d(truth), None, colour_range)))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels) + 1.2, 4.4), dpi=120,
                             squeeze=False)
    for ax, (title, rgba) in zip(axes[0], panels):
        ax.imshow(rgba, interpolation="nearest")
        ax.set_title(title + "\ngrey = no lifetime", fontsize=10)
        ax.set_axis_off()
    bar = fig.colorbar(plt.cm.ScalarMappable(plt.Normalize(*colour_range), "turbo"), ax=axes[0])
    bar.set_label("amplitude-weighted mean lifetime τm (ns)")
    fig.savefig(Path(directory) / "tau_m.png", bbox_inches="tight")
    plt.close(fig)


def plot_phasor(directory, phasors, shown=None):
    """``phasor.png``: 2-D histogram of the pixels' phasors (:class:`golden.phasors.Phasors`)
    on the universal semicircle at their frequency: the pixels ``shown`` (a mask; default all)
    that have photons."""
    real, imag = phasors.real.ravel(), phasors.imag.ravel()
    keep = np.isfinite(real) & np.isfinite(imag)
    if shown is not None:
        keep &= np.ravel(shown)
    fig, ax = plt.subplots(figsize=(5.6, 4.2), dpi=120)
    plot = PhasorPlot(ax=ax, frequency=phasors.frequency_mhz,
                      grid={"lifetime": [0.5, 1, 2, 4, 8]})
    if keep.any():
        plot.hist2d(real[keep], imag[keep], bins=128)
    ax.set_title(f"phasors of {int(keep.sum())} pixels at {phasors.frequency_mhz:.4g} MHz\n"
                 + fill(phasors.calibration, 60), fontsize=9)
    fig.savefig(Path(directory) / "phasor.png", bbox_inches="tight")
    plt.close(fig)


def add_output_arguments(p):
    """The output arguments of every map command (``--out``, ``--force``, the map's
    brightness weighting), as :func:`output_dir` and :func:`write_outputs` take them."""
    p.add_argument("--out", required=True, help="output directory (written only on success)")
    p.add_argument("--force", action="store_true", help="replace an existing output directory")
    p.add_argument("--intensity-weighted", action=argparse.BooleanOptionalAction, default=True,
                   help="tau_m.png brightness follows each pixel's photon count (default)")
    p.add_argument("--tau-range", type=float, nargs=2, metavar=("LO", "HI"),
                   help="tau_m.png colour range in ns (default: the 1st to 99th percentile)")


def write_outputs(directory, maps, report, *, phasors, truth=None, intensity_weighted=True,
                  colour_range=None):
    """Everything a map run leaves in ``directory``: ``lifetimes.tif``, ``tau_m.png`` (beside
    ``truth`` when known; colours over :func:`tau_range`), ``phasor.png`` (``phasors`` of the
    pixels not too dim to map, ``maps["dim"]``) and ``report.json``."""
    write_maps(directory, maps)
    plot_tau_m(directory, maps, truth=truth, intensity_weighted=intensity_weighted,
               colour_range=tau_range(maps, colour_range))
    plot_phasor(directory, phasors, shown=~maps["dim"] if "dim" in maps else None)
    write_report(directory, report)
