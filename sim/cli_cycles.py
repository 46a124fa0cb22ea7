"""``python -m sim cycles``: RTL cycles per pixel into BENCHMARKS.md."""
from golden.benchmarks import command_line, table, update_section
from golden.export import golden_counts
from golden.pipeline import load_default

from .cycles import macs_per_pixel, measure_core


def add_arguments(p):
    p.add_argument("--multipliers", type=int, nargs="+", default=[8, 16, 32, 96])
    p.add_argument("--no-benchmarks", action="store_true")


def run(args):
    q = load_default()
    bins = q.meta["acquisition"]["bins"]
    counts = golden_counts(7, bins, seed=3)[4:]
    macs = macs_per_pixel(bins, q.hidden_size)
    rows = []
    for m in args.multipliers:
        latency, interval = measure_core(q, counts, m)
        dsps = 2 * m + 3                     # encoder + decoder matmuls, head
        recurrent = 2 * bins * 3 * q.hidden_size ** 2     # W_hh h, encoder and decoder
        rows.append([m, dsps, latency, interval, macs / (interval * dsps),
                     recurrent / (interval * m)])
        print(f"M={m}: latency {latency} cycles, {interval:.0f} cycles/pixel")
    if not args.no_benchmarks:
        body = (f"Seq2SeqLite 32x32, T = {bins}, 8-bit, one pixel at a time "
                f"(`rtl.core.Seq2SeqCore`, Amaranth simulation, no stalls). MACs/pixel = "
                f"{macs}. DSP efficiency counts every multiplier the core instantiates "
                f"(2M + 3); the encoder's and decoder's M multipliers never work at the same "
                f"time in a single-pixel core, so it cannot exceed 50 % until the multi-pixel "
                f"scheduler (issue 5) overlaps pixels. The last column is the share of cycles "
                f"in which the active layer's M multipliers do recurrent-matmul work (the "
                f"32-cycle serial gate stage per step is the rest). The reference HLS design needs 110,297 "
                f"cycles per pixel with 183 DSPs.\n\n"
                + table(["M per layer", "multipliers (2M+3)", "latency (cycles)",
                         "cycles/pixel", "DSP efficiency",
                         "busy share of the M recurrent-matmul multipliers"],
                        rows))
        update_section("rtl-cycles", "RTL core: cycles per pixel", body,
                       command_line("sim"))
    return 0
