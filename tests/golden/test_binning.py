import numpy as np
import pytest

from golden.binning import bin_pixels


@pytest.mark.parametrize("k", [0, 1, 2])
def test_each_pixel_sums_its_neighbourhood(rng, k):
    counts = rng.poisson(3, (7, 9, 5))
    binned = bin_pixels(counts, k)
    for y, x in [(0, 0), (3, 4), (6, 8), (2, 0)]:
        block = counts[max(y - k, 0):y + k + 1, max(x - k, 0):x + k + 1]
        assert np.array_equal(binned[y, x], block.sum(axis=(0, 1)))
    assert binned.shape == counts.shape and binned.dtype == np.int64
