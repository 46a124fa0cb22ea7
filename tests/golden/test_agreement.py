"""``golden.agreement``: the IRF moved to where it fits a recording's summed decay, the
reconvolution fit over the valid bins only, and the statistics of two tau_m estimates."""
import numpy as np
import pytest

from golden.agreement import (agreement, align_irf, irf_on_axis, reconvolution_fit, shifted,
                              simulated_like)
from golden.physics import IRF, Acquisition, expected_tpsf, irf_histogram
from golden.resample import Layout
from golden.validate import InputError

#: A Becker & Hickl SPC-150's axis (../shared/data/flim/README.md): 256 bins of 39 ps, the
#: TAC-cut bins 0-12 and 241-255 exact zeros, an 80 MHz laser.
LAYOUT = Layout(bin_width_ns=0.0390887, bins=256, valid=(13, 241), laser_period_ns=12.5)
ACQ = Acquisition(bins=256, bin_width_ns=LAYOUT.bin_width_ns, period_ns=12.5)
TRUE_IRF = IRF(fwhm_ns=0.16, offset_ns=1.5, tail_ns=0.14)


def _recorded(rng, photons, n=1, tau1=0.4, tau2=2.5, frac=0.75):
    """``n`` decays of ``photons`` on LAYOUT, with the TAC-cut bins zeroed."""
    shape = expected_tpsf(np.full(n, tau1), np.full(n, tau2), np.full(n, frac), acq=ACQ,
                          irf=TRUE_IRF)
    counts = rng.poisson(shape * photons)
    first, stop = LAYOUT.valid
    counts[:, :first] = counts[:, stop:] = 0
    return counts


def test_shifted_moves_by_whole_and_fractional_bins():
    irf = np.array([0.0, 1.0, 3.0, 1.0, 0.0, 0.0])
    assert shifted(irf, 2).tolist() == [0, 0, 0, 1, 3, 1]
    assert shifted(irf, -1).tolist() == [1, 3, 1, 0, 0, 0]
    assert shifted(irf, 0.5).tolist() == [0, 0.5, 2, 2, 0.5, 0]


@pytest.mark.parametrize("misplaced", [-2.0, 1.5, 20.0])
def test_a_misplaced_irf_is_moved_back(rng, misplaced):
    """The IRF exported ``misplaced`` bins off (20: 0.8 ns, an IRF of another day): the
    summed decay of 10^6 photons puts it back within 0.2 bins (8 ps)."""
    decay = _recorded(rng, 1e6)[0]
    exported = shifted(irf_histogram(ACQ, TRUE_IRF), misplaced)
    assert align_irf(decay, exported, LAYOUT) == pytest.approx(-misplaced, abs=0.2)


def test_an_irf_without_a_rise_is_refused(rng):
    decay = _recorded(rng, 1e6)[0]
    with pytest.raises(InputError, match="no rising edge in the IRF"):
        align_irf(decay, np.ones(256), LAYOUT)


def test_the_fit_reads_the_valid_bins_only(rng):
    """200 decays of 10,000 photons (tau_m 0.925 ns): the fit's median is within 1 % of the
    truth, and counts put into the TAC-cut bins change nothing."""
    counts = _recorded(rng, 10_000, n=200)
    irf = irf_histogram(ACQ, TRUE_IRF)
    found = reconvolution_fit(counts, irf, LAYOUT)["tau_m"]
    assert np.nanmedian(found) == pytest.approx(0.75 * 0.4 + 0.25 * 2.5, rel=0.01)
    first, stop = LAYOUT.valid
    counts[:, :first] = counts[:, stop:] = 500
    np.testing.assert_array_equal(reconvolution_fit(counts, irf, LAYOUT)["tau_m"], found)


def test_an_irf_on_another_axis_is_refused():
    with pytest.raises(InputError, match="export the IRF on the recording's time axis"):
        irf_on_axis((np.ones(128), 0.078), LAYOUT)
    assert irf_on_axis((np.ones(256), 0.03908874509803922), LAYOUT).shape == (256,)


def test_agreement_statistics():
    model = np.array([1.0, 1.05, 2.0, np.nan, 0.5])
    fit = np.array([1.0, 1.0, 1.5, 1.0, np.nan])
    found = agreement(model, fit)
    assert found.pixels == 3
    assert found.median_model_ns == 1.05 and found.median_fit_ns == 1.0
    assert found.median_difference_ns == pytest.approx(0.05)
    assert found.mad_difference_ns == pytest.approx(0.05)
    assert found.within_10_percent == pytest.approx(2 / 3)
    assert found.correlation == pytest.approx(np.corrcoef([1.0, 1.05, 2.0], [1.0, 1.0, 1.5])[0, 1])
    with pytest.raises(InputError, match="too few"):
        agreement(np.array([1.0, np.nan]), np.array([np.nan, 1.0]))


def test_decays_made_of_a_fits_parameters(rng):
    """Pixels of a fit (one failed) at 10,000 photons: the decays have the pixels' photons
    (less the TAC-cut bins'), zeros in the cut bins, and fitted again give the fit's tau_m
    back within 1 % in the median."""
    n = 100
    fit = {"tau1": np.full(n, 0.4), "tau2": np.full(n, 2.5), "fraction": np.full(n, 0.75),
           "tau_m": np.r_[np.nan, np.full(n - 1, 0.925)]}
    irf = irf_histogram(ACQ, TRUE_IRF)
    counts, truth = simulated_like(fit, np.full(n, 10_000), irf, LAYOUT, rng)
    assert counts.shape == (n - 1, 256) and np.all(truth == 0.925)
    first, stop = LAYOUT.valid
    assert not counts[:, :first].any() and not counts[:, stop:].any()
    assert np.mean(counts.sum(axis=1)) == pytest.approx(10_000, rel=0.03)
    refit = reconvolution_fit(counts, irf, LAYOUT)["tau_m"]
    assert np.nanmedian(refit) == pytest.approx(0.925, rel=0.01)


def test_a_best_fit_on_the_searchs_edge_is_refused(rng, monkeypatch):
    """With a search narrower than the rise alignment's error, the best shift lies on the
    range's edge: refused, not taken."""
    monkeypatch.setattr("golden.agreement.SHIFT_RANGE_BINS", 0.2)
    decay = _recorded(rng, 1e6)[0]
    with pytest.raises(InputError, match="edge of the"):
        align_irf(decay, shifted(irf_histogram(ACQ, TRUE_IRF), 3.0), LAYOUT)
