"""Integer preprocessing shared by training, the integer reference and the RTL.

Background = mean of the first ``spec.background_bins`` bins (a shift), subtract, clip at 0,
then shift so the maximum lands in [0.5, 1) of an unsigned ``spec.input_bits``-bit fraction
(Q0.8). No divider. The formats are :class:`golden.fixed.FixedSpec`'s.
"""
import numpy as np

from .fixed import FixedSpec

__all__ = ["preprocess", "input_dtype"]


def input_dtype(spec):
    """The unsigned numpy type of a network input: the narrowest that holds ``input_bits``."""
    return np.min_scalar_type((1 << spec.input_bits) - 1)


def preprocess(counts, spec=FixedSpec()):
    """Normalise count histograms to Q0.``input_bits`` network inputs.

    Parameters
    ----------
    counts : array of int, shape (N, T)
        Photon counts, 0 .. ``spec.count_max`` (validate with
        :func:`golden.validate.check_counts`).
    spec : golden.fixed.FixedSpec
        The model's formats (``background_bins``, ``input_bits``).

    Returns
    -------
    x : ndarray of :func:`input_dtype`, shape (N, T)
        Network input; ``x / 2**input_bits`` is the value the float model sees.
    valid : ndarray of bool, shape (N,)
        False where nothing is left after background subtraction ("no lifetime").
    """
    counts = np.asarray(counts, dtype=np.int64)
    background = (counts[:, :spec.background_bins].sum(axis=1, keepdims=True)
                  >> spec.background_shift)
    signal = np.clip(counts - background, 0, None)
    peak = signal.max(axis=1)
    valid = peak > 0
    length = np.frexp(np.maximum(peak, 1).astype(np.float64))[1]  # bit length, exact below 2**53
    shift = (length - spec.input_bits)[:, None]
    x = np.where(shift >= 0, signal >> np.maximum(shift, 0), signal << np.maximum(-shift, 0))
    return x.astype(input_dtype(spec)), valid
