"""The fixed-point spec: the single source of truth for every format, rounding rule and table.

The integer reference (:mod:`golden.intref`), quantization-aware training (:mod:`golden.qat`) and
the RTL generators all read their formats from a :class:`FixedSpec` and their activation tables
from :func:`build_lut`.

Rules
-----
* Rounding: ``round_shift`` is round-half-up (add half an LSB, arithmetic shift right).
* Saturation: ``saturate`` clamps to the two's-complement (or unsigned) range; nothing wraps.
* Activation lookup: index-then-clamp (hls4ml style). The index is the pre-activation floored to
  the table's input grid, offset to the table centre and clamped to ``[0, 2**lut_index_bits)``;
  each entry holds the function at its interval's midpoint, rounded to the output format.
"""
import math
from dataclasses import asdict, dataclass
from typing import ClassVar

import numpy as np

__all__ = ["FixedSpec", "round_shift", "saturate", "align", "lut_index", "build_lut",
           "lut_error"]


@dataclass(frozen=True)
class FixedSpec:
    """Number formats of the quantized Seq2Seq.

    Parameters
    ----------
    bits : int
        Width of the hidden state (Q0.bits-1, in [-1, 1)), sigmoid outputs (unsigned Q0.bits)
        and tanh outputs (Q0.bits-1).
    weight_bits : int
        Width of the weights (each tensor at its own power-of-two scale).
    count_bits : int
        Width of a histogram bin's photon counter (the input of preprocessing).
    background_bins : int
        Preprocessing's background is the mean of this many leading bins: a power of two, so
        the mean is a shift by ``background_shift``.
    input_bits : int
        Width of the unsigned Q0.input_bits network input made by preprocessing.
    lut_index_bits : int
        Address width of each activation table.
    sigmoid_range, tanh_range : float
        Each table covers ``[-range, range)``; powers of two.
    output_bits, output_frac : int
        Dense-head output format (signed), which feeds the running integrals.
    quotient_bits, quotient_frac : int
        Divider result format (unsigned): lifetimes in bins, fraction in [0, 1].
    bias_bits : int
        Biases are stored at their accumulator's scale, saturated to this width.
    tag_bits : int
        Width of the pixel tag a core carries from its input to its result.

    ``CHANNELS``: the head's outputs, the full decay, the short and the long component.
    """
    CHANNELS: ClassVar[int] = 3
    bits: int = 8
    weight_bits: int = 8
    count_bits: int = 16
    background_bins: int = 8
    input_bits: int = 8
    lut_index_bits: int = 10
    sigmoid_range: float = 8.0
    tanh_range: float = 4.0
    output_bits: int = 16
    output_frac: int = 12
    quotient_bits: int = 16
    quotient_frac: int = 8
    bias_bits: int = 32
    tag_bits: int = 16

    def __post_init__(self):
        for name in ("bits", "weight_bits", "count_bits", "input_bits", "lut_index_bits",
                     "output_bits", "quotient_bits", "bias_bits", "tag_bits"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 2:
                raise ValueError(f"{name} must be an integer of at least 2, not {value!r}")
        if not (isinstance(self.background_bins, int) and self.background_bins >= 1
                and self.background_bins & (self.background_bins - 1) == 0):
            raise ValueError(f"background_bins must be a power of two, not "
                             f"{self.background_bins!r}")
        for name in ("sigmoid_range", "tanh_range"):
            value = getattr(self, name)
            if not (value > 0 and math.log2(value).is_integer()):
                raise ValueError(f"{name} must be a power of two, not {value!r}")

    @property
    def background_shift(self):
        """``log2(background_bins)``: the background's mean as a shift of their sum."""
        return self.background_bins.bit_length() - 1

    @property
    def count_max(self):
        """The largest count a bin's counter holds."""
        return (1 << self.count_bits) - 1

    @property
    def state_frac(self):
        return self.bits - 1

    @property
    def sigmoid_frac(self):
        return self.bits

    @property
    def tanh_frac(self):
        return self.bits - 1

    def lut_in_frac(self, kind):
        """Fraction bits of a table's input grid (its step is ``2**-lut_in_frac``)."""
        span = {"sigmoid": self.sigmoid_range, "tanh": self.tanh_range}[kind]
        return self.lut_index_bits - 1 - int(math.log2(span))

    def to_dict(self):
        return asdict(self)


def round_shift(value, shift):
    """``value / 2**shift`` rounded half up; a negative ``shift`` is an exact left shift."""
    value = np.asarray(value, dtype=np.int64)
    if shift > 0:
        return (value + (1 << (shift - 1))) >> shift
    return value << (-shift)


def saturate(value, bits, signed=True):
    """Clamp to a ``bits``-wide signed or unsigned integer range."""
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    return np.clip(value, lo, hi)


def align(value, frac, to_frac):
    """Exact move of an accumulator from ``frac`` to a larger ``to_frac`` fraction width."""
    if to_frac < frac:
        raise ValueError(f"cannot align fraction {frac} down to {to_frac} exactly")
    return np.asarray(value, dtype=np.int64) << (to_frac - frac)


def lut_index(pre, pre_frac, spec, kind):
    """Table address for pre-activations with ``pre_frac`` fraction bits (floor, then clamp)."""
    shift = pre_frac - spec.lut_in_frac(kind)
    pre = np.asarray(pre, dtype=np.int64)
    grid = pre >> shift if shift >= 0 else pre << -shift
    return np.clip(grid + (1 << (spec.lut_index_bits - 1)), 0, (1 << spec.lut_index_bits) - 1)


def _function(kind):
    return {"sigmoid": lambda v: 1 / (1 + np.exp(-v)), "tanh": np.tanh}[kind]


def build_lut(kind, spec):
    """Contents of the ``"sigmoid"`` or ``"tanh"`` table as int64, ``2**lut_index_bits`` entries.

    Sigmoid entries are unsigned Q0.sigmoid_frac, tanh entries signed Q0.tanh_frac.
    """
    size = 1 << spec.lut_index_bits
    step = 2.0 ** -spec.lut_in_frac(kind)
    centres = (np.arange(size) - size // 2 + 0.5) * step
    values = _function(kind)(centres)
    if kind == "sigmoid":
        return saturate(np.round(values * 2 ** spec.sigmoid_frac).astype(np.int64),
                        spec.sigmoid_frac, signed=False)
    return saturate(np.round(values * 2 ** spec.tanh_frac).astype(np.int64), spec.tanh_frac + 1)


def lut_error(kind, spec, samples=200_001, span=2.0):
    """Max and mean absolute error of the table vs the float function over
    ``span`` times the table's input range (covers the clamped tails)."""
    limit = span * {"sigmoid": spec.sigmoid_range, "tanh": spec.tanh_range}[kind]
    x = np.linspace(-limit, limit, samples)
    frac = 30
    pre = np.floor(x * 2 ** frac).astype(np.int64)
    out_frac = spec.sigmoid_frac if kind == "sigmoid" else spec.tanh_frac
    table = build_lut(kind, spec) / 2 ** out_frac
    err = np.abs(table[lut_index(pre, frac, spec, kind)] - _function(kind)(x))
    return float(err.max()), float(err.mean())
