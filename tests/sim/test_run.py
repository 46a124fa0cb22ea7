import numpy as np
import pytest

from golden.export import golden_counts
from golden.pipeline import load_default
from sim import run as run_module
from sim.des import simulate
from rtl.config import SIMULATED
from rtl.multipixel import MultiPixelCore
from sim.run import RTLMismatch, run_golden, run_rtl, sample_pixels


def _core():
    """The simulated core of the shipped model."""
    return MultiPixelCore(qmodel=load_default(), bins=135, config=SIMULATED)


def test_sample_pixels_are_distinct_sorted_and_seeded():
    chosen = sample_pixels(100, 8, seed=3)
    assert len(set(chosen)) == 8 and list(chosen) == sorted(chosen)
    assert np.array_equal(chosen, sample_pixels(100, 8, seed=3))
    assert not np.array_equal(chosen, sample_pixels(100, 8, seed=4))
    assert np.array_equal(sample_pixels(5, 8, seed=3), np.arange(5))


def test_golden_backend_maps_every_pixel():
    counts = golden_counts(6, 135, seed=2).reshape(2, 3, 135)
    maps, seconds = run_golden(counts, load_default())
    assert maps["tau_m"].shape == (2, 3) and seconds > 0


def test_rtl_backend_checks_a_sample_on_the_core():
    """One of two pixels through the multi-pixel core (the flush token at the end of the frame
    starts its partly filled slot)."""
    counts = golden_counts(6, 135, seed=2)[4:6].reshape(1, 2, 135)
    maps, _, rtl = run_rtl(counts, _core(), sample=1, seed=0, clock_mhz=40.0)
    assert rtl["pixels_verified"] == 1 and rtl["matched"] is True
    assert rtl["pixels_yx"] in ([[0, 0]], [[0, 1]])
    assert rtl["core"]["lanes"] == SIMULATED.lanes
    assert rtl["latency_cycles"] > 2 * 135 * (3 * 32 * 32 / SIMULATED.rows)
    assert rtl["cycles_per_pixel"] == simulate(SIMULATED)["cycles_per_pixel"]
    assert rtl["projected_pixels_per_s"] == pytest.approx(40e6 / rtl["cycles_per_pixel"],
                                                          rel=1e-3)
    assert maps["tau_m"].shape == (1, 2)


def test_rtl_mismatch_is_an_error(monkeypatch):
    def wrong_core(core, counts, *, progress):
        records = [{"tag": 0, "cycle": 10, "tau": [0, 0, 0], "fraction": 0,
                    "tau_defined": [0, 0, 0], "fraction_defined": 0, "valid": 0}]
        return records, 10

    monkeypatch.setattr(run_module, "run_core", wrong_core)
    counts = golden_counts(6, 135, seed=2)[4:5].reshape(1, 1, 135)
    with pytest.raises(RTLMismatch, match=r"RTL result for pixel \(y=0, x=0\) differs"):
        run_rtl(counts, _core(), sample=4, seed=0)


def test_the_core_must_be_built_for_the_counts_bins():
    counts = golden_counts(2, 135, seed=2)[:, :100].reshape(1, 2, 100)
    with pytest.raises(ValueError, match="^the core is built for 135 bins, not 100$"):
        run_rtl(counts, _core(), sample=1, seed=0)
