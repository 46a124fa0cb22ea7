"""Integer preprocessing shared by training, the integer reference and the RTL.

Background = mean of the first ``BACKGROUND_BINS`` bins (a shift), subtract, clip at 0, then shift
so the maximum lands in [0.5, 1) of an unsigned 8-bit fraction (Q0.8). No divider.
"""
import numpy as np

__all__ = ["BACKGROUND_BINS", "INPUT_BITS", "COUNT_BITS", "preprocess"]

BACKGROUND_BINS = 8
INPUT_BITS = 8
COUNT_BITS = 16


def preprocess(counts):
    """Normalise count histograms to Q0.8 network inputs.

    Parameters
    ----------
    counts : array of int, shape (N, T)
        Photon counts, 0 .. 2**16 - 1 (validate with :func:`golden.validate.check_counts`).

    Returns
    -------
    x : ndarray of uint8, shape (N, T)
        Network input; ``x / 256`` is the value the float model sees.
    valid : ndarray of bool, shape (N,)
        False where nothing is left after background subtraction ("no lifetime").
    """
    counts = np.asarray(counts, dtype=np.int64)
    background = counts[:, :BACKGROUND_BINS].sum(axis=1, keepdims=True) >> 3
    signal = np.clip(counts - background, 0, None)
    peak = signal.max(axis=1)
    valid = peak > 0
    length = np.frexp(np.maximum(peak, 1).astype(np.float64))[1]  # bit length, exact below 2**53
    shift = (length - INPUT_BITS)[:, None]
    x = np.where(shift >= 0, signal >> np.maximum(shift, 0), signal << np.maximum(-shift, 0))
    return x.astype(np.uint8), valid
