"""What ``python -m boards bench`` shows: its BENCHMARKS.md section (``results/bench.json``, rendered
from the results alone) and the two plots."""
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from golden.benchmarks import RESULTS, table, update_section  # noqa: E402

from sim.explore import gate_label  # noqa: E402

__all__ = ["SECTION", "record", "section_body", "plot_accuracy", "plot_throughput", "throughput_rows"]

SECTION = "bench"
TITLE = "Benchmark suite: estimators side by side, accuracy against photons, boards"
LABELS = {"flimlib_lma": "FLIMLib LMA (bi-exp)", "flimlib_lma_mono": "FLIMLib LMA (mono-exp)",
          "flimlib_mle_mono": "FLIMLib MLE (mono-exp)", "flimlib_rld": "FLIMLib RLD (mono-exp)",
          "phasor": "phasorpy (phase lifetime)", "teacher": "teacher (torch float)",
          "lite_float": "Seq2SeqLite (torch float)", "lite_int": "Seq2SeqLite 8-bit (intref)"}


def _config(entry):
    if not entry:
        return "nothing fits"
    return (f"rows {entry['rows']}, batch {entry['batch']}, slots {entry['slots']}"
            + gate_label(entry))


def _schedule_row(board, network, report):
    best, base = report["best"], report["baseline"]
    return [board, network, _config(best), best and best["cycles_per_pixel"],
            best and best["pixels_per_s"], best and best["dsp_efficiency"], _config(base),
            base["cycles_per_pixel"], report["speedup"], report["speedup_vs_sequential"]]


def throughput_rows(results):
    """``[(label, pixels/s, how)]``: measured software methods, then each board's projection
    (built core at its nextpnr Fmax; best explored configuration at its assumed clock)."""
    rows = [(LABELS[m], v, "measured, 2 CPU cores") for m, v in results["throughput"].items()]
    for name, board in results["boards"].items():
        built, lite = board["built"], board["explore"].get("lite")
        best = lite and lite["best"]
        if built:
            stale = " (stale: see the boards section)" if "stale" in built else ""
            rows.append((f"{name} built{stale}", built["pixels_per_s"],
                         f"{built['core']}; projected: DES cycles x min(Fmax "
                         f"{built['fmax_mhz']:g}, clock "
                         f"{built['clock_mhz']:g}) MHz; UART ceiling "
                         f"{built['uart_pixels_per_s']:.0f} px/s at {built['baud']:,} baud"))
        if best:
            rows.append((f"{name} best explored (Lite)", best["pixels_per_s"],
                         f"projected: DES cycles x {lite['clock_mhz_assumed']:g} "
                         f"MHz ({board['clock_source']})"))
    return rows


def record(results, command, directory=RESULTS):
    """Record the ``bench`` section of BENCHMARKS.md in ``directory``."""
    update_section(SECTION, TITLE, command, results, renderer=__name__, results=directory)


def _f_method(method, acc):
    """The estimator behind a method's F-values (its mono-exponential fit, if it has one)."""
    return acc.get("f_value_by", method)


