import numpy as np
import pytest

from golden.validate import InputError, check_bin_width, check_counts, saturated_pixels


@pytest.mark.parametrize("counts, message", [
    (np.zeros(135), r"counts must have shape \(N, T\) or \(H, W, T\), not \(135,\)"),
    (np.zeros((0, 135)), r"counts are empty \(shape \(0, 135\)\)"),
    (np.zeros((2, 70)), "histograms have 70 bins but the model expects 135"),
    (np.full((2, 135), np.nan), "counts contain 270 NaN values"),
    (np.full((1, 135), -1), "counts contain 135 negative values"),
    (np.full((1, 135), 1.5), "counts must be whole numbers of photons"),
    (np.full((1, 135), 70000), "counts exceed the 16-bit counter range \\(max 70000 > 65535\\)"),
    (np.array([["a"] * 135]), "counts must be numeric, not dtype <U1"),
])
def test_bad_counts(counts, message):
    with pytest.raises(InputError, match=f"^{message}$"):
        check_counts(counts, 135)


def test_good_counts_pass_as_int64():
    out = check_counts(np.ones((2, 3, 135), np.uint16), 135)
    assert out.dtype == np.int64 and out.shape == (2, 3, 135)


def test_bin_width():
    check_bin_width(0.09, 0.09)
    with pytest.raises(InputError, match="^bin width 0.1 ns does not match the model's 0.09 ns$"):
        check_bin_width(0.1, 0.09)


def test_saturated_pixels():
    counts = np.zeros((3, 135), np.int64)
    counts[1, 5] = 65535
    assert saturated_pixels(counts).tolist() == [False, True, False]
