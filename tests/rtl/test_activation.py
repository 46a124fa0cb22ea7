import numpy as np
import pytest
from amaranth.sim import Simulator
from hypothesis import given, settings, strategies as st

from golden.fixed import FixedSpec, build_lut, lut_index
from rtl.activation import ActivationLUT


def _simulate(dut, values):
    got = []

    async def bench(ctx):
        ctx.set(dut.en, 1)
        for v in values:
            ctx.set(dut.pre, int(v))
            await ctx.tick()
            got.append(ctx.get(dut.out))

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    return np.array(got)


def _expected(kind, spec, values, pre_frac):
    return build_lut(kind, spec)[lut_index(np.array(values), pre_frac, spec, kind)]


@pytest.mark.parametrize("kind, pre_frac, width", [("sigmoid", 16, 26), ("tanh", 16, 26),
                                                    ("sigmoid", 4, 12), ("tanh", 3, 10)])
def test_bit_exact_to_reference(kind, pre_frac, width, rng):
    spec = FixedSpec()
    dut = ActivationLUT(kind=kind, spec=spec, pre_width=width, pre_frac=pre_frac)
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    values = np.concatenate([[lo, hi, 0, -1, 1], rng.integers(lo, hi + 1, 400),
                             rng.integers(-(12 << pre_frac), 12 << pre_frac, 400)])
    assert np.array_equal(_simulate(dut, values), _expected(kind, spec, values, pre_frac))


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["sigmoid", "tanh"]), st.integers(4, 12),
       st.lists(st.integers(-(1 << 23), (1 << 23) - 1), min_size=1, max_size=8))
def test_extremes_saturate_never_wrap(kind, bits, values):
    spec = FixedSpec(bits=bits)
    dut = ActivationLUT(kind=kind, spec=spec, pre_width=24, pre_frac=14)
    values = values + [-(1 << 23), (1 << 23) - 1]
    got = _simulate(dut, values)
    assert np.array_equal(got, _expected(kind, spec, values, 14))
    table = build_lut(kind, spec)
    assert got[-2] == table[0] and got[-1] == table[-1]   # most negative / positive: the ends


@pytest.mark.parametrize("kwargs, message", [
    ({"kind": "relu", "pre_width": 8, "pre_frac": 2},
     r"kind must be one of \('sigmoid', 'tanh'\), not 'relu'"),
    ({"kind": "tanh", "pre_width": 1, "pre_frac": 2}, "pre_width must be an integer of at least 2, not 1"),
    ({"kind": "tanh", "pre_width": 8, "pre_frac": -1}, "pre_frac must be a non-negative integer, not -1"),
])
def test_messages(kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        ActivationLUT(**kwargs)
