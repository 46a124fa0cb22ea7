import numpy as np
import pytest

from golden.phantom import phantom, phantom_parameters


def test_regions_and_dark_corner():
    p = phantom_parameters(32)
    assert set(np.unique(p["tau1"].round(3))) >= {0.3, 0.5, 0.6}
    assert (p["tau2"] >= p["tau1"]).all()
    assert p["brightness"][1, -2] == 0 and p["brightness"].max() <= 1


def test_simulated_counts_follow_brightness():
    data = phantom(32, photons=1000)
    assert data["counts"].shape == (32, 32, 135)
    totals = data["counts"].sum(axis=2)
    assert totals[1, -2] == 0
    assert np.corrcoef(totals.ravel(), data["photons"].ravel())[0, 1] > 0.95


def test_size_message():
    with pytest.raises(ValueError, match="^size must be an integer of at least 8, not 4$"):
        phantom_parameters(4)
