"""``python -m sim cycles``: the one-pixel-at-a-time core's RTL cycles per pixel, beside the
discrete-event model's, into results/ (BENCHMARKS.md's source)."""
from golden.benchmarks import command_line, table, update_section
from golden.export import golden_counts
from golden.pipeline import load_default
from rtl.config import CoreConfig
from rtl.gates import GATE_PRODUCTS

from .cycles import gate_unit_macs, macs_per_pixel, measure_core
from .des import simulate


def add_arguments(p):
    p.add_argument("--rows", type=int, nargs="+", default=[4, 8, 16, 32],
                   help="matmul multipliers of each core measured (divisors of 3H, at most H)")
    p.add_argument("--no-benchmarks", action="store_true")


def run(args):
    q = load_default()
    bins = q.meta["acquisition"]["bins"]
    counts = golden_counts(7, bins, seed=3)[4:]
    macs = macs_per_pixel(bins, q.hidden_size)
    matmul_macs = macs - gate_unit_macs(bins, q.hidden_size)
    rows = []
    for m in args.rows:
        latency, interval = measure_core(q, counts, m)
        predicted = simulate(CoreConfig(rows=m, batch=1, slots=1), bins=bins)["cycles_per_pixel"]
        multipliers = m + len(GATE_PRODUCTS)
        rows.append([m, multipliers, latency, interval, predicted, macs / (interval * multipliers),
                     matmul_macs / (interval * m)])
        print(f"rows {m}: latency {latency} cycles, {interval:.0f} cycles/pixel "
              f"(sim.des: {predicted:.0f})")
    if not args.no_benchmarks:
        body = (f"Seq2SeqLite 32x32, T = {bins}, 8-bit, one pixel at a time: "
                f"`rtl.config.CoreConfig(rows=M, batch=1, slots=1)` (the explorer's "
                f"baseline), three pixels streamed in Amaranth simulation with no stalls, beside "
                f"`sim.des`'s prediction. MACs/pixel = {macs}. DSP efficiency counts every "
                f"multiplier the core has: M for the matmul and {len(GATE_PRODUCTS)} in the gate "
                f"unit and head. The last column is the matmul multipliers' busy share. The "
                f"reference HLS design needs 110,297 cycles per pixel with 183 DSPs.\n\n"
                + table(["M (matmul rows)", "multipliers (M + gate unit)", "latency (cycles)",
                         "cycles/pixel (RTL)", "cycles/pixel (sim.des)", "DSP efficiency",
                         "busy share of the M matmul multipliers"], rows))
        update_section("rtl-cycles", "RTL core: cycles per pixel", body,
                       command_line("sim"))
    return 0
