import numpy as np
import pytest

from golden.phasors import read_irf, recording_phasors
from golden.physics import IRF, Acquisition, irf_histogram, simulate_counts
from golden.resample import Layout
from golden.validate import InputError

#: A Becker & Hickl-like layout: 256 bins of 0.039 ns at 80 MHz (the full period recorded).
ACQ = Acquisition(bins=320, bin_width_ns=0.0390625, period_ns=12.5)
LAYOUT = Layout(ACQ.bin_width_ns, ACQ.bins, (0, ACQ.bins), ACQ.period_ns)
IRF_HERE = IRF(fwhm_ns=0.3, offset_ns=2.0)


def _semicircle(tau_ns, frequency_mhz):
    wt = 2 * np.pi * frequency_mhz * 1e-3 * tau_ns
    return 1 / (1 + wt ** 2), wt / (1 + wt ** 2)


def _decays(tau, rng, n=200):
    return simulate_counts(np.full(n, tau), tau, 1.0, 20000, acq=ACQ, irf=IRF_HERE, rng=rng)


@pytest.mark.parametrize("tau", [0.5, 2.0, 4.0])
def test_calibrated_phasors_of_single_exponentials_lie_on_the_semicircle(rng, tau):
    """At the laser's 80 MHz, calibrated against the IRF (lifetime 0) or against a 4 ns
    reference recording: the mean phasor within 0.01 of the semicircle's point for tau."""
    want = _semicircle(tau, 80.0)
    irf = (irf_histogram(ACQ, IRF_HERE) * 1e6, ACQ.bin_width_ns)
    reference = (_decays(4.0, rng).sum(axis=0), ACQ.bin_width_ns)
    for given in ({"irf": irf}, {"reference": reference, "reference_lifetime_ns": 4.0}):
        phasors = recording_phasors(_decays(tau, rng), LAYOUT, **given)
        assert phasors.frequency_mhz == pytest.approx(80.0)
        got = (np.mean(phasors.real), np.mean(phasors.imag))
        assert np.allclose(got, want, atol=0.01), (given.keys(), got, want)


def test_without_a_reference_a_gaussian_irf_at_the_rise_and_the_plot_says_so(rng):
    phasors = recording_phasors(_decays(2.0, rng), LAYOUT)
    assert np.allclose((np.mean(phasors.real), np.mean(phasors.imag)),
                       _semicircle(2.0, 80.0), atol=0.03)
    assert "Gaussian IRF at the decay's rise" in phasors.calibration
    unknown = recording_phasors(_decays(2.0, rng), Layout(ACQ.bin_width_ns, ACQ.bins,
                                                          (0, ACQ.bins)))
    assert unknown.frequency_mhz == pytest.approx(80.0)      # the window is the period here
    assert "laser rate unknown" in unknown.calibration


def test_pixels_without_photons_have_no_phasor(rng):
    counts = _decays(2.0, rng, n=3)
    counts[1] = 0
    phasors = recording_phasors(counts, LAYOUT)
    assert np.isnan(phasors.real[1]) and np.isfinite(phasors.real[[0, 2]]).all()


def test_irf_files_are_two_columns_of_time_and_counts(tmp_path):
    times = np.arange(50) * 0.04
    np.savetxt(tmp_path / "irf.asc", np.column_stack([times, np.exp(-(times - 1) ** 2 / 0.01)]))
    counts, width = read_irf(tmp_path / "irf.asc")
    assert counts.shape == (50,) and width == pytest.approx(0.04)
    (tmp_path / "bad.asc").write_text("1 2 3\n4 5 6\n7 8 9\n")
    with pytest.raises(InputError, match="bad.asc: an IRF is two columns"):
        read_irf(tmp_path / "bad.asc")
    with pytest.raises(InputError, match="cannot read the IRF nothere.asc"):
        read_irf(tmp_path / "nothere.asc")
