import numpy as np
import pytest

from golden.baselines import flimlib_lma, flimlib_rld, phasor_lifetime
from golden.physics import Acquisition, irf_histogram, simulate_counts

IRF_HIST = irf_histogram()


def test_lma_recovers_a_bright_biexponential(rng):
    """10^5 photons, 0.3 / 2.0 ns, 70 % short: within 10 % on every parameter (median)."""
    counts = simulate_counts(0.3, 2.0, 0.7, np.full(16, 1e5), rng=rng)
    fit = flimlib_lma(counts, irf=IRF_HIST, bin_width_ns=0.09)
    assert np.median(fit["tau1"]) == pytest.approx(0.3, rel=0.1)
    assert np.median(fit["tau2"]) == pytest.approx(2.0, rel=0.1)
    assert np.median(fit["fraction"]) == pytest.approx(0.7, rel=0.1)
    assert np.median(fit["tau_m"]) == pytest.approx(0.81, rel=0.05)


def test_mono_exponential_estimators(rng):
    counts = simulate_counts(1.5, 1.5, 1.0, np.full(32, 1e4), rng=rng)
    assert np.median(flimlib_rld(counts, bin_width_ns=0.09)["tau_m"]) == pytest.approx(1.5,
                                                                                        rel=0.05)
    phasor = phasor_lifetime(counts, irf=IRF_HIST, bin_width_ns=0.09)["tau_m"]
    assert np.median(phasor) == pytest.approx(1.5, rel=0.05)
    assert np.median(flimlib_lma(counts, irf=IRF_HIST, bin_width_ns=0.09)["tau_m"]) == \
        pytest.approx(1.5, rel=0.05)


def test_empty_pixels_are_nan():
    counts = np.zeros((2, 135))
    counts[1] = simulate_counts(1.0, 1.0, 1.0, [5000])[0]
    for result in (flimlib_lma(counts, irf=IRF_HIST, bin_width_ns=0.09),
                   flimlib_rld(counts, bin_width_ns=0.09),
                   phasor_lifetime(counts, irf=IRF_HIST, bin_width_ns=0.09)):
        assert np.isnan(result["tau_m"][0]) and np.isfinite(result["tau_m"][1])


def test_progress_reports_every_pixel(rng):
    done = []
    flimlib_lma(simulate_counts(1.0, 1.0, 1.0, np.full(10, 500.0), rng=rng), irf=IRF_HIST,
                bin_width_ns=0.09, progress=done.append)
    assert sum(done) == pytest.approx(10)


def test_shape_messages():
    with pytest.raises(ValueError, match=r"^counts must have shape \(N, T\), not \(135,\)$"):
        flimlib_rld(np.zeros(135), bin_width_ns=0.09)
    with pytest.raises(ValueError, match=r"^irf must have shape \(135,\), not \(70,\)$"):
        phasor_lifetime(np.zeros((2, 135)), irf=np.zeros(70), bin_width_ns=0.09)
