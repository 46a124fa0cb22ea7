"""The input loader: histograms preprocessed into the lanes of free slots, in order, with their
labels; a full slot starts at once, a partly filled one at a flush token and never before,
however long the input pauses; a slot that is not free holds the input back."""
import numpy as np
from amaranth import Module, unsigned
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.sim import Simulator

from golden.fixed import FixedSpec
from golden.preprocess import preprocess
from rtl.loader import InputLoader
from rtl.preprocess import CYCLES_PER_INPUT
from rtl.result import pixel_beats

SLOTS, BATCH, BINS = 2, 2, 12
HELD = 6 * BINS         # cycles slot 0 is not free at the start
PAUSE = 40 * BINS       # cycles the input offers nothing before the flush token


def test_pixels_into_lanes_then_flush():
    spec = FixedSpec()
    decay = [2] * 8 + [90, 60, 40, 25]
    counts = np.array([decay, [0] * BINS, decay[::-1]])     # the middle one without signal
    tags = [40, 41, 42]
    dut = InputLoader(slots=SLOTS, batch=BATCH, bins=BINS, spec=spec)
    m = Module()
    m.submodules.dut = dut
    memories = []
    for b in range(BATCH):
        m.submodules[f"x{b}"] = memory = Memory(shape=unsigned(spec.input_bits),
                                                depth=SLOTS * BINS, init=[])
        wiring.connect(m, dut.x_write[b], memory.write_port())
        memories.append(memory)
    starts, got, flushed, clock = [], {}, [], [0]

    async def release(ctx):
        ctx.set(dut.free, 0b10)
        await ctx.tick().repeat(HELD)
        ctx.set(dut.free, 0b11)

    async def producer(ctx):
        *bins, token = pixel_beats(tags, counts)
        for beat in bins:
            ctx.set(dut.inp.payload, beat)
            ctx.set(dut.inp.valid, 1)
            await ctx.tick().until(dut.inp.ready)
        ctx.set(dut.inp.valid, 0)
        await ctx.tick().repeat(PAUSE)
        flushed.append(clock[0])
        ctx.set(dut.inp.payload, token)
        ctx.set(dut.inp.valid, 1)
        await ctx.tick().until(dut.inp.ready)
        ctx.set(dut.inp.valid, 0)

    async def monitor(ctx):
        while len(starts) < 2:
            if ctx.get(dut.start.valid):
                payload = ctx.get(dut.start.payload)
                starts.append((clock[0], payload.slot, payload.used))
            await ctx.tick()
            clock[0] += 1
        got["x"] = np.array([[[ctx.get(memories[b].data[s * BINS + t]) for t in range(BINS)]
                              for b in range(BATCH)] for s in range(SLOTS)])
        got["labels"] = [[(ctx.get(dut.labels[s][b].tag), ctx.get(dut.labels[s][b].valid))
                          for b in range(BATCH)] for s in range(SLOTS)]

    sim = Simulator(m)
    sim.add_clock(1e-8)
    sim.add_testbench(release)
    sim.add_testbench(producer)
    sim.add_testbench(monitor)
    sim.run()
    x, valid = preprocess(counts, spec)
    assert [(slot, used) for _, slot, used in starts] == [(0, 0b11), (1, 0b01)]
    # slot 0's two pixels are written only once it is free
    assert starts[0][0] >= HELD + 2 * CYCLES_PER_INPUT * BINS
    # the partly filled slot waits through the pause for the token, then starts at once
    assert flushed[0] <= starts[1][0] <= flushed[0] + 1
    assert np.array_equal(got["x"][0], x[:2]) and np.array_equal(got["x"][1][0], x[2])
    assert list(valid) == [True, False, True]
    assert got["labels"][0] == [(40, 1), (41, 0)] and got["labels"][1][0] == (42, 1)
