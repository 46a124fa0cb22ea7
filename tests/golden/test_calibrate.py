"""Instrument models: the time axis of a recording, the IRF fitted to its decay or to a measured
IRF, the training range around it."""

import numpy as np
import pytest

from golden.calibrate import (MAX_BINS, OFFSET_JITTER_NS, OUTPUT_SPAN_TAUS, fit_irf,
                              instrument_axis, instrument_for, output_step, training_range)
from golden.lifetimes import lifetimes_from_sequences
from golden.phasors import read_irf
from golden.datasets import FRET_RANGE
from golden.physics import IRF, Acquisition, decay_components, irf_histogram, simulate_counts
from golden.readers import read_input
from golden.resample import Layout
from recordings import DATA, needs_data



@pytest.mark.parametrize("fwhm, offset", [(0.12, 1.0), (0.2, 3.0), (0.45, 1.5), (0.8, 1.2)])
def test_the_irf_of_a_recordings_decay_is_recovered(rng, fwhm, offset):
    """64 bi-exponential decays of 2,000 photons summed, on 0.15 ns bins: the fitted Gaussian
    IRF is within 0.03 ns (a fifth of a bin) of the true width and centre."""
    acq = Acquisition(bins=64, bin_width_ns=0.15, period_ns=12.5)
    decay = simulate_counts(np.full(64, 0.6), np.full(64, 2.5), np.full(64, 0.4),
                            np.full(64, 2000.0), acq=acq, irf=IRF(fwhm, offset), rng=rng).sum(0)
    irf, how = fit_irf(decay, acq)
    assert irf.fwhm_ns == pytest.approx(fwhm, abs=0.03)
    assert irf.offset_ns == pytest.approx(offset, abs=0.03) and irf.tail_ns == 0
    assert how.startswith("Gaussian IRF fitted to the recording's summed decay")


def test_a_measured_irf_is_fitted_with_its_tail(rng):
    """A measured IRF with Poisson noise (an ex-Gaussian of 0.16 ns at 1.5 ns, tail 0.14 ns,
    on 0.039 ns bins) gives back its parameters."""
    axis = Acquisition(bins=256, bin_width_ns=0.0390887, period_ns=12.5)
    counts = rng.poisson(2e5 * irf_histogram(axis, IRF(0.16, 1.5, 0.14)))
    irf, how = fit_irf(None, axis, measured=(counts, axis.bin_width_ns))
    assert (irf.fwhm_ns, irf.offset_ns, irf.tail_ns) == pytest.approx((0.16, 1.5, 0.14),
                                                                      abs=0.01)
    assert how.startswith("ex-Gaussian fitted to the measured IRF")


def test_the_axis_is_the_recordings_own_or_rebinned():
    own, notes = instrument_axis(Layout(0.0390887, 256, (13, 241), 12.5))
    assert (own.bins, own.bin_width_ns, own.period_ns, notes) == (256, 0.0390887, 12.5, [])
    fine, notes = instrument_axis(Layout(0.016, 1562, (0, 1562), 25.0))
    assert fine.bins == 224 <= MAX_BINS and fine.window_ns == pytest.approx(1562 * 0.016)
    assert notes == ["1562 bins of 0.016 ns rebinned to 224 of 0.111571 ns"]
    asked, notes = instrument_axis(Layout(0.1, 100, (0, 100)), bins=50)
    assert (asked.bins, asked.bin_width_ns, asked.period_ns) == (50, 0.2, 10.0)
    assert notes[-1].startswith("no laser period stated (--laser-mhz): taken as the 10 ns")
    with pytest.raises(ValueError, match="^bins must be an integer greater than 8, not 8$"):
        instrument_axis(Layout(0.1, 100, (0, 100)), bins=8)


def test_training_range_surrounds_the_irf():
    prange = training_range(IRF(0.3, 2.0), photons_max=400.0, tau_max_ns=6.0)
    assert prange.tau_ns[1] == 6.0 and prange.photons == (50, 1e4)
    assert prange.irf_offset_ns == pytest.approx((2.0 - OFFSET_JITTER_NS,
                                                  2.0 + OFFSET_JITTER_NS))
    assert prange.irf_fwhm_ns[0] < 0.3 < prange.irf_fwhm_ns[1] and prange.tailed_share == 0
    assert training_range(IRF(0.2, 1.5, 0.1), photons_max=1e6).tailed_share == 1.0


