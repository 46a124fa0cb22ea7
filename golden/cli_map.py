"""`python -m golden simulate` and `python -m golden map`: decays and lifetime maps."""
import json
import time
from pathlib import Path

import numpy as np

from .benchmarks import command_line
from .outputs import check_output, output_dir, plot_tau_m, write_maps, write_report
from .phantom import phantom
from .physics import IRF, Acquisition, simulate_counts
from .pipeline import DEFAULT_WEIGHTS, analyse
from .quantize import load_quantized
from .progress import progress_bar
from .validate import InputError

__all__ = ["add_parsers", "read_counts"]


def add_parsers(sub):
    p = sub.add_parser("simulate", help="simulate decays or the phantom to .npz")
    p.add_argument("--tau1", type=float, default=0.5)
    p.add_argument("--tau2", type=float, default=2.0)
    p.add_argument("--frac", type=float, default=0.5, help="amplitude fraction of tau1")
    p.add_argument("--photons", type=float, default=1000)
    p.add_argument("--n", type=int, default=1000, help="pixels (ignored with --phantom)")
    p.add_argument("--phantom", type=int, metavar="SIZE", help="simulate the SIZE x SIZE phantom")
    p.add_argument("--background", type=float, default=0.0, help="uniform share of photons")
    p.add_argument("--irf-fwhm", type=float, default=IRF.fwhm_ns)
    p.add_argument("--irf-offset", type=float, default=IRF.offset_ns)
    p.add_argument("--irf-tail", type=float, default=IRF.tail_ns)
    p.add_argument("--bins", type=int, default=Acquisition.bins)
    p.add_argument("--bin-width-ns", type=float, default=Acquisition.bin_width_ns)
    p.add_argument("--period-ns", type=float, default=Acquisition.period_ns)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, required=True, help=".npz with counts and ground truth")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("map", help="lifetime map of an .npz/.npy input or the phantom")
    p.add_argument("input", help="'phantom', an .npz from `simulate` or an .npy (H, W, T)")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    p.add_argument("--bin-width-ns", type=float, help="bin width of an .npy input")
    p.add_argument("--size", type=int, default=64, help="phantom size")
    p.add_argument("--photons", type=float, default=2000, help="phantom peak photons")
    p.add_argument("--force", action="store_true", help="replace an existing output directory")
    p.set_defaults(func=cmd_map)


def cmd_simulate(args):
    try:
        acq = Acquisition(args.bins, args.bin_width_ns, args.period_ns)
    except ValueError as err:
        raise InputError(str(err)) from None
    irf = IRF(args.irf_fwhm, args.irf_offset, args.irf_tail)
    if not 0 <= args.frac <= 1 or min(args.tau1, args.tau2) <= 0 or args.photons < 0:
        raise InputError("need tau1, tau2 > 0, 0 <= frac <= 1 and photons >= 0")
    if args.phantom:
        data = phantom(args.phantom, photons=args.photons, acq=acq, irf=irf, seed=args.seed)
    else:
        counts = simulate_counts(args.tau1, args.tau2, args.frac, np.full(args.n, args.photons),
                                 acq=acq, irf=irf, background=args.background,
                                 rng=np.random.default_rng(args.seed))
        data = {"counts": counts, "tau1": np.full(args.n, args.tau1),
                "tau2": np.full(args.n, args.tau2), "frac": np.full(args.n, args.frac)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, bin_width_ns=acq.bin_width_ns, **data)
    print(f"wrote {data['counts'].shape} counts to {args.out}")


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


def cmd_map(args):
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
