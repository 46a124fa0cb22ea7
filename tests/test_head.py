import numpy as np
from amaranth.sim import Simulator

from golden.intref import run_network
from golden.pipeline import load_default
from rtl.head import DenseHead


def test_outputs_and_integrals_match_the_reference(rng):
    """The shipped model's decoder states through the head: every step's outputs, the sums
    and first values equal the integer reference (with output stalls)."""
    q = load_default()
    x = rng.integers(0, 256, (2, 20))
    ref = run_network(q, x, record=True)
    states = ref["decoder"][0]["h"]                       # (T, N, H)
    dut = DenseHead(qmodel=q, bins=20)
    outputs, finals = [], []

    async def producer(ctx):
        for n in range(2):
            for t in range(20):
                for i in range(32):
                    ctx.set(dut.step.payload.h[i], int(states[t, n, i]))
                ctx.set(dut.step.payload.first, t == 0)
                ctx.set(dut.step.valid, 1)
                await ctx.tick().until(dut.step.ready)
                ctx.set(dut.step.valid, 0)

    async def consumer(ctx):
        while len(outputs) < 40:
            ready = bool(rng.random() >= 0.3)
            ctx.set(dut.out.ready, ready)
            _, _, valid, y = await ctx.tick().sample(dut.out.valid, dut.out.payload)
            if valid and ready:
                outputs.append([y[k] for k in range(3)])
                if len(outputs) % 20 == 0:
                    finals.append(([ctx.get(dut.sums[k]) for k in range(3)],
                                   [ctx.get(dut.first[k]) for k in range(3)]))

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(producer)
    sim.add_testbench(consumer)
    sim.run()
    assert np.array_equal(np.array(outputs).reshape(2, 20, 3), ref["outputs"])
    assert np.array_equal([f[0] for f in finals], ref["sums"])
    assert np.array_equal([f[1] for f in finals], ref["first"])
