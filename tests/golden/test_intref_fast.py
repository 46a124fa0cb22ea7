"""The compiled fast path (:mod:`golden.intref_fast`) equals the numpy reference bit for bit."""
import numpy as np
import pytest
import torch

from golden.__main__ import main
from golden.export import golden_counts
from golden.fixed import FixedSpec
from golden.intref import run_counts
from golden.intref_fast import pack, run_counts_fast
from golden.models import Seq2Seq
from golden.pipeline import load_default
from golden.quantize import quantize_model
from golden.validate import COUNT_MAX

WIDE = FixedSpec(bits=16, weight_bits=16, lut_index_bits=16, sigmoid_range=16.0, tanh_range=8.0, output_frac=14)


@pytest.fixture(scope="module")
def shipped():
    return load_default()


def assert_same(qmodel, counts):
    """Every field of :func:`run_counts_fast` equals :func:`run_counts`', dtype and shape too."""
    want, got = run_counts(qmodel, counts), run_counts_fast(qmodel, counts)
    assert list(got) == list(want)
    for key, value in want.items():
        assert got[key].dtype == value.dtype and got[key].shape == value.shape, key
        mismatch = np.flatnonzero((got[key] != value).reshape(len(counts), -1).any(axis=1))
        assert mismatch.size == 0, f"{key} differs for pixels {mismatch[:10]}"


def random_counts(rng, n, bins):
    """``n`` histograms drawn four ways: uniform over the whole count range, Poisson at rates
    from 0.01 to 10^4 per bin, sparse (0 .. 3 counts), and within 255 of the count limit."""
    q = n // 4
    rates = np.exp(rng.uniform(np.log(0.01), np.log(1e4), (q, 1)))
    return np.concatenate([rng.integers(0, COUNT_MAX + 1, (q, bins)),
                           np.minimum(rng.poisson(rates, (q, bins)), COUNT_MAX),
                           rng.integers(0, 4, (q, bins)),
                           COUNT_MAX - rng.integers(0, 256, (n - 3 * q, bins))])


def edge_counts(rng, bins):
    """All-zero, single-photon (every bin, background window included), constant,
    saturated and near-saturated pixels."""
    single = np.eye(bins, dtype=np.int64)
    flat = np.repeat([[0], [1], [7], [8], [1000], [COUNT_MAX - 1], [COUNT_MAX]], bins, axis=1)
    spike = np.zeros((bins, bins), np.int64)
    spike[np.arange(bins), np.arange(bins)] = COUNT_MAX
    near = COUNT_MAX - rng.integers(0, 3, (200, bins))
    return np.concatenate([np.zeros((3, bins), np.int64), single, flat, spike, near])


def test_100k_random_pixels(shipped, rng):
    """100,000 random histograms (16 bins keep the numpy reference quick)."""
    assert_same(shipped, random_counts(rng, 100_000, 16))


def test_edge_cases_and_bright_decays(shipped, rng):
    """Edge cases and simulated decays (50 .. 10^5 photons, clipped at the count limit) at the
    shipped model's 135 bins, as uint16 like a recording."""
    counts = np.concatenate([edge_counts(rng, 135), golden_counts(3000, 135, seed=7)])
    assert_same(shipped, counts.astype(np.uint16))


def test_two_layers(rng):
    """Stacked layers (inputs that are states) at the default spec."""
    torch.manual_seed(1)
    q = quantize_model(Seq2Seq(hidden_size=16, num_layers=2), FixedSpec())
    assert pack(q).w_hh.dtype == np.float32
    assert_same(q, random_counts(rng, 2000, 40))


def test_wide_spec_runs_in_float64(rng):
    """16-bit formats overflow float32's exact range: the float64 kernel, still bit-exact."""
    torch.manual_seed(2)
    q = quantize_model(Seq2Seq(hidden_size=16, num_layers=2), WIDE)
    assert pack(q).w_hh.dtype == np.float64
    assert_same(q, random_counts(rng, 400, 40))


def test_empty_and_out_of_range():
    torch.manual_seed(3)
    q = quantize_model(Seq2Seq(hidden_size=8, num_layers=1), FixedSpec(bits=30, weight_bits=30))
    with pytest.raises(OverflowError):
        pack(q)
    with pytest.raises(OverflowError):
        run_counts(q, np.ones((1, 16), np.int64))
    got = run_counts_fast(load_default(), np.zeros((0, 135), np.int64))
    assert got["tau_q"].shape == (0, 3) and got["outputs"].shape == (0, 135, 3)


def test_speed_command(capsys):
    assert main(["speed", "--pixels", "300", "--bins", "16", "--no-benchmarks"]) == 0
    out = capsys.readouterr().out
    assert "golden.intref (numpy):" in out and "bit-exact: True" in out
