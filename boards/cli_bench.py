"""``python -m boards bench --out DIR``: the benchmark suite (``scripts/bench``). Writes
``DIR/bench.json``, ``DIR/accuracy.png`` and ``DIR/throughput.png`` (only on success) and the
``bench`` section of BENCHMARKS.md (``results/bench.json``)."""
import json
import time

from golden.benchmarks import command_line
from golden.cli_eval import load_models
from golden.commands import positive_int
from golden.outputs import output_dir
from golden.pipeline import load_default
from golden.progress import progress_bar

from sim.bench import METHODS, PHOTONS, accuracy, fret, photon_set, throughput
from sim.explore import NETWORKS

from .bench import grid_size, projections
from .bench_report import plot_accuracy, plot_throughput, record


def add_arguments(p):
    p.add_argument("--out", default="bench_out", help="output directory (default: bench_out)")
    p.add_argument("--force", action="store_true", help="replace an existing output directory")
    p.add_argument("--n", type=positive_int, default=2000, help="decays per photon count")
    p.add_argument("--f-pixels", type=positive_int, default=500,
                   help="mono-exponential decays per lifetime for the F-value")
    p.add_argument("--throughput-pixels", type=positive_int, default=4000)
    p.add_argument("--fret-photons", type=positive_int, default=1000,
                   help="photons per decay of the FRET-like set")
    p.add_argument("--photons", type=positive_int, nargs="+", default=list(PHOTONS))
    p.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    p.add_argument("--networks", nargs="+", choices=sorted(NETWORKS),
                   default=["lite", "teacher"], help="scheduler sweep: networks")
    p.add_argument("--max-batch", type=positive_int, default=8, help="scheduler sweep")
    p.add_argument("--max-slots", type=positive_int, default=3, help="scheduler sweep")
    p.add_argument("--no-benchmarks", action="store_true", help="do not record the figures in results/ (BENCHMARKS.md's source)")


def run(args):
    began = time.perf_counter()
    models = load_models(with_teacher="teacher" in args.methods)
    methods = [m for m in args.methods if m != "teacher" or "teacher" in models]
    bins = load_default().meta["acquisition"]["bins"]
    with output_dir(args.out, force=args.force) as tmp, progress_bar() as bar:
        task = bar.add_task("accuracy", total=len(args.photons) * len(methods), status="")
        acc = accuracy(models, methods, photons=args.photons, n=args.n, f_pixels=args.f_pixels,
                       advance=lambda: bar.advance(task))
        task = bar.add_task("FRET-like set", total=len(methods), status="")
        fret_mae = fret(models, methods, photons=args.fret_photons, n=args.n,
                        advance=lambda: bar.advance(task))
        task = bar.add_task("throughput", total=len(methods), status="")
        counts = photon_set(1000, args.throughput_pixels, seed=1)["counts"]
        speed = throughput(models, methods, counts, advance=lambda: bar.advance(task))
        task = bar.add_task("scheduler sweep", status="", total=grid_size(
            args.networks, args.max_batch, args.max_slots))
        per_board = projections(bins=bins, networks=args.networks, max_batch=args.max_batch,
                                max_slots=args.max_slots, advance=lambda: bar.advance(task))
        results = {"photons": list(args.photons), "n": args.n, "f_pixels": args.f_pixels,
                   "throughput_pixels": args.throughput_pixels, "accuracy": acc,
                   "fret_photons": args.fret_photons, "fret": fret_mae,
                   "throughput": speed, "boards": per_board,
                   "seconds": round(time.perf_counter() - began, 1),
                   "command": command_line("boards")}
        (tmp / "bench.json").write_text(json.dumps(results, indent=1) + "\n")
        plot_accuracy(tmp / "accuracy.png", results)
        plot_throughput(tmp / "throughput.png", results)
    if not args.no_benchmarks:
        record(results, results["command"])
    print(f"bench: {results['seconds']:.0f} s; wrote {args.out}/bench.json, accuracy.png, "
          f"throughput.png" + ("" if args.no_benchmarks else " and results/bench.json"))
    return 0
