import numpy as np
import pytest
from amaranth import signed, unsigned
from hypothesis import given, settings, strategies as st

from rtl.matvec import MatVec, accumulator_width
from streams import simulate_streams


def simulate(dut, vectors, rng, stall=0.0):
    """Feed ``vectors``; collect ``W x`` per vector; return (results, cycles)."""
    items = [v for vec in vectors for v in vec]
    groups, cycles = simulate_streams(
        dut, dut.vec, items, dut.out, len(vectors) * dut.groups, rng=rng, stall=stall,
        take=lambda ctx, p: (p.group, [p.values[i] for i in range(dut.multipliers)]))
    results = [np.concatenate([vals for _, vals in sorted(groups[k:k + dut.groups])])
               for k in range(0, len(groups), dut.groups)]
    return np.array(results), cycles


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


@pytest.mark.parametrize("family, dsp", [("ice40", 0), ("ecp5", 4)])
def test_inferred_multipliers(family, dsp, rng):
    """Real Yosys synthesis (YoWASP): on the ECP5 every multiplier lands in a MULT18X18D; the
    iCE40 flow infers none (its SB_MAC16s are instantiated, :mod:`rtl.dsp`), so they are
    LUTs."""
    from rtl.synth import cell_counts
    w = rng.integers(-128, 128, (16, 8))
    cells = cell_counts(MatVec(weights=w, multipliers=4), family)
    assert cells.get("MULT18X18D", 0) + cells.get("SB_MAC16", 0) == dsp
