from golden.export import golden_counts
from golden.pipeline import load_default
from sim.cycles import gate_unit_macs, macs_per_pixel, measure_core


def test_macs_per_pixel_paper_configuration():
    assert macs_per_pixel(135, 32) == 855_360
    assert macs_per_pixel(135, 32) - gate_unit_macs(135, 32) == 2 * 135 * 96 * 32  # W_hh only


def test_measured_interval_follows_the_schedule():
    """Short histograms: each GRU step costs 3H*H/M matmul cycles plus the gate pipeline."""
    q = load_default()
    latency, interval = measure_core(q, golden_counts(3, 20, seed=1), 24)
    per_step = 3 * 32 * 32 / 24 + 32
    assert 2 * 20 * per_step <= interval <= 2 * 20 * (per_step + 12) + 200
    assert latency >= interval
