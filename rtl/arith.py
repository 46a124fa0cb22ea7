"""HDL forms of the spec's arithmetic rules (see :mod:`golden.fixed`)."""
from amaranth import Mux

__all__ = ["round_shift", "saturate", "partial_products", "adder_tree", "shift_add_product"]


def round_shift(value, shift):
    """Round half up by ``shift`` bits (arithmetic shift of a signed value); a negative
    ``shift`` is an exact left shift."""
    return (value + (1 << (shift - 1))) >> shift if shift > 0 else value << -shift


def saturate(value, bits):
    """Clamp to the ``bits``-wide two's-complement range."""
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return Mux(value > hi, hi, Mux(value < lo, lo, value))


def partial_products(a, b):
    """The terms of ``a * b`` as shifted copies of ``a``, one per bit of ``b``: a signed
    ``b``'s top bit weighs ``-2**(n-1)``."""
    width = len(b)
    terms = [Mux(b[i], a << i, 0) for i in range(width)]
    if b.shape().signed:
        terms[-1] = Mux(b[width - 1], -(a << (width - 1)), 0)
    return terms


def adder_tree(terms):
    """The sum of ``terms`` as a balanced tree of two-input adders (depth log2 n, not n)."""
    while len(terms) > 1:
        pairs = [terms[i] + terms[i + 1] for i in range(0, len(terms) - 1, 2)]
        terms = pairs + terms[len(pairs) * 2:]
    return terms[0]


def shift_add_product(a, b):
    """``a * b`` as a sum of shifted partial products, one per bit of ``b`` (the narrower
    operand), so that synthesis builds it from LUTs instead of a hard multiplier."""
    return adder_tree(partial_products(a, b))
