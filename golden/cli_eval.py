"""`python -m golden eval`: the accuracy and speed table of every estimator."""
import json
import shlex
import sys
from pathlib import Path

from .benchmarks import table, update_section
from .evaluate import METHODS, evaluate
from .models import load_weights
from .pipeline import DEFAULT_WEIGHTS, load_default

__all__ = ["add_parsers"]

KEYS = ("params", "tau1_mae_ns", "tau2_mae_ns", "frac_mae", "tau_m_mae_ns", "tau_m_mae_ns_le500",
        "undefined_share", "pixels_per_s")


def add_parsers(sub):
    p = sub.add_parser("eval", help="compare teacher, Lite (float and integer), FLIMLib, phasor")
    p.add_argument("--json", type=Path, required=True)
    p.add_argument("--n", type=int, default=20000, help="test pixels (>= 20000 for the report)")
    p.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    p.add_argument("--no-benchmarks", action="store_true", help="do not touch BENCHMARKS.md")
    p.set_defaults(func=cmd_eval)


def load_models(with_teacher=True):
    weights = DEFAULT_WEIGHTS.parent
    models = {"lite": load_weights(weights / "lite.pt")[0], "lite_int": load_default()}
    if with_teacher and (weights / "teacher.pt").exists():
        models["teacher"] = load_weights(weights / "teacher.pt")[0]
    return models


def cmd_eval(args):
    results = evaluate(load_models("teacher" in args.methods), n=args.n, methods=args.methods)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.json}")
    if args.no_benchmarks:
        return
    rows = [[m] + [results[m][k] for k in KEYS] for m in METHODS if m in results]
    f = results["lite_int_f_value"]
    body = (f"{args.n} held-out decays (tau 0.05 .. 3 ns, fraction 0 .. 1, 15 % mono-exponential, "
            f"100 .. 10^4 photons, 0 .. 5 % background, IRF FWHM 0.25 ns). tau1/tau2/frac MAEs "
            f"over bi-exponential pixels; tau_m (amplitude-weighted) over all.\n\n"
            + table(["method"] + list(KEYS), rows)
            + f"\n\nF-value of lite_int, mono-exponential, {f['photons']} photons: "
              f"**{f['mean']:.3f}** (per tau: "
            + ", ".join(f"{k} ns: {v:.3f}" for k, v in f["per_tau_ns"].items()) + ")")
    update_section("golden-eval", "Lifetime accuracy and speed (golden models)", body,
                   "python -m golden " + shlex.join(sys.argv[1:]), data=results)
