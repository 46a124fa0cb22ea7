import numpy as np
import pytest

from golden.export import golden_counts
from golden.preprocess import preprocess
from rtl.preprocess import Preprocess
from streams import simulate_streams


def simulate(dut, histograms, rng, gap=0.0, stall=0.0):
    out, _ = simulate_streams(dut, dut.counts, np.ravel(histograms), dut.out,
                              np.size(histograms), rng=rng, gap=gap, stall=stall,
                              take=lambda ctx, p: (p.x, p.valid))
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


def test_small_and_random_histograms(rng):
    counts = np.concatenate([rng.integers(0, 4, (4, 20)), rng.integers(0, 2 ** 16, (4, 20))])
    x, _ = simulate(Preprocess(bins=20), counts, rng)
    assert np.array_equal(x, preprocess(counts)[0])


def test_message():
    with pytest.raises(ValueError, match="^bins must be an integer greater than 8, not 8$"):
        Preprocess(bins=8)
