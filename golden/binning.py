"""Spatial binning of lifetime images, as SPCImage does it: binning ``K`` gives every pixel the
summed histograms of the ``(2K + 1) x (2K + 1)`` pixels around it (fewer at the image's edges),
so the image keeps its size and dim pixels borrow their neighbours' photons."""
import numpy as np

__all__ = ["bin_pixels"]


def bin_pixels(counts, k):
    """``counts`` ``(H, W, T)`` with each pixel's histogram summed over its neighbours within
    ``k`` pixels in x and y (``k = 0``: unchanged)."""
    counts = np.asarray(counts, np.int64)
    if k == 0:
        return counts
    height, width = counts.shape[:2]
    total = np.zeros((height + 1, width + 1, counts.shape[2]), np.int64)
    total[1:, 1:] = counts.cumsum(axis=0).cumsum(axis=1)      # summed-area table
    top, bottom = np.clip(np.arange(height) - k, 0, height), np.clip(np.arange(height) + k + 1,
                                                                     0, height)
    left, right = np.clip(np.arange(width) - k, 0, width), np.clip(np.arange(width) + k + 1,
                                                                   0, width)
    return (total[bottom][:, right] - total[top][:, right] - total[bottom][:, left]
            + total[top][:, left])
