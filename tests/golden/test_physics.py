import numpy as np
import pytest

from golden.physics import IRF, Acquisition, decay_components, expected_tpsf, irf_histogram, \
    simulate_counts


def test_tpsf_unit_sum_and_shape():
    shape = expected_tpsf([0.5, 1.0, 2.5], [2.0, 1.0, 2.5], [0.3, 1.0, 0.0])
    assert shape.shape == (3, 135)
    np.testing.assert_allclose(shape.sum(axis=1), 1.0, rtol=1e-12)
    assert (shape >= 0).all()


def test_mono_exponential_is_special_case():
    a = expected_tpsf(1.3, 1.3, 0.4)
    b = expected_tpsf(1.3, 2.9, 1.0)
    c = expected_tpsf(0.2, 1.3, 0.0)
    np.testing.assert_allclose(a, b, atol=1e-12)
    np.testing.assert_allclose(a, c, atol=1e-12)


def test_decay_slope_recovers_lifetime():
    acq = Acquisition()
    shape = expected_tpsf(1.5, 1.5, 1.0, irf=IRF(fwhm_ns=0.2, offset_ns=1.0))[0]
    t = acq.bin_starts()
    late = (t > 3) & (t < 9)
    slope = np.polyfit(t[late], np.log(shape[late]), 1)[0]
    assert -1 / slope == pytest.approx(1.5, rel=0.02)


def test_period_wraparound_raises_pre_pulse_level():
    short = expected_tpsf(0.3, 0.3, 1.0)[0, :5].mean()
    long = expected_tpsf(3.0, 3.0, 1.0)[0, :5].mean()
    assert long > 20 * short > 0
    no_wrap = expected_tpsf(3.0, 3.0, 1.0, acq=Acquisition(period_ns=200.0))[0, :5].mean()
    assert long > 10 * no_wrap


def test_irf_offset_fwhm_and_tail():
    acq = Acquisition()
    t = acq.bin_starts() + acq.bin_width_ns / 2
    h = irf_histogram(acq, IRF(fwhm_ns=0.3, offset_ns=2.0))
    assert (h * t).sum() == pytest.approx(2.0, abs=0.01)
    std = np.sqrt((h * (t - 2.0) ** 2).sum())
    assert std * 2 * np.sqrt(2 * np.log(2)) == pytest.approx(0.3, rel=0.1)
    tailed = irf_histogram(acq, IRF(fwhm_ns=0.3, offset_ns=2.0, tail_ns=0.5))
    assert (tailed * t).sum() == pytest.approx(2.5, abs=0.02)


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_a_tail_far_shorter_than_a_step_is_the_gaussian():
    """An ex-Gaussian whose tail (1 fs) underflows on the fine grid is the Gaussian, with no
    warning (a least-squares IRF fit probes such tails)."""
    assert irf_histogram(irf=IRF(0.2, 1.2, 1e-6)) == pytest.approx(irf_histogram(irf=IRF(0.2, 1.2)),
                                                                   abs=1e-12)


def test_photon_counts_follow_poisson_total(rng):
    counts = simulate_counts(0.5, 2.0, 0.5, np.full(4000, 800.0), background=0.02, rng=rng)
    assert counts.dtype.kind == "i"
    totals = counts.sum(axis=1)
    assert totals.mean() == pytest.approx(800, rel=0.01)
    assert totals.var() == pytest.approx(800, rel=0.1)


def test_decay_components():
    seq = decay_components([0.5], [2.0], [0.25])
    assert seq.shape == (1, 135, 3)
    np.testing.assert_allclose(seq[0, :, 0], seq[0, :, 1] + seq[0, :, 2])
    assert seq[0, 0, 0] == pytest.approx(1.0)
    assert seq[0, 0, 1] == pytest.approx(0.25)
    assert seq[0, 10, 2] == pytest.approx(0.75 * np.exp(-0.9 / 2.0))


@pytest.mark.parametrize("kwargs, message", [
    ({"bins": 4}, "bins must be an integer greater than 8, not 4"),
    ({"bin_width_ns": 0}, "bin_width_ns must be positive, not 0"),
    ({"period_ns": 5.0}, "period_ns must cover the 12.15 ns window, not 5.0"),
])
def test_acquisition_messages(kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        Acquisition(**kwargs)