def test_a_fret_instrument_trains_on_fret_lifetimes():
    """With ``fret``, the training lifetimes are FRET_RANGE's, always two components, and the
    outputs span 6 x its longest (3 ns)."""
    prange = training_range(IRF(0.3, 2.0), photons_max=400.0, fret=True)
    assert (prange.tau_ns, prange.tau2_ns, prange.mono_share) == (
        FRET_RANGE.tau_ns, FRET_RANGE.tau2_ns, 0.0)
    layout = Layout(10 / 256, 256, (0, 256), 12.5)
    acq = Acquisition(bins=256, bin_width_ns=10 / 256, period_ns=12.5)
    decay = simulate_counts([0.4], [2.5], [0.5], [1e5], acq=acq, irf=IRF(0.3, 2.0),
                            rng=np.random.default_rng(3))[0]
    fret, notes = instrument_for(layout, decay, fret=True, photons_max=1e4)
    assert fret.prange.tau2_ns == FRET_RANGE.tau2_ns
    assert fret.step_ns == pytest.approx(OUTPUT_SPAN_TAUS * FRET_RANGE.tau2_ns[1] / 256)
    assert notes[-1].endswith(f"span {OUTPUT_SPAN_TAUS} x 3 ns")


@needs_data
def test_the_neutrophil_instrument_from_its_recording_and_its_measured_irf():
    """The B&H recording's own axis (256 bins of 0.039 ns at 80 MHz); its measured IRF fits an
    ex-Gaussian to within 2 % of its peak, and the IRF fitted to the recording's rise is no
    narrower and sits within 0.1 ns of it."""
    rec = read_input(str(DATA / "Neutrophils-021_NADH.sdt"), laser_mhz=80)
    flat = rec.counts.reshape(-1, rec.layout.bins)
    photons = float(flat.sum(1).max())
    measured = read_irf(DATA / "Neutrophils-021_IRF.asc")
    given, notes = instrument_for(rec.layout, flat.sum(0), measured_irf=measured,
                                  photons_max=photons)
    assert (given.acq.bins, given.acq.period_ns) == (256, 12.5)
    residual, = (n for n in notes if "rms residual" in n)
    assert float(residual.split("rms residual ")[1].split("%")[0]) < 2
    fitted, _ = instrument_for(rec.layout, flat.sum(0), photons_max=photons)
    assert fitted.irf.offset_ns == pytest.approx(given.irf.offset_ns, abs=0.1)
    assert fitted.irf.fwhm_ns >= given.irf.fwhm_ns
    assert given.step_ns == pytest.approx(OUTPUT_SPAN_TAUS * 5.0 / 256)
    assert given.meta()["output_step_ns"] == given.step_ns


@pytest.mark.parametrize("tau_max", [3.0, 5.0])
def test_the_output_step_lets_the_outputs_hold_the_longest_decay(tau_max):
    """On a 10 ns window of 256 bins, exact decays sampled at the output step give tau_m within
    1 % (or 25 ps: a longer step costs the shortest lifetimes ``step^2 / (12 tau)``) up to
    ``tau_max``; at the bin width, the window cuts the longest short by
    more than 3 % (3 ns) or 10 % (5 ns). A window long beside the lifetimes keeps the bin width."""
    acq = Acquisition(bins=256, bin_width_ns=10 / 256, period_ns=12.5)
    step = output_step(acq, tau_max)
    assert step * acq.bins >= OUTPUT_SPAN_TAUS * tau_max
    tau1, tau2 = np.meshgrid(np.linspace(0.05, tau_max, 40), np.linspace(0.05, tau_max, 40))
    tau1, tau2, frac = tau1.ravel(), tau2.ravel(), np.full(tau1.size, 0.5)
    truth = frac * tau1 + (1 - frac) * tau2
    found = lifetimes_from_sequences(decay_components(tau1, tau2, frac, acq=acq, step_ns=step),
                                     step)["tau_m"]
    assert np.all(np.abs(found - truth) < np.maximum(0.01 * truth, 0.025))
    cut = lifetimes_from_sequences(decay_components([tau_max], [tau_max], [1.0], acq=acq),
                                   acq.bin_width_ns)["tau_m"][0]
    assert cut < (0.97 if tau_max == 3.0 else 0.9) * tau_max
    long = Acquisition(bins=224, bin_width_ns=25 / 224, period_ns=25)
    assert output_step(long, 3.0) == long.bin_width_ns
