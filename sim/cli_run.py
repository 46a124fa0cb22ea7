"""``python -m sim run INPUT --out DIR``: a lifetime map of a recording or the phantom, from the
integer reference (``golden``) or with a sample of pixels proven on the RTL core (``rtl``).
A board computes the map with ``python -m boards run``."""
import json
import sys
import time

from golden.benchmarks import command_line
from golden.commands import positive_float, positive_int
from golden.outputs import add_output_arguments, output_dir, write_outputs
from golden.datasets import Instrument
from golden.pipeline import DEFAULT_WEIGHTS, add_weights_argument, load_model, withhold_dim
from golden.validate import InputError
from rtl.config import SIMULATED, add_core_arguments, core_from_arguments
from rtl.multipixel import MultiPixelCore

from golden.readers import add_input_arguments, read_for_model
from .run import RTLMismatch, run_golden, run_rtl, summary

#: What computes each ``--model``'s map, for the report.
MODELS = {"lite": {"map_by": "golden.intref_fast (numba)"},
          "teacher": {"weights": "teacher.pt", "map_by": "teacher (torch float)"}}


def add_arguments(p):
    add_input_arguments(p)
    add_output_arguments(p)
    p.add_argument("--backend", choices=("golden", "rtl"), default="golden")
    p.add_argument("--model", choices=("lite", "teacher"), default="lite",
                   help="lite: the 8-bit Seq2SeqLite of --weights (every backend); teacher: "
                        "the float 2-layer teacher in torch (golden backend only)")
    add_weights_argument(p)
    p.add_argument("--sample", type=positive_int, default=8,
                   help="pixels checked on the RTL core (rtl backend)")
    p.add_argument("--clock-mhz", type=positive_float,
                   help="rtl backend: also give the pixels/s the core's cycles per pixel "
                        "(sim.des) come to at this clock")
    add_core_arguments(p, SIMULATED)


def _teacher():
    """The float teacher network (imports torch, which the integer path does not need)."""
    from golden.models import load_weights
    return load_weights(DEFAULT_WEIGHTS.parent / MODELS["teacher"]["weights"])[0]


def run(args):
    if args.model == "teacher" and args.backend != "golden":
        raise InputError(f"--model teacher runs on the golden backend only (torch float); "
                         f"the {args.backend} backend computes the 8-bit Lite network")
    try:
        config = core_from_arguments(args, SIMULATED)
    except ValueError as err:
        raise InputError(f"core: {err}") from None
    began = time.perf_counter()
    if args.model == "teacher" and args.weights != DEFAULT_WEIGHTS:
        raise InputError("--model teacher is the shipped model's teacher: it reads the shipped "
                         "model's time axis, not that of --weights")
    qmodel = load_model(args.weights)
    if args.backend == "rtl":
        try:
            core = MultiPixelCore(qmodel=qmodel, bins=Instrument.of(qmodel).acq.bins,
                                  config=config)
        except ValueError as err:
            raise InputError(f"core for {args.weights.name}: {err}") from None
    try:
        with output_dir(args.out, force=args.force) as tmp:
            prepared = read_for_model(args, Instrument.of(qmodel))
            rec, counts = prepared.recording, prepared.counts
            if args.backend == "rtl":
                maps, seconds, rtl = run_rtl(counts, core, sample=args.sample, seed=args.seed,
                                             clock_mhz=args.clock_mhz)
            else:
                teacher = _teacher() if args.model == "teacher" else None
                (maps, seconds), rtl = run_golden(counts, qmodel, teacher), None
            maps = withhold_dim(maps, args.min_photons)
            report = {"backend": args.backend, "model": args.model,
                      "weights": args.weights.name, **MODELS[args.model],
                      **summary(args.input, prepared, maps, seconds,
                                min_photons=args.min_photons)}
            if rtl:
                report["rtl"] = rtl
            report["seconds"] = round(time.perf_counter() - began, 2)
            report["command"] = command_line("sim")
            write_outputs(tmp, maps, report, phasors=prepared.phasors, truth=rec.tau_m,
                          intensity_weighted=args.intensity_weighted,
                          colour_range=args.tau_range)
    except RTLMismatch as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2))
    print(f"outputs in {args.out}: lifetimes.tif, tau_m.png, phasor.png, report.json")
    return 0

