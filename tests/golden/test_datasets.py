import numpy as np

from golden.datasets import FRET_RANGE, TEST_RANGE, sample_parameters


def test_fret_range_draws_two_separate_components(rng):
    p = sample_parameters(2000, rng, FRET_RANGE)
    assert p["tau1"].min() >= 0.2 and p["tau1"].max() <= 0.6
    assert p["tau2"].min() >= 2.0 and p["tau2"].max() <= 3.0
    assert np.all((p["frac"] > 0) & (p["frac"] < 1))
    assert np.all(p["irf_fwhm"] == TEST_RANGE.irf_fwhm_ns[0]) and not p["irf_tail"].any()


def test_one_range_for_both_lifetimes_sorts_them(rng):
    p = sample_parameters(2000, rng, TEST_RANGE)
    assert np.all(p["tau1"] <= p["tau2"]) and p["tau2"].max() <= TEST_RANGE.tau_ns[1]
    mono = p["frac"] == 1.0
    assert 0.1 < mono.mean() < 0.2 and np.all(p["tau1"][mono] == p["tau2"][mono])
