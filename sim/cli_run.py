"""``python -m sim run INPUT --out DIR``: a lifetime map of a recording or the phantom, from the
integer reference (``golden``) or with a sample of pixels proven on the RTL core (``rtl``)."""
import json
import sys
import time

import numpy as np

from golden.benchmarks import command_line
from golden.outputs import output_dir, plot_phasor, plot_tau_m, write_maps, write_report
from golden.physics import Acquisition, irf_histogram
from golden.pipeline import DEFAULT_WEIGHTS, load_default
from golden.validate import InputError

from .readers import SUFFIXES, read_for_model
from .run import RTLMismatch, run_golden, run_rtl

BOARD_MESSAGE = ("the board backend needs `python -m boards run BOARD INPUT --port PORT` "
                 "(the host driver is not built yet)")


def positive_int(text):
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def add_arguments(p):
    p.add_argument("input", help=f"'phantom' or a file: {', '.join(SUFFIXES)}")
    p.add_argument("--out", required=True, help="output directory (written only on success)")
    p.add_argument("--backend", choices=("golden", "rtl", "board"), default="golden")
    p.add_argument("--model", choices=("lite",), default="lite",
                   help="the shipped 8-bit Seq2SeqLite")
    p.add_argument("--force", action="store_true", help="replace an existing output directory")
    p.add_argument("--bin-width-ns", type=float, help="bin width of a .npy or TIFF input")
    p.add_argument("--time-axis", type=int, default=-1, help="TIFF axis holding the bins")
    p.add_argument("--sample", type=positive_int, default=8,
                   help="pixels checked on the RTL core (rtl backend)")
    p.add_argument("--seed", type=int, default=0, help="seeds the phantom and the RTL sample")
    p.add_argument("--size", type=positive_int, default=64, help="phantom size in pixels")


def run(args):
    if args.backend == "board":
        raise InputError(BOARD_MESSAGE)
    began = time.perf_counter()
    qmodel = load_default()
    acq = Acquisition(**qmodel.meta["acquisition"])
    rec, counts, rebinned = read_for_model(args, acq)
    try:
        with output_dir(args.out, force=args.force) as tmp:
            if args.backend == "rtl":
                maps, seconds, rtl = run_rtl(counts, qmodel, sample=args.sample, seed=args.seed)
            else:
                (maps, seconds), rtl = run_golden(counts, qmodel), None
            report = _report(args, rec, counts, maps, seconds, rebinned=rebinned, rtl=rtl)
            write_maps(tmp, maps)
            plot_tau_m(tmp, maps, truth=rec.tau_m)
            plot_phasor(tmp, counts, bin_width_ns=acq.bin_width_ns, irf=irf_histogram(acq))
            report["seconds"] = round(time.perf_counter() - began, 2)
            write_report(tmp, report)
    except RTLMismatch as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2))
    print(f"outputs in {args.out}: lifetimes.tif, tau_m.png, phasor.png, report.json")
    return 0


def _report(args, rec, counts, maps, seconds, *, rebinned, rtl):
    pixels = int(np.prod(counts.shape[:-1]))
    report = {"backend": args.backend, "input": args.input, "model": args.model,
              "weights": DEFAULT_WEIGHTS.name, "shape": list(counts.shape),
              "input_bin_width_ns": rec.bin_width_ns, "input_notes": list(rec.notes),
              "rebinned": rebinned, "pixels": pixels, "map_by": "golden.intref (numpy)",
              "pixels_per_s": round(pixels / seconds, 1),
              "valid_pixels": int(maps["valid"].sum()),
              "saturated_pixels": int(maps["saturated"].sum())}
    if rec.tau_m is not None:
        err = np.abs(maps["tau_m"] - rec.tau_m)[maps["valid"]]
        err = err[~np.isnan(err)]
        report["tau_m_mae_ns"] = round(float(err.mean()), 4) if err.size else None
    if rtl:
        report["rtl"] = rtl
    report["command"] = command_line("sim")
    return report
