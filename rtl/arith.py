"""HDL forms of the spec's arithmetic rules (see :mod:`golden.fixed`)."""
from amaranth import Mux

__all__ = ["round_shift", "saturate", "signed_width"]


def round_shift(value, shift):
    """Round half up by ``shift`` bits (arithmetic shift of a signed value); a negative
    ``shift`` is an exact left shift."""
    return (value + (1 << (shift - 1))) >> shift if shift > 0 else value << -shift


def saturate(value, bits):
    """Clamp to the ``bits``-wide two's-complement range."""
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return Mux(value > hi, hi, Mux(value < lo, lo, value))


def signed_width(bound):
    """Signed width holding every integer of magnitude up to ``bound``."""
    return int(bound).bit_length() + 1
