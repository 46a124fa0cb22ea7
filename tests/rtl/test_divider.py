import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from golden.fixed import FixedSpec
from golden.intref import divide
from rtl.divider import Divider
from streams import simulate_streams


def simulate(dut, pairs, rng, stall=0.0):
    def put(ctx, pair):
        ctx.set(dut.inp.payload.num, int(pair[0]))
        ctx.set(dut.inp.payload.den, int(pair[1]))

    got, _ = simulate_streams(dut, dut.inp, pairs, dut.out, len(pairs), rng=rng, stall=stall,
                              put=put)
    return np.array(got)


def test_matches_reference_with_edges_and_stalls(rng):
    spec = FixedSpec()
    nums = np.concatenate([[0, 5, 10 ** 6, 2 ** 24 - 1, 255, 256], rng.integers(0, 2 ** 24, 150)])
    dens = np.concatenate([[1, 0, 1, 2 ** 23 - 1, -3, 256], rng.integers(-50, 2 ** 14, 150)])
    got = simulate(Divider(num_width=24, den_width=24), list(zip(nums, dens)), rng, stall=0.3)
    assert np.array_equal(got, divide(nums, dens, spec))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2 ** 20 - 1), st.integers(-2 ** 19, 2 ** 19 - 1)),
                min_size=1, max_size=6), st.sampled_from([(16, 8), (12, 4), (9, 8)]))
def test_property_saturates_never_wraps(pairs, fmt):
    spec = FixedSpec(quotient_bits=fmt[0], quotient_frac=fmt[1])
    got = simulate(Divider(num_width=20, den_width=20, spec=spec), pairs,
                   np.random.default_rng(0))
    nums, dens = np.array(pairs).T
    assert np.array_equal(got, divide(nums, dens, spec))
    assert got.max() <= 2 ** fmt[0] - 1


def test_messages():
    with pytest.raises(ValueError, match="^num_width must be a positive integer, not 0$"):
        Divider(num_width=0, den_width=4)
