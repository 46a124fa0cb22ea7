"""``python -m golden agree RECORDING --weights MODEL --irf IRF``: a model's tau_m on a real
recording's bright pixels beside FLIMLib's reconvolution fit of the same pixels with the IRF
(:mod:`golden.agreement`); the figures go to results/ (BENCHMARKS.md's source) and, with
``--out``, ``agreement.png`` (both maps and a 2-D histogram of the pairs) and ``agreement.json``."""
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from .agreement import (SHIFT_STEP_BINS, agreement, align_irf, irf_on_axis,
                        reconvolution_fit, shifted, simulated_like)
from .benchmarks import load_section, table, update_section
from .commands import positive_int
from .datasets import Instrument
from .outputs import check_output, output_dir, tau_colours
from .phasors import read_irf
from .physics import Acquisition, irf_histogram
from .pipeline import add_weights_argument, analyse, load_model
from .progress import progress_bar
from .readers import add_input_arguments, read_for_model
from .resample import to_model_axis

__all__ = ["add_arguments", "run", "section_body"]

SECTION = "agreement"
#: Pixels with at least this many photons are compared by default.
BRIGHT_PHOTONS = 200


def add_arguments(p):
    add_input_arguments(p)
    add_weights_argument(p)
    p.add_argument("--bright", type=positive_int, default=BRIGHT_PHOTONS, metavar="N",
                   help=f"compare the pixels with at least N photons (default {BRIGHT_PHOTONS})")
    p.add_argument("--out", type=Path, help="write agreement.png and agreement.json here")
    p.add_argument("--force", action="store_true", help="replace an existing --out directory")
    p.add_argument("--no-benchmarks", action="store_true",
                   help="do not record the run in results/ (BENCHMARKS.md's source)")


def _irf(args, layout, instrument):
    """The IRF on the recording's axis and what it is: the measured one, else the model's."""
    if args.irf:
        return irf_on_axis(read_irf(args.irf), layout), Path(args.irf).name
    acq = Acquisition(bins=layout.bins, bin_width_ns=layout.bin_width_ns,
                      period_ns=layout.laser_period_ns)
    return irf_histogram(acq, instrument.irf), "the model's fitted IRF"


def run(args):
    if args.out:
        check_output(args.out, args.force)
    qmodel = load_model(args.weights)
    instrument = Instrument.of(qmodel)
    prepared = read_for_model(args, instrument)
    rec = prepared.recording
    layout = rec.layout
    flat = rec.counts.reshape(-1, layout.bins)
    irf, irf_name = _irf(args, layout, instrument)
    shift = round(align_irf(flat.sum(axis=0), irf, layout), 2)
    print(f"IRF ({irf_name}) fits the summed decay best moved {shift:+.1f} bins "
          f"({shift * layout.bin_width_ns * 1e3:+.0f} ps)")
    photons = flat.sum(axis=1)
    bright = photons >= args.bright
    aligned = shifted(irf, shift)
    with progress_bar() as bar:
        task = bar.add_task("model", total=len(flat), status="")
        maps = analyse(prepared.counts, qmodel, progress=lambda n: bar.advance(task, n))
        task = bar.add_task("FLIMLib fit", total=int(bright.sum()), status="")
        fit = reconvolution_fit(flat[bright], aligned, layout,
                                progress=lambda n: bar.advance(task, n))
        model_tau = maps["tau_m"].reshape(-1)[bright].astype(float)
        found = agreement(model_tau, fit["tau_m"])
        simulated, truth = simulated_like(fit, photons[bright], aligned, layout,
                                          np.random.default_rng(args.seed))
        task = bar.add_task("both on decays of the fit's parameters", total=len(truth),
                            status="")
        biases = _biases(simulated, truth, aligned, layout, qmodel, instrument,
                         progress=lambda n: bar.advance(task, n))
    record = {"recording": Path(args.input).name, "model": args.weights.name,
              "command": args.invocation, "irf": irf_name,
              "irf_shift_bins": shift, "bright_photons": args.bright,
              "bright_pixels": int(bright.sum()), **found._asdict(), **biases,
              "fit_median": {k: float(np.nanmedian(fit[k])) for k in ("tau1", "tau2", "fraction")}}
    print(_table([record]))
    if args.out:
        with output_dir(args.out, args.force) as tmp:
            (tmp / "agreement.json").write_text(json.dumps(record, indent=1) + "\n")
            _plot(tmp / "agreement.png", rec.counts.shape[:-1], bright, model_tau, fit["tau_m"],
                  record)
        print(f"wrote {args.out}/agreement.png and agreement.json")
    if not args.no_benchmarks:
        old = load_section(SECTION)
        runs = old["data"]["runs"] if old else {}
        runs[f"{record['recording']} | {record['model']}"] = record
        update_section(SECTION, "Real recordings: the model against a reconvolution fit",
                       "python -m golden agree ... (each run's command below)",
                       {"runs": runs}, renderer=__name__)
    return 0


