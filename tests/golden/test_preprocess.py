import numpy as np
import pytest

from golden.fixed import FixedSpec
from golden.preprocess import preprocess


def test_by_hand():
    counts = np.zeros((1, 20), np.int64)
    counts[0, :8] = [3, 4, 5, 4, 3, 4, 5, 4]      # background sum 32 -> mean 4
    counts[0, 10] = 4 + 300                        # peak 300: bit length 9, shift right 1
    counts[0, 11] = 4 + 101
    counts[0, 12] = 2                              # below background: clipped to 0
    x, valid = preprocess(counts)
    assert valid.tolist() == [True]
    assert x[0, 10] == 150 and x[0, 11] == 50 and x[0, 12] == 0 and x[0, :8].max() == 0  # 5 - 4 = 1, shifted out


def test_peak_lands_in_upper_half(rng):
    counts = rng.poisson(rng.uniform(0, 3000, (500, 1)) * rng.random((500, 135)))
    x, valid = preprocess(counts)
    peaks = x[valid].max(axis=1)
    assert valid.sum() > 400
    assert peaks.min() >= 128 and peaks.max() <= 255


def test_small_signals_are_shifted_up():
    counts = np.zeros((1, 135), np.int64)
    counts[0, 50] = 3
    x, _ = preprocess(counts)
    assert x[0, 50] == 3 << 6


def test_zero_photons_and_flat_histograms_are_invalid():
    x, valid = preprocess(np.stack([np.zeros(135, int), np.full(135, 7)]))
    assert valid.tolist() == [False, False]
    assert (x == 0).all()


@pytest.mark.parametrize("input_bits", [10, 12])
def test_a_wider_input_keeps_every_bit(input_bits):
    """Q0.10 and Q0.12 inputs (no background): the peak lands in [0.5, 1) of the wider fraction,
    held in a type wide enough for it, and equals the counts shifted exactly."""
    spec = FixedSpec(input_bits=input_bits)
    counts = np.zeros((1, 20), np.int64)
    counts[0, 10:] = [5000, 3001, 1500, 700, 3, 1, 0, 0, 0, 0]
    x, valid = preprocess(counts, spec)
    assert valid[0] and x.dtype == np.uint16 and x.max() >> (input_bits - 1) == 1
    shift = 13 - input_bits                      # 5000 has 13 bits
    np.testing.assert_array_equal(x[0], counts[0] >> shift)
