import numpy as np
import pytest

from golden.phantom import phantom
from golden.models import load_weights
from golden.pipeline import DEFAULT_WEIGHTS, analyse, analyse_float, load_default
from golden.training import float_lifetimes
from golden.validate import InputError


@pytest.fixture(scope="module")
def teacher():
    return load_weights(DEFAULT_WEIGHTS.parent / "teacher.pt")[0]


@pytest.mark.parametrize("pipeline", ["integer", "float"])
def test_maps_have_image_shape_and_flags(qlite, teacher, pipeline):
    data = phantom(16, photons=3000)
    counts = data["counts"].copy()
    counts[3, 4, 60] = 65535
    done = []
    if pipeline == "integer":
        maps = analyse(counts, qlite, bin_width_ns=0.09, progress=done.append, chunk=100)
    else:
        maps = analyse_float(counts, teacher, qlite.meta["acquisition"], bin_width_ns=0.09,
                             progress=done.append, chunk=100)
        want = float_lifetimes(teacher, counts.reshape(256, 135), 0.09)[0]["tau_m"]
        keep = ~maps["saturated"].ravel()
        np.testing.assert_allclose(maps["tau_m"].ravel()[keep], want[keep], rtol=1e-6)
    assert done == [100, 100, 56]
    for key in ("tau1", "tau2", "fraction", "tau_m", "photons"):
        assert maps[key].shape == (16, 16) and maps[key].dtype == np.float32
    assert maps["saturated"][3, 4] and not maps["valid"][3, 4] and np.isnan(maps["tau_m"][3, 4])
    dark = data["photons"] == 0
    assert dark.any() and np.isnan(maps["tau_m"][dark]).all() and not maps["valid"][dark].any()


def test_refuses_mismatched_bin_width(qlite, teacher):
    with pytest.raises(InputError, match="^bin width 0.1 ns does not match"):
        analyse(np.zeros((2, 135)), qlite, bin_width_ns=0.1)
    with pytest.raises(InputError, match="^bin width 0.1 ns does not match"):
        analyse_float(np.zeros((2, 135)), teacher, qlite.meta["acquisition"], bin_width_ns=0.1)


def test_shipped_model_maps_the_phantom():
    """The shipped 8-bit model on the phantom: tau_m within 0.25 ns on average."""
    data = phantom(24, photons=3000)
    maps = analyse(data["counts"], load_default())
    true = data["frac"] * data["tau1"] + (1 - data["frac"]) * data["tau2"]
    err = np.abs(maps["tau_m"] - true)[maps["valid"]]
    assert np.nanmean(err) < 0.25