def section_body(results):
    """The bench section's Markdown, from :mod:`boards.cli_bench`'s results."""
    acc, photons = results["accuracy"], results["photons"]
    head = ["method"] + [f"{p} photons" for p in photons]
    mae = table(head, [[LABELS[m]] + [a["tau_m_mae_ns"][str(p)] for p in photons]
                       for m, a in acc.items()])
    fval = table(head, [[LABELS[_f_method(m, a)]] + [a["f_value"][str(p)] for p in photons]
                        for m, a in acc.items()])
    fret = ""
    if "fret" in results:
        fret = (f"FRET-like decays (`golden.datasets.FRET_RANGE`: tau1 0.2 .. 0.6 ns, tau2 2 .. "
                f"3 ns, fraction 0 .. 1, always two components, the same instrument), "
                f"{results['n']} decays of {results['fret_photons']} photons; mono-exponential "
                f"methods give tau_m alone:\n\n"
                + table(["method", "tau1 MAE (ns)", "tau2 MAE (ns)", "fraction MAE",
                         "tau_m MAE (ns)", "undefined"],
                        [[LABELS[m], r["tau1_mae_ns"], r["tau2_mae_ns"], r["frac_mae"],
                          r["tau_m_mae_ns"], r["undefined_share"]]
                         for m, r in results["fret"].items()]) + "\n\n")
    speed = table(["backend", "pixels/s", "how"],
                  [[label, value, how] for label, value, how in throughput_rows(results)])
    sched = table(["board", "network", "best configuration", "cycles/pixel", "pixels/s",
                   "DSP efficiency", "baseline (one pixel, widest matmul)", "its cycles/pixel",
                   "speedup", "speedup vs one multiply at a time"],
                  [_schedule_row(name, network, report)
                   for name, b in results["boards"].items()
                   for network, report in b["explore"].items()])
    return (f"All measured in one run ({results['seconds'] / 60:.1f} min). Inputs: "
            f"{results['n']} decays per photon count drawn from the held-out test range "
            f"(tau 0.05 .. 3 ns, fraction 0 .. 1, 15 % mono-exponential, 0 .. 5 % background, "
            f"IRF FWHM 0.25 ns; FLIMLib and phasorpy are given the IRF). FLIMLib RLD and MLE fit "
            f"one exponential, so their tau_m errors on bi-exponential decays include model "
            f"error.\n\n"
            f"tau_m MAE (ns):\n\n{mae}\n\n"
            f"F-value (sqrt(N) std(tau) / tau; mono-exponential decays, mean over tau 0.5 .. "
            f"2.5 ns, {results['f_pixels']} pixels each; 1 is the photon-noise limit; the "
            f"decays are mono-exponential, so FLIMLib's LMA fits one exponential here):\n\n"
            f"{fval}\n\n{fret}"
            f"Throughput on {results['throughput_pixels']} histograms of 1,000 photons; board "
            f"rows are projections, not measurements on hardware. \"built\" rows are bitstreams "
            f"that met timing; \"best explored\" rows are configurations that fit the resource "
            f"model but have not been built, and may not close timing at that clock:\n\n"
            f"{speed}\n\n"
            f"Scheduler (`sim.explore` at each board's assumed clock; cycles from the DES, "
            f"validated against RTL for the Lite network and a prediction for the 2-layer "
            f"teacher, which has no RTL; Lite resources from the fitted Yosys model, teacher "
            f"DSPs and weight block RAMs only). Two baselines, both one pixel at a time in "
            f"program order: on the largest row count that fits (`speedup`), and one multiply "
            f"at a time (rows 1):\n\n{sched}\n\n"
            f"Plots: `accuracy.png`, `throughput.png` beside `bench.json` in the output "
            f"directory.")


def plot_accuracy(path, results):
    photons = results["photons"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), dpi=120)
    for method, acc in results["accuracy"].items():
        for ax, key, by in zip(axes, ("tau_m_mae_ns", "f_value"),
                               (method, _f_method(method, acc))):
            ax.plot(photons, [acc[key][str(p)] for p in photons], marker="o", label=LABELS[by])
    axes[0].set_ylabel("tau_m MAE (ns)")
    axes[1].set_ylabel("F-value (1 = photon-noise limit)")
    axes[1].axhline(1, color="k", lw=0.8, ls="--")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("photons per pixel")
        ax.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize=7)
    fig.suptitle(f"Accuracy against photon count ({results['n']} decays per point)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_throughput(path, results):
    rows = throughput_rows(results)
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.2), dpi=120)
    colours = ["tab:blue" if how.startswith("measured") else "tab:orange" for _, _, how in rows]
    ax.barh([label for label, _, _ in rows], [v for _, v, _ in rows], color=colours)
    for i, (_, value, _) in enumerate(rows):
        ax.text(value, i, f" {value:,.0f}", va="center", fontsize=7)
    ax.set_xscale("log")
    ax.set_xlim(right=4 * max(v for _, v, _ in rows))
    ax.set_xlabel("pixels/s (blue: measured on 2 CPU cores; orange: projected for the board)")
    ax.invert_yaxis()
    ax.grid(alpha=0.3, axis="x", which="both")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
