"""Cycles per pixel of the RTL core, measured in Amaranth simulation."""
from amaranth.sim import Simulator

from rtl.core import Seq2SeqCore

__all__ = ["measure_core", "macs_per_pixel"]


def macs_per_pixel(bins, hidden, inputs=1):
    """DESIGN.md: ``T*3H(I+H)`` (encoder) + ``T*(3H*H + 3*H)`` (decoder and head)."""
    return bins * 3 * hidden * (inputs + hidden) + bins * (3 * hidden * hidden + 3 * hidden)


def measure_core(qmodel, counts, multipliers):
    """Stream ``counts`` ``(N, T)`` through the core with no stalls.

    Returns ``(latency, interval)``: cycles from a pixel's first bin to its result, and the
    cycles between consecutive results (steady-state cycles per pixel).
    """
    dut = Seq2SeqCore(qmodel=qmodel, bins=counts.shape[1], multipliers=multipliers)
    done, cycle = [], [0]

    async def producer(ctx):
        for tag, hist in enumerate(counts):
            for c in hist:
                ctx.set(dut.inp.payload.tag, tag)
                ctx.set(dut.inp.payload.count, int(c))
                ctx.set(dut.inp.valid, 1)
                await ctx.tick().until(dut.inp.ready)
        ctx.set(dut.inp.valid, 0)

    async def consumer(ctx):
        ctx.set(dut.out.ready, 1)
        while len(done) < len(counts):
            _, _, valid = await ctx.tick().sample(dut.out.valid)
            cycle[0] += 1
            if valid:
                done.append(cycle[0])

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(producer)
    sim.add_testbench(consumer)
    sim.run()
    return done[0], (done[-1] - done[0]) / max(len(done) - 1, 1)
