"""`python -m golden quantize|qat|sweep|export`: fixed-point models and what the RTL reads."""
import json
import time
from pathlib import Path

import numpy as np

from .benchmarks import command_line, table, update_section
from .datasets import load_dataset
from .evaluate import estimate, metrics, test_set
from .export import export
from .fixed import FixedSpec, lut_error
from .models import load_weights
from .outputs import output_dir
from .pipeline import DEFAULT_WEIGHTS
from .qat import FakeQuantSeq2Seq
from .quantize import load_quantized, quantize_model, save_quantized
from .training import network_inputs, network_targets, train

__all__ = ["add_parsers"]

SWEEP_BITS = (4, 6, 8, 10, 12, 16)
DEFAULT_FLOAT = DEFAULT_WEIGHTS.with_name("lite.pt")


def _meta(acq_bins=135, bin_width_ns=0.09, **extra):
    return {"acquisition": {"bins": acq_bins, "bin_width_ns": bin_width_ns}, **extra}


def add_parsers(sub):
    p = sub.add_parser("quantize", help="post-training quantization of a float model")
    p.add_argument("--float", dest="float_path", type=Path, default=DEFAULT_FLOAT)
    p.add_argument("--bits", type=int, default=8)
    p.add_argument("--out", type=Path, required=True, help="integer model (.npz)")
    p.set_defaults(func=cmd_quantize)

    p = sub.add_parser("qat", help="quantization-aware fine-tuning, then export to integers")
    p.add_argument("--float", dest="float_path", type=Path, default=DEFAULT_FLOAT)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--limit", type=int)
    p.add_argument("--bits", type=int, default=8)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--max-minutes", type=float)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_qat)

    p = sub.add_parser("sweep", help="accuracy vs bit width (PTQ) beside the shipped QAT model")
    p.add_argument("--float", dest="float_path", type=Path, default=DEFAULT_FLOAT)
    p.add_argument("--n", type=int, default=5000, help="test pixels")
    p.add_argument("--json", type=Path)
    p.add_argument("--no-benchmarks", action="store_true", help="do not touch BENCHMARKS.md")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("export", help="weights, tables, spec and golden vectors for the RTL")
    p.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    p.add_argument("--vectors", type=int, default=256, help="test-vector pixels")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--force", action="store_true")
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_export)


def cmd_quantize(args):
    model, meta = load_weights(args.float_path)
    q = quantize_model(model, FixedSpec(bits=args.bits))
    q.meta = _meta(method="ptq", command=command_line("golden"), float_weights=str(args.float_path))
    save_quantized(q, args.out)
    print(f"wrote {args.out}")


def cmd_qat(args):
    began = time.monotonic()
    model, _ = load_weights(args.float_path)
    data, acq = load_dataset(args.data)
    if args.limit:
        data = {k: v[:args.limit] for k, v in data.items()}
    x, valid = network_inputs(data["counts"])
    data = {k: v[valid] for k, v in data.items()}
    spec = FixedSpec(bits=args.bits)
    history = train(FakeQuantSeq2Seq(model, spec), x[valid], network_targets(data, acq),
                    epochs=args.epochs, lr=args.lr, max_minutes=args.max_minutes,
                    checkpoint=args.out.with_suffix(".ckpt"))
    q = quantize_model(model, spec)
    q.meta = _meta(acq.bins, acq.bin_width_ns, method="qat", command=command_line("golden"),
                   pixels=int(valid.sum()), history=history,
                   wall_seconds=round(time.monotonic() - began, 1))
    save_quantized(q, args.out)
    print(f"wrote {args.out} ({q.meta['wall_seconds']} s)")


def cmd_sweep(args):
    model, _ = load_weights(args.float_path)
    data = test_set(args.n)
    counts = data["counts"].astype(np.int64)
    rows, results = [], {}
    variants = [(f"ptq_{b}bit", quantize_model(model, FixedSpec(bits=b))) for b in SWEEP_BITS]
    variants.append(("qat_8bit (shipped)", load_quantized(DEFAULT_WEIGHTS)))
    for name, q in variants:
        q.meta.setdefault("acquisition", _meta()["acquisition"])
        m = metrics(estimate("lite_int", counts, {"lite_int": q}), data)
        sig, tanh = lut_error("sigmoid", q.spec), lut_error("tanh", q.spec)
        results[name] = {**m, "bits": q.spec.bits, "sigmoid_lut_max_err": sig[0],
                         "tanh_lut_max_err": tanh[0]}
        rows.append([name, m["tau_m_mae_ns"], m["tau1_mae_ns"], m["tau2_mae_ns"], m["frac_mae"],
                     sig[0], tanh[0]])
        print(f"{name}: tau_m MAE {m['tau_m_mae_ns']} ns")
    float_m = metrics(estimate("lite_float", counts, {"lite": model}), data)
    results["float"] = float_m
    rows.append(["float (torch)", float_m["tau_m_mae_ns"], float_m["tau1_mae_ns"],
                 float_m["tau2_mae_ns"], float_m["frac_mae"], None, None])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if not args.no_benchmarks:
        body = (f"Seq2SeqLite through the integer reference at each width (weights, state and "
                f"activations; input stays Q0.8), {args.n} held-out pixels, 100 .. 10^4 "
                f"photons.\n\n" + table(["model", "tau_m MAE (ns)", "tau1 MAE", "tau2 MAE",
                                         "frac MAE", "sigmoid LUT max err",
                                         "tanh LUT max err"], rows))
        update_section("golden-sweep", "Bit-width sweep (Seq2SeqLite)", body, command_line("golden"))


def cmd_export(args):
    q = load_quantized(args.weights)
    with output_dir(args.out, force=args.force) as tmp:
        export(q, tmp, vectors=args.vectors, seed=args.seed)
    print(f"exported {args.weights} and {args.vectors} golden vectors to {args.out}")
