"""``python -m golden map``: the lifetime map of an ``.npz``/``.npy`` input or the phantom."""
import json
import time
from pathlib import Path

import numpy as np

from .benchmarks import command_line
from .outputs import check_output, output_dir, plot_tau_m, write_maps, write_report
from .phantom import phantom
from .physics import Acquisition
from .pipeline import DEFAULT_WEIGHTS, analyse
from .progress import progress_bar
from .quantize import load_quantized
from .validate import InputError

__all__ = ["add_arguments", "run", "read_counts"]


def add_arguments(p):
    p.add_argument("input", help="'phantom', an .npz from `simulate` or an .npy (H, W, T)")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    p.add_argument("--bin-width-ns", type=float, help="bin width of an .npy input")
    p.add_argument("--size", type=int, default=64, help="phantom size")
    p.add_argument("--photons", type=float, default=2000, help="phantom peak photons")
    p.add_argument("--force", action="store_true", help="replace an existing output directory")


def read_counts(source, bin_width_ns=None, size=64, photons=2000):
    """Counts, bin width and ground truth (or ``None``) of a map input."""
    if source == "phantom":
        data = phantom(size, photons=photons)
        return data["counts"], Acquisition.bin_width_ns, data
    path = Path(source)
    if not path.is_file():
        raise InputError(f"input {source} does not exist")
    if path.suffix not in (".npz", ".npy"):
        raise InputError(f"unknown input type {path.suffix!r}: expected .npz or .npy")
    try:
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as f:
                data = {k: f[k] for k in f.files}
        else:
            data = {"counts": np.load(path, allow_pickle=False)}
    except (ValueError, OSError, EOFError) as err:
        raise InputError(f"cannot read {source}: {err}") from None
    if "counts" not in data:
        raise InputError(f"{source} holds no 'counts' array")
    width = float(data["bin_width_ns"]) if "bin_width_ns" in data else bin_width_ns
    if width is None:
        raise InputError(f"{source} does not state its bin width: pass --bin-width-ns")
    truth = data if "tau1" in data else None
    return data["counts"], width, truth


def run(args):
    check_output(args.out, args.force)
    counts, width, truth = read_counts(args.input, args.bin_width_ns, args.size, args.photons)
    qmodel = load_quantized(args.weights)
    began = time.perf_counter()
    pixels = int(np.prod(np.shape(counts)[:-1]))
    with progress_bar() as bar:
        task = bar.add_task("integer reference", total=pixels, status="")
        maps = analyse(counts, qmodel, bin_width_ns=width,
                       progress=lambda k: bar.update(task, advance=k))
    seconds = time.perf_counter() - began
    report = {"input": args.input, "backend": "golden", "pixels": pixels,
              "pixels_per_s": round(pixels / seconds, 1),
              "valid_pixels": int(maps["valid"].sum()),
              "saturated_pixels": int(maps["saturated"].sum()), "weights": str(args.weights),
              "command": command_line("golden")}
    true_tm = None
    if truth is not None:
        true_tm = truth["frac"] * truth["tau1"] + (1 - truth["frac"]) * truth["tau2"]
        err = np.abs(maps["tau_m"] - true_tm)[maps["valid"]]
        err = err[~np.isnan(err)]
        report["tau_m_mae_ns"] = float(err.mean()) if err.size else None
    with output_dir(args.out, force=args.force) as tmp:
        write_maps(tmp, maps)
        plot_tau_m(tmp, maps, truth=true_tm)
        write_report(tmp, report)
    print(json.dumps(report, indent=2))
    print(f"outputs in {args.out}: lifetimes.tif, tau_m.png, report.json")
    return 0
