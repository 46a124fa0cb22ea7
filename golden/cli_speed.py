"""``python -m golden speed``: pixels/s of the integer reference, numpy against compiled."""
import os
import time

import numba
import numpy as np

from .benchmarks import command_line, table, update_section
from .commands import positive_int
from .export import golden_counts
from .intref import run_counts
from .intref_fast import run_counts_fast
from .pipeline import load_default

__all__ = ["add_arguments", "run", "section_body"]


def add_arguments(p):
    p.add_argument("--pixels", type=positive_int, default=20000)
    p.add_argument("--bins", type=positive_int, default=135)
    p.add_argument("--no-benchmarks", action="store_true", help="do not record the figures in results/ (BENCHMARKS.md's source)")


def _timed(call):
    """``(result, seconds)`` of ``call()``."""
    began = time.perf_counter()
    result = call()
    return result, time.perf_counter() - began


def run(args):
    q = load_default()
    counts = golden_counts(args.pixels, args.bins, seed=0)
    load = os.getloadavg()[0]
    run_counts(q, counts[:64])                                          # warm-up
    _, first_call = _timed(lambda: run_counts_fast(q, counts[:64]))   # compile or load
    want, numpy_s = _timed(lambda: run_counts(q, counts))
    got, fast_s = min((_timed(lambda: run_counts_fast(q, counts)) for _ in range(3)),
                      key=lambda r: r[1])
    exact = list(got) == list(want) and all(
        np.array_equal(got[k], v) and got[k].dtype == v.dtype for k, v in want.items())
    data = {"pixels": args.pixels, "bins": args.bins, "threads": numba.get_num_threads(),
            "cpus": os.cpu_count(), "load_average": round(load, 2),
            "first_call_s": round(first_call, 2), "numpy_s": round(numpy_s, 3),
            "fast_s": round(fast_s, 3), "exact": exact}
    for name, _, seconds, rate in _rows(data):
        print(f"{name}: {seconds} s, {rate} pixels/s")
    print(f"speed-up {numpy_s / fast_s:.1f}x, bit-exact: {exact}, first compiled call "
          f"{first_call:.1f} s, load average before: {load:.2f}")
    if not args.no_benchmarks:
        update_section("golden-speed", "Integer reference throughput: numpy and compiled",
                       command_line("golden"), data, renderer=__name__)
    return 0


def _rows(data):
    return [[name, data["pixels"], seconds, round(data["pixels"] / seconds)]
            for name, seconds in (("golden.intref (numpy)", data["numpy_s"]),
                                  (f"golden.intref_fast (numba, {data['threads']} threads)",
                                   data["fast_s"]))]


def section_body(data):
    """The golden-speed section's Markdown, from what :func:`run` measured."""
    return (f"{data['pixels']} simulated pixels (`golden.export.golden_counts`: edge cases, "
            f"then mono- and bi-exponential decays at 50 .. 10^5 photons), T = {data['bins']}, "
            f"shipped model, `run_counts` (preprocessing, 8-bit network, divider), timed "
            f"after a warm-up call (compilation excluded; the fast path's best of 3):\n\n"
            + table(["implementation", "pixels", "seconds", "pixels/s"], _rows(data))
            + f"\n\nSpeed-up **{data['numpy_s'] / data['fast_s']:.1f}x**; the two results are "
              f"identical in every field: **{'yes' if data['exact'] else 'NO'}**. numba used "
              f"{data['threads']} threads on {data['cpus']} CPUs; the 1-minute load average "
              f"just before the run was {data['load_average']:.2f} (other jobs share the "
              f"machine). First compiled call (numba compile, or its on-disk cache): "
              f"{data['first_call_s']:.1f} s.")
