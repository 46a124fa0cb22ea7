import numpy as np
import pytest

from golden.cli_eval import load_models
from golden.evaluate import F_TAUS_NS, evaluate, f_value, metrics


def test_metrics_by_hand():
    data = {"tau1": np.array([0.5, 1.0, 2.0]), "tau2": np.array([2.0, 1.0, 3.0]),
            "frac": np.array([0.5, 1.0, 0.25]), "photons": np.array([200.0, 2000.0, 5000.0])}
    pred = {"tau1": np.array([0.6, 9.0, 2.0]), "tau2": np.array([2.0, 9.0, 2.5]),
            "fraction": np.array([0.4, 0.0, 0.25]), "tau_m": np.array([1.25, np.nan, 2.5])}
    m = metrics(pred, data)
    assert m["tau1_mae_ns"] == pytest.approx(0.05)     # bi-exponential pixels only
    assert m["tau2_mae_ns"] == pytest.approx(0.25)
    assert m["frac_mae"] == pytest.approx(0.05)
    assert m["tau_m_mae_ns"] == pytest.approx(0.125)    # |1.25-1.25|, NaN left out, |2.5-2.75|
    assert m["undefined_share"] == pytest.approx(1 / 3)
    assert m["tau_m_mae_ns_le500"] == pytest.approx(0.0)


def test_evaluate_runs_on_a_small_set():
    """The shipped models and both baselines on 48 test pixels."""
    results = evaluate(load_models(with_teacher=False), n=48,
                       methods=("lite_float", "lite_int", "flimlib_lma", "phasor"),
                       log=lambda *_: None)
    assert set(results) == {"lite_float", "lite_int", "flimlib_lma", "phasor",
                            "lite_int_f_value"}
    for method in ("lite_float", "lite_int", "flimlib_lma", "phasor"):
        r = results[method]
        assert r["pixels"] == 48 and r["pixels_per_s"] > 0
        assert r["tau_m_mae_ns"] is not None and np.isfinite(r["tau_m_mae_ns"])
    assert results["lite_int"]["params"] == 6819
    assert results["phasor"]["tau1_mae_ns"] is None
    assert results["lite_int_f_value"]["mean"] > 0




def test_f_value_is_the_relative_spread_times_sqrt_photons():
    """A constant estimator has F = 0; one with an absolute spread of 0.05 ns has
    F = sqrt(N) 0.05 / tau at each lifetime."""
    assert f_value(lambda counts: np.ones(len(counts)), photons=400, pixels=50)["mean"] == 0
    rng = np.random.default_rng(1)
    noisy = f_value(lambda counts: 1 + 0.05 * rng.standard_normal(len(counts)), photons=400,
                    pixels=4000)
    for tau, f in noisy["per_tau_ns"].items():
        assert f == pytest.approx(20 * 0.05 / float(tau), rel=0.05)
    assert list(noisy["per_tau_ns"]) == [str(t) for t in F_TAUS_NS]
