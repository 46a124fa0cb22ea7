"""Input checks with one-line messages: every bad input is refused before any work is done."""
import numpy as np

from .fixed import FixedSpec

__all__ = ["InputError", "check_counts", "check_bin_width", "saturated_pixels"]

#: The counters every shipped model reads (:attr:`golden.fixed.FixedSpec.count_bits`).
COUNT_MAX = FixedSpec().count_max


class InputError(ValueError):
    """Bad user input; the message is one line naming the problem."""


def check_counts(counts, bins):
    """Return ``counts`` as an int64 array ``(..., T)`` or raise :class:`InputError`.

    Accepts ``(N, T)`` pixel lists and ``(H, W, T)`` images with ``T == bins``.
    """
    arr = np.asarray(counts)
    if arr.dtype.kind not in "uif":
        raise InputError(f"counts must be numeric, not dtype {arr.dtype}")
    if arr.ndim not in (2, 3):
        raise InputError(f"counts must have shape (N, T) or (H, W, T), not {arr.shape}")
    if arr.size == 0:
        raise InputError(f"counts are empty (shape {arr.shape})")
    if arr.shape[-1] != bins:
        raise InputError(f"histograms have {arr.shape[-1]} bins but the model expects {bins}")
    if arr.dtype.kind == "f":
        if np.isnan(arr).any():
            raise InputError(f"counts contain {int(np.isnan(arr).sum())} NaN values")
        if not np.all(arr == np.round(arr)):
            raise InputError("counts must be whole numbers of photons")
    if (arr < 0).any():
        raise InputError(f"counts contain {int((arr < 0).sum())} negative values")
    if (arr > COUNT_MAX).any():
        raise InputError(f"counts exceed the {FixedSpec().count_bits}-bit counter range "
                         f"(max {arr.max():g} > {COUNT_MAX})")
    return arr.astype(np.int64, copy=False)


def check_bin_width(bin_width_ns, expected_ns):
    if not np.isclose(bin_width_ns, expected_ns, rtol=1e-6, atol=0):
        raise InputError(f"bin width {bin_width_ns:g} ns does not match the model's "
                         f"{expected_ns:g} ns")


def saturated_pixels(counts):
    """Pixels with a bin at the counter's ceiling: their decay shape is clipped."""
    return (np.asarray(counts) >= COUNT_MAX).any(axis=-1)
