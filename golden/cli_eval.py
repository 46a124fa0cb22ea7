"""``python -m golden eval``: the accuracy and speed table of every estimator."""
import json
from pathlib import Path

from .benchmarks import command_line, table, update_section
from .evaluate import METHODS, evaluate
from .models import load_weights
from .pipeline import DEFAULT_WEIGHTS, load_default

__all__ = ["add_arguments", "run", "load_models", "provenance", "section_body"]

KEYS = ("params", "tau1_mae_ns", "tau2_mae_ns", "frac_mae", "tau_m_mae_ns", "tau_m_mae_ns_le500",
        "undefined_share", "pixels_per_s")


def add_arguments(p):
    p.add_argument("--json", type=Path, required=True)
    p.add_argument("--n", type=int, default=20000, help="test pixels (>= 20000 for the report)")
    p.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    p.add_argument("--no-benchmarks", action="store_true", help="do not record the figures in results/ (BENCHMARKS.md's source)")
    p.add_argument("--render-only", action="store_true",
                   help="record the section from an earlier run's --json, measure nothing")


def load_models(with_teacher=True):
    weights = DEFAULT_WEIGHTS.parent
    models = {"lite": load_weights(weights / "lite.pt")[0], "lite_int": load_default()}
    if with_teacher and (weights / "teacher.pt").exists():
        models["teacher"] = load_weights(weights / "teacher.pt")[0]
    return models


def provenance(weights=DEFAULT_WEIGHTS.parent):
    """Markdown lines: how each shipped model was made (from the metadata inside it)."""
    lines = []
    for name in ("teacher.pt", "lite.pt"):
        if (weights / name).exists():
            meta = load_weights(weights / name)[1]
            prefix = ""
            while meta:
                last = meta["history"][-1] if meta.get("history") else {}
                lines.append(f"{prefix}- `{name}`: `{meta['command']}` — {meta['pixels']} pixels, "
                             f"{len(meta['history'])} epochs, final val loss "
                             f"{last.get('val_loss', float('nan')):.5f}, "
                             f"{meta['wall_seconds'] / 60:.1f} min wall")
                meta = meta.get("init")
                prefix, name = prefix + "  ", "initialised from"
    q = load_default().meta
    lines.append(f"- `lite_int.npz`: `{q.get('command')}` — {q.get('pixels')} pixels, "
                 f"{q.get('wall_seconds', 0) / 60:.1f} min wall")
    return lines


def run(args):
    if args.render_only:
        results = json.loads(args.json.read_text())
    else:
        results = evaluate(load_models("teacher" in args.methods), n=args.n,
                           methods=args.methods)
        results["command"] = command_line("golden")
    results.setdefault("provenance", provenance())
    if not args.render_only:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {args.json}")
    if not args.no_benchmarks:
        update_section("golden-eval", "Lifetime accuracy and speed (golden models)",
                       results["command"], results, renderer=__name__)
    return 0


def section_body(results):
    """The eval section's Markdown, from :func:`run`'s results."""
    rows = [[m] + [results[m][k] for k in KEYS] for m in METHODS if m in results]
    f = results["lite_int_f_value"]
    n = results["lite_int"]["pixels"]
    body = (f"{n} held-out decays (tau 0.05 .. 3 ns, fraction 0 .. 1, 15 % mono-exponential, "
            f"100 .. 10^4 photons, 0 .. 5 % background, IRF FWHM 0.25 ns). tau1/tau2/frac MAEs "
            f"over bi-exponential pixels; tau_m (amplitude-weighted) over all.\n\n"
            + table(["method"] + list(KEYS), rows)
            + f"\n\nF-value of lite_int, mono-exponential, {f['photons']} photons: "
              f"**{f['mean']:.3f}** (per tau: "
            + ", ".join(f"{k} ns: {v:.3f}" for k, v in f["per_tau_ns"].items()) + ")")
    bands = list(results["lite_int"]["tau_m_mae_ns_by_photons"])
    body += "\n\ntau_m MAE (ns) by photon count:\n\n" + table(
        ["method"] + [f"{b} photons" for b in bands],
        [[m] + [results[m]["tau_m_mae_ns_by_photons"][b] for b in bands]
         for m in METHODS if m in results])
    if "teacher" in results:
        ratio = results["lite_int"]["tau_m_mae_ns"] / results["teacher"]["tau_m_mae_ns"]
        share = results["lite_int"]["params"] / results["teacher"]["params"]
        body += (f"\n\nlite_int / teacher tau_m MAE: **{ratio:.3f}** (target <= 1.15); Lite "
                 f"parameters: **{100 * share:.2f} %** of the teacher's (target <= 2.5 %).")
    return (body + "\n\nShipped models (command, data, wall time recorded inside each "
            "file):\n\n" + "\n".join(results["provenance"]))