def _biases(counts, truth, irf, layout, qmodel, instrument, progress):
    """The model's and the fit's (with ``irf``) median errors (ns) on ``counts`` of tau_m
    ``truth``."""
    on_model, _, _ = to_model_axis(counts, layout, instrument)
    model = analyse(on_model, qmodel)["tau_m"].astype(float)
    fit = reconvolution_fit(counts, irf, layout, progress=progress)
    return {"model_bias_ns": float(np.nanmedian(model - truth)),
            "fit_bias_ns": float(np.nanmedian(fit["tau_m"] - truth))}


def _plot(path, shape, bright, model_tau, fit_tau, record):
    """Both tau_m maps of the bright pixels and the 2-D histogram of their pairs."""
    both = np.isfinite(model_tau) & np.isfinite(fit_tau)
    lo, hi = np.percentile(np.concatenate([model_tau[both], fit_tau[both]]), [1, 99])
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.4), dpi=120)
    for ax, (title, values) in zip(axes, (("model τm", model_tau), ("FLIMLib fit τm", fit_tau))):
        image = np.full(bright.size, np.nan)
        image[bright] = values
        ax.imshow(tau_colours(image.reshape(shape), None, (lo, hi)), interpolation="nearest")
        ax.set_title(f"{title}, pixels >= {record['bright_photons']} photons\ngrey = not "
                     f"compared", fontsize=10)
        ax.set_axis_off()
    axes[2].hist2d(fit_tau[both], model_tau[both], bins=80, range=[[lo, hi], [lo, hi]],
                   cmap="magma", cmin=1)
    axes[2].plot([lo, hi], [lo, hi], "c--", lw=1)
    axes[2].set_xlabel("FLIMLib reconvolution fit τm (ns)")
    axes[2].set_ylabel("model τm (ns)")
    axes[2].set_title(f"{record['pixels']:,} pixels: median difference "
                      f"{record['median_difference_ns']:+.3f} ns, r = {record['correlation']:.2f}",
                      fontsize=10)
    bar = fig.colorbar(plt.cm.ScalarMappable(plt.Normalize(lo, hi), "turbo"), ax=axes[:2])
    bar.set_label("τm (ns)")
    fig.suptitle(f"{record['recording']} with {record['model']}", fontsize=11)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)


def _table(records):
    return table(["recording", "model", "IRF (shift, bins)", "pixels", "median τm model (ns)",
                  "median τm fit (ns)", "median difference (ns)", "MAD (ns)", "within 10 %",
                  "r", "model bias, simulated (ns)", "fit bias, simulated (ns)"],
                 [[r["recording"], r["model"], f"{r['irf']} ({r['irf_shift_bins']:+.1f})",
                   r["pixels"], r["median_model_ns"], r["median_fit_ns"],
                   r["median_difference_ns"], r["mad_difference_ns"], r["within_10_percent"],
                   r["correlation"], r["model_bias_ns"], r["fit_bias_ns"]] for r in records])


def section_body(data):
    """The agreement section's Markdown: one row per recording and model, then the commands."""
    runs = list(data["runs"].values())
    commands = "\n".join(f"- `{r['command']}`: pixels with >= {r['bright_photons']} photons "
                         f"({r['bright_pixels']:,}); the fit's medians tau1 "
                         f"{r['fit_median']['tau1']:.3f} ns, tau2 {r['fit_median']['tau2']:.3f} "
                         f"ns, fraction {r['fit_median']['fraction']:.3f}" for r in runs)
    return (f"FLIMLib's bi-exponential reconvolution fit (Poisson chi-square, the recording's "
            f"own axis and valid bins) with the IRF moved to where it fits the summed decay best "
            f"(steps of {SHIFT_STEP_BINS:g} bins), against the integer model's tau_m on the same "
            f"bright pixels. MAD: median absolute deviation of the differences; within 10 %: "
            f"the share of pixels whose model tau_m is within 10 % of the fit's. Biases, "
            f"simulated: each one's median error on decays made of the fit's own parameters "
            f"for every compared pixel (its tau1, tau2, fraction and photons, the ex-Gaussian "
            f"fitted to the aligned IRF, no background). Were the fit's decays the truth, the "
            f"real pixels' median difference would be about the model's bias less the "
            f"fit's.\n\n"
            + _table(runs) + "\n\n" + commands)
