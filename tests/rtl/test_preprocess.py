import numpy as np
import pytest
from amaranth import Module, Signal

from golden.export import golden_counts
from golden.fixed import FixedSpec
from golden.preprocess import preprocess
from rtl.preprocess import Preprocess
from streams import simulate_streams


def beats(histograms):
    """Each histogram's counts, the final one ``last``."""
    return [{"count": int(c), "last": int(t == len(h) - 1)}
            for h in histograms for t, c in enumerate(h)]


def simulate(dut, histograms, rng, gap=0.0, stall=0.0):
    out, _ = simulate_streams(dut, dut.counts, beats(histograms), dut.out, np.size(histograms),
                              rng=rng, gap=gap, stall=stall, take=lambda ctx, p: (p.x, p.valid),
                              put=lambda ctx, item: ctx.set(dut.counts.payload, item))
    shape = (len(histograms), dut.bins)
    return (np.array([x for x, _ in out]).reshape(shape),
            np.array([v for _, v in out]).reshape(shape))


def test_matches_golden_preprocessing_with_gaps_and_stalls(rng):
    """Edge cases (zero photons, one saturated bin, all bins equal, maximum counts) and
    simulated decays from 50 to 10^5 photons."""
    counts = golden_counts(24, 135, seed=4)
    x, valid = simulate(Preprocess(bins=135), counts, rng, gap=0.3, stall=0.3)
    ref_x, ref_valid = preprocess(counts)
    assert np.array_equal(x, ref_x)
    assert np.array_equal(valid, np.repeat(ref_valid[:, None], 135, axis=1))


@pytest.mark.parametrize("input_bits", [8, 12])
def test_small_and_random_histograms(rng, input_bits):
    """The shipped Q0.8 input and a wider Q0.12 one, as the spec says."""
    spec = FixedSpec(input_bits=input_bits)
    counts = np.concatenate([rng.integers(0, 4, (4, 20)), rng.integers(0, 2 ** 16, (4, 20))])
    x, _ = simulate(Preprocess(bins=20, spec=spec), counts, rng)
    assert np.array_equal(x, preprocess(counts, spec)[0])


def test_a_pixel_of_the_wrong_length_is_dropped_and_reported(rng):
    """A pixel is what ends at ``last``: a short and a long pixel are dropped (a pulse each)
    and the good pixels around them come out as if they were not there."""
    good = rng.integers(0, 300, (3, 20))
    items = (beats(good[:1]) + beats(rng.integers(0, 300, (1, 7))) + beats(good[1:2])
             + beats(rng.integers(0, 300, (1, 33))) + beats(good[2:]))
    dut = Preprocess(bins=20)
    m = Module()
    m.submodules.dut = dut
    drops = Signal(4)
    m.d.sync += drops.eq(drops + dut.dropped)
    out, _ = simulate_streams(m, dut.counts, items, dut.out, good.size, rng=rng, gap=0.2,
                              stall=0.2, put=lambda ctx, item: ctx.set(dut.counts.payload, item),
                              take=lambda ctx, p: (p.x, ctx.get(drops)))
    assert np.array_equal(np.reshape([x for x, _ in out], good.shape), preprocess(good)[0])
    assert out[-1][1] == 2


def test_message():
    with pytest.raises(ValueError, match="^bins must be an integer greater than 8, not 8$"):
        Preprocess(bins=8)
