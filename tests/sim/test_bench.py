"""The estimators' half of the benchmark suite: accuracy, F-values, the FRET-like set, speed."""
import numpy as np
import pytest

from golden.cli_eval import load_models
from sim.bench import MONO_FIT, accuracy, fret, photon_set, throughput


@pytest.fixture(scope="module")
def models():
    return load_models(with_teacher=False)


def test_photon_set_has_exactly_the_photons_asked_for():
    data = photon_set(300, 20, seed=1)
    assert np.all(data["photons"] == pytest.approx(300))
    assert data["counts"].shape == (20, 135)


def test_accuracy_improves_with_photons(models):
    acc = accuracy(models, ["phasor", "lite_int"], photons=(100, 10000), n=300, f_pixels=100)
    for method in ("phasor", "lite_int"):
        mae = acc[method]["tau_m_mae_ns"]
        assert mae["10000"] < 0.75 * mae["100"]
        assert all(0 < f < 10 for f in acc[method]["f_value"].values())
        assert acc[method]["undefined_share"]["10000"] == 0


def test_throughput_times_every_method(models):
    counts = photon_set(1000, 200, seed=2)["counts"]
    speed = throughput(models, ["flimlib_rld", "lite_float"], counts)
    assert set(speed) == {"flimlib_rld", "lite_float"} and all(v > 0 for v in speed.values())


def test_fret_reports_components_where_a_method_gives_them(models):
    out = fret(models, ["lite_int", "flimlib_mle_mono"], n=200)
    lite, mono = out["lite_int"], out["flimlib_mle_mono"]
    assert all(0 < lite[k] < 1.5 for k in ("tau1_mae_ns", "tau2_mae_ns", "frac_mae"))
    assert (mono["tau1_mae_ns"], mono["tau2_mae_ns"], mono["frac_mae"]) == (None, None, None)
    assert mono["tau_m_mae_ns"] > 0


def test_f_values_of_a_fit_come_from_its_mono_exponential_model(models):
    acc = accuracy(models, ["flimlib_lma"], photons=(1000,), n=50, f_pixels=100)
    assert acc["flimlib_lma"]["f_value_by"] == MONO_FIT["flimlib_lma"] == "flimlib_lma_mono"
    assert 1.0 <= acc["flimlib_lma"]["f_value"]["1000"] < 3
