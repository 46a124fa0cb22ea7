"""Cycles per pixel of the multi-pixel core, measured in Amaranth simulation, beside the
discrete-event model's prediction for the same configuration."""
from amaranth.sim import Simulator

from golden.export import golden_counts
from rtl.multipixel import MultiPixelCore
from rtl.result import pixel_beats

from .des import simulate

__all__ = ["measure", "compare"]


def measure(qmodel, config, *, bins, rounds=4, seed=3):
    """Stream ``rounds * lanes`` decays of ``bins`` steps back to back through the core of
    ``config`` (:class:`rtl.config.CoreConfig`), no stalls.

    Returns ``cycles_per_pixel`` (the interval from the last result of the first round to the
    last result, per pixel: steady state), ``latency`` (cycles to the first result) and
    ``matmul_busy`` (share of cycles in which the matmul unit issued).
    """
    dut = MultiPixelCore(qmodel=qmodel, bins=bins, config=config)
    pixels = rounds * config.lanes
    counts = golden_counts(pixels + 4, bins, seed=seed)[4:]   # decays, no edge cases
    done, busy, cycle = [], [0], [0]

    async def producer(ctx):
        for beat in pixel_beats(range(pixels), counts):
            ctx.set(dut.inp.payload, beat)
            ctx.set(dut.inp.valid, 1)
            await ctx.tick().until(dut.inp.ready)
        ctx.set(dut.inp.valid, 0)

    async def consumer(ctx):
        ctx.set(dut.out.ready, 1)
        while len(done) < pixels:
            _, _, valid, issue = await ctx.tick().sample(dut.out.valid, dut.matmul_issue)
            cycle[0] += 1
            busy[0] += issue
            if valid:
                done.append(cycle[0])

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(producer)
    sim.add_testbench(consumer)
    sim.run()
    warm = config.lanes - 1
    return {"cycles_per_pixel": (done[-1] - done[warm]) / (pixels - 1 - warm),
            "latency": done[0], "matmul_busy": busy[0] / cycle[0]}


def compare(qmodel, config, *, bins, rounds=4):
    """Measured and predicted figures for one configuration, and the relative error."""
    rtl = measure(qmodel, config, bins=bins, rounds=rounds)
    des = simulate(config, bins=bins, hidden=qmodel.hidden_size, pixels=rounds * config.lanes)
    error = des["cycles_per_pixel"] / rtl["cycles_per_pixel"] - 1
    return {"rows": config.rows, "batch": config.batch, "slots": config.slots,
            "bins": bins, "rtl": rtl, "des": des, "error": error}

