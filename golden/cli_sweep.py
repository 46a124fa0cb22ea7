"""``python -m golden sweep``: accuracy against bit width (PTQ) beside the shipped QAT model."""
import json
from pathlib import Path

import numpy as np

from .benchmarks import command_line, table, update_section
from .evaluate import estimate, metrics, test_set
from .fixed import FixedSpec, lut_error
from .models import load_weights
from .pipeline import DEFAULT_FLOAT, DEFAULT_WEIGHTS
from .quantize import load_quantized, quantize_model, quantized_meta


SWEEP_BITS = (4, 6, 8, 10, 12, 16)
LABELS = {"float": "float (torch)"}


def add_arguments(p):
    p.add_argument("--float", dest="float_path", type=Path, default=DEFAULT_FLOAT)
    p.add_argument("--n", type=int, default=5000, help="test pixels")
    p.add_argument("--json", type=Path)
    p.add_argument("--no-benchmarks", action="store_true", help="do not record the figures in results/ (BENCHMARKS.md's source)")


def run(args):
    model, _ = load_weights(args.float_path)
    data = test_set(args.n)
    counts = data["counts"].astype(np.int64)
    results = {}
    variants = [(f"ptq_{b}bit", quantize_model(model, FixedSpec(bits=b, weight_bits=b))) for b in SWEEP_BITS]
    variants.append(("qat_8bit (shipped)", load_quantized(DEFAULT_WEIGHTS)))
    for name, q in variants:
        q.meta.setdefault("acquisition", quantized_meta()["acquisition"])
        m = metrics(estimate("lite_int", counts, {"lite_int": q}), data)
        results[name] = {**m, "bits": q.spec.bits,
                         "sigmoid_lut_max_err": lut_error("sigmoid", q.spec)[0],
                         "tanh_lut_max_err": lut_error("tanh", q.spec)[0]}
        print(f"{name}: tau_m MAE {m['tau_m_mae_ns']} ns")
    results["float"] = metrics(estimate("lite_float", counts, {"lite": model}), data)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if not args.no_benchmarks:
        update_section("golden-sweep", "Bit-width sweep (Seq2SeqLite)", command_line("golden"),
                       {"pixels": args.n, "results": results}, renderer=__name__)
    return 0


def section_body(data):
    """The golden-sweep section's Markdown, from the metrics :func:`run` recorded."""
    rows = [[LABELS.get(name, name), r["tau_m_mae_ns"], r["tau1_mae_ns"], r["tau2_mae_ns"], r["frac_mae"],
             r.get("sigmoid_lut_max_err"), r.get("tanh_lut_max_err")]
            for name, r in data["results"].items()]
    return (f"Seq2SeqLite through the integer reference at each width (weights, state and "
            f"activations; input stays Q0.8), {data['pixels']} held-out pixels, 100 .. 10^4 "
            f"photons.\n\n" + table(["model", "tau_m MAE (ns)", "tau1 MAE", "tau2 MAE",
                                     "frac MAE", "sigmoid LUT max err", "tanh LUT max err"],
                                    rows))
