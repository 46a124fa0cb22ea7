"""Photon events: the micro-time-to-bin table of any TDC LSB, the reference histogrammer on a
stream worked out by hand, and the photon source's scene recovered by a fit."""
import numpy as np
import pytest

from golden.baselines import flimlib_lma
from golden.events import (EventKind, bin_table, histogram_events, scan_events, source_codes,
                           source_events, source_tables)
from golden.physics import IRF, Acquisition, irf_histogram

P, X, L, F = EventKind.PHOTON, EventKind.PIXEL, EventKind.LINE, EventKind.FRAME


@pytest.mark.parametrize("lsb, start", [(0.004, 0.0), (0.0166, -0.5), (0.097, 0.3)])
def test_each_code_goes_to_the_bin_holding_its_centre(lsb, start):
    acq = Acquisition()                         # 135 bins of 0.09 ns
    table = bin_table(acq, tdc_lsb_ns=lsb, micro_bits=12, start_ns=start)
    centres = start + (np.arange(4096) + 0.5) * lsb
    inside = (centres >= 0) & (centres < acq.window_ns)
    assert [b is not None for b in table] == inside.tolist()
    for code in np.flatnonzero(inside):
        b = table[code]
        assert b * acq.bin_width_ns <= centres[code] < (b + 1) * acq.bin_width_ns


def test_bad_table_arguments():
    with pytest.raises(ValueError, match="^tdc_lsb_ns must be positive, not 0$"):
        bin_table(Acquisition(), tdc_lsb_ns=0, micro_bits=4)
    with pytest.raises(TypeError, match="^acq must be an Acquisition"):
        bin_table(135, tdc_lsb_ns=0.1, micro_bits=4)


def test_a_stream_worked_out_by_hand():
    """Codes 0-3 map to bins 0, 0, 1, outside; counters of 1 bit. Pixel 0: codes 0, 2, 2 (the
    second in bin 1 saturates); pixel 1: code 1 and an outside photon; the flyback photon
    before LINE is cleared; pixel 2: code 0 three times (two saturate); a FRAME restarts the
    numbering."""
    table = [0, 0, 1, None]
    kinds = [P, P, P, X, P, P, X, P, L, P, P, P, X, F, P, X]
    micro = [0, 2, 2, 0, 1, 3, 0, 2, 0, 0, 0, 0, 0, 0, 2, 0]
    got = histogram_events(kinds, micro, table, 2, count_bits=1)
    assert [(t, c.tolist()) for t, c in got["pixels"]] == [
        (0, [1, 1]), (1, [1, 0]), (2, [1, 0]), (0, [0, 1])]
    assert (got["frames"], got["outside"], got["saturated"]) == ([3], 1, 3)


def test_a_scan_of_frames_is_histogrammed_frame_by_frame(rng):
    """300 photons in three 2 x 3 frames (the middle one without photons): the reference
    histogrammer gives each frame's pixels in scan order with that frame's photons, and a
    frame end after each frame's 6 pixels (and the stream's leading one); one FRAME between
    frames."""
    pixel, codes = rng.integers(0, 6, 300), rng.integers(0, 4, 300)
    frame = rng.choice([0, 2], 300)
    kinds, micro = scan_events(pixel, codes, frame, (2, 3), 3)
    got = histogram_events(kinds, micro, [0, 1, 2, 3], 4)
    assert got["frames"] == [0, 6, 12, 18] and got["outside"] == 0
    assert [t for t, _ in got["pixels"]] == list(range(6)) * 3
    for f in range(3):
        want = np.bincount(pixel[frame == f] * 4 + codes[frame == f], minlength=24)
        found = np.concatenate([c for _, c in got["pixels"][6 * f:6 * f + 6]])
        assert np.array_equal(found, want)
    assert np.count_nonzero(np.asarray(kinds) == F) == 4


def test_the_scene_of_the_photon_source_is_recovered():
    """Stripes of 0.8 and 2.5 ns, 4 x 4 pixels of about 4,000 photons (4 ps TDC codes, an IRF
    of 0.25 ns at 1.2 ns, a 12.5 ns laser period), histogrammed on the shipped model's axis: a
    mono-exponential fit with that IRF (FLIMLib LMA) gives each stripe's lifetime within 2 %
    (the median of its 8 pixels)."""
    acq, irf, lifetimes, scene = Acquisition(), IRF(0.25, 1.2), (0.8, 2.5), (0, 1, 1, 0)
    tables = source_tables(lifetimes, irf=irf, tdc_lsb_ns=0.004, period_ns=12.5, micro_bits=12)
    kinds, micro = source_events(scene, 4, dwell=8000, rate=128, tables=tables,
                                 period_codes=source_codes(12.5, 0.004), events=16 * 4100 + 8,
                                 seed=3)
    table = bin_table(acq, tdc_lsb_ns=0.004, micro_bits=12)
    pixels = histogram_events(kinds, micro, table, acq.bins)["pixels"][:16]
    counts = np.array([c for _, c in pixels])
    truth = np.array([lifetimes[scene[tag % len(scene)]] for tag, _ in pixels])
    assert counts.sum(1).min() > 3500
    fit = flimlib_lma(counts, irf=irf_histogram(acq, irf), bin_width_ns=acq.bin_width_ns,
                      components=1)
    for lifetime in lifetimes:
        assert np.median(fit["tau_m"][truth == lifetime]) == pytest.approx(lifetime, rel=0.02)
