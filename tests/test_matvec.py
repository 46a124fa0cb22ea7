import numpy as np
import pytest
from amaranth import signed, unsigned
from amaranth.sim import Simulator
from hypothesis import given, settings, strategies as st

from rtl.matvec import MatVec, accumulator_width


def simulate(dut, vectors, rng, stall=0.0):
    """Feed ``vectors``; collect ``W x`` per vector; return (results, cycles)."""
    results, cycles = [], [0]

    async def producer(ctx):
        for vec in vectors:
            for value in vec:
                ctx.set(dut.vec.payload, int(value))
                ctx.set(dut.vec.valid, 1)
                await ctx.tick().until(dut.vec.ready)
            ctx.set(dut.vec.valid, 0)

    async def bench(ctx):
        rows = {}
        n_groups = dut.groups
        while len(results) < len(vectors):
            ready = bool(rng.random() >= stall)
            ctx.set(dut.out.ready, ready)
            _, _, valid, payload = await ctx.tick().sample(dut.out.valid, dut.out.payload)
            cycles[0] += 1
            if valid and ready:
                g = payload.group
                rows[g] = [payload.values[i] for i in range(dut.multipliers)]
                if len(rows) == n_groups:
                    results.append(np.concatenate([rows[k] for k in range(n_groups)]))
                    rows = {}

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(producer)
    sim.add_testbench(bench)
    sim.run()
    return np.array(results), cycles[0]


@pytest.mark.parametrize("rows, cols, mults, x_shape", [
    (96, 32, 8, signed(8)), (96, 1, 4, unsigned(8)), (12, 5, 12, signed(8)), (6, 3, 1, signed(8)),
])
def test_matches_numpy_with_stalls(rows, cols, mults, x_shape, rng):
    w = rng.integers(-128, 128, (rows, cols))
    lo, hi = (-128, 128) if x_shape.signed else (0, 256)
    vectors = rng.integers(lo, hi, (3, cols))
    dut = MatVec(weights=w, x_shape=x_shape, multipliers=mults)
    got, _ = simulate(dut, vectors, rng, stall=0.3)
    assert np.array_equal(got, vectors @ w.T)


def test_detects_a_wrong_weight(rng):
    """The harness can fail: a model with one weight changed disagrees."""
    w = rng.integers(-128, 128, (8, 4))
    vectors = rng.integers(-128, 128, (2, 4))
    got, _ = simulate(MatVec(weights=w, multipliers=4), vectors, rng)
    w[3, 2] += 1
    assert not np.array_equal(got, vectors @ w.T)


def test_steady_state_cycles(rng):
    """96 x 32 on 8 multipliers: 12 groups x 32 columns = 384 compute cycles per vector."""
    w = rng.integers(-128, 128, (96, 32))
    vectors = rng.integers(-128, 128, (4, 32))
    _, cycles = simulate(MatVec(weights=w, multipliers=8), vectors, rng)
    per_vector = cycles / 4
    load = 32
    assert 384 <= per_vector - load <= 384 + 8


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 40), st.sampled_from([1, 2, 4]), st.booleans(), st.booleans())
def test_extremes_never_wrap(cols, mults, w_negative, x_negative):
    w = np.full((4, cols), -128 if w_negative else 127)
    x = np.full((1, cols), -128 if x_negative else 127)
    dut = MatVec(weights=w, multipliers=mults)
    got, _ = simulate(dut, x, np.random.default_rng(0))
    assert np.array_equal(got, x @ w.T)
    assert dut.acc_width == accumulator_width(cols, 8, signed(8))


@pytest.mark.parametrize("kwargs, message", [
    ({"weights": np.zeros((0, 3))}, r"weights must be a non-empty \(R, C\) matrix, not shape \(0, 3\)"),
    ({"weights": np.zeros((6, 3)), "multipliers": 4},
     "multipliers must be a positive divisor of 6 rows, not 4"),
    ({"weights": np.full((2, 2), 128)}, "weights must fit 8 signed bits"),
])
def test_messages(kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        MatVec(**kwargs)


@pytest.mark.parametrize("family, dsp", [("ice40", "SB_MAC16"), ("ecp5", "MULT18X18D")])
def test_maps_one_hard_dsp_per_multiplier(family, dsp, rng):
    """Real Yosys synthesis (YoWASP): every multiplier lands in a hard DSP block."""
    from rtl.synth import cell_counts
    w = rng.integers(-128, 128, (16, 8))
    cells = cell_counts(MatVec(weights=w, multipliers=4), family)
    assert cells[dsp] == 4
