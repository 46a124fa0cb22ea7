from golden.export import golden_counts
from golden.pipeline import load_default
from sim.cycles import gate_unit_macs, macs_per_pixel, measure_core
from rtl.config import CoreConfig
from sim.des import simulate


def test_macs_per_pixel_paper_configuration():
    assert macs_per_pixel(135, 32) == 855_360
    assert macs_per_pixel(135, 32) - gate_unit_macs(135, 32) == 2 * 135 * 96 * 32  # W_hh only


def test_measured_interval_is_the_des_baseline():
    """Short histograms through the one-pixel core: the interval the discrete-event model
    predicts for it (to the cycle: the DES counts one more, 0.01 % at T = 20), and a latency
    of at least one interval."""
    latency, interval = measure_core(load_default(), golden_counts(3, 20, seed=1), 24)
    predicted = simulate(CoreConfig(rows=24, batch=1, slots=1), bins=20)["cycles_per_pixel"]
    assert abs(interval - predicted) <= 1, (interval, predicted)
    assert latency >= interval
