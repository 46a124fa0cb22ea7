"""The datapath's widths, derived once from a quantized model: the RTL builds its registers from
:func:`datapath_widths`, and :func:`golden.intref.run_network` asserts that its intermediates fit
them (:func:`check_fits`)."""
import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Widths", "datapath_widths", "layer_shifts", "check_fits"]


def _signed_bits(bound):
    """Signed width holding every integer of magnitude up to ``bound``."""
    return int(bound).bit_length() + 1


@dataclass(frozen=True)
class Widths:
    """Bits of the datapath's intermediates (signed unless named otherwise).

    ``acc``: a recurrent matmul accumulator, ``W_hh h`` before alignment; ``pre``: a
    pre-activation at the accumulator scale, before the shift to the tables' scale; ``head``:
    the Dense(3) accumulator with its bias; ``sum`` and ``first`` (unsigned): a running integral
    of the clamped head outputs over ``T`` steps, and its first step; ``lut_frac``: the tables'
    common input scale (the coarsest layer's accumulator scale)."""
    acc: int
    pre: int
    head: int
    sum: int
    first: int
    lut_frac: int


def layer_shifts(layer, lut_frac):
    """``(x_shift, h_shift, lut_shift)``: the input and recurrent products' alignments to the
    layer's accumulator scale, and from it to the tables' scale ``lut_frac`` (floor shifts
    compose exactly)."""
    P = layer.acc_frac
    shifts = (P - layer.x_frac, P - layer.h_frac, P - lut_frac)
    if min(shifts) < 0:
        raise ValueError("the accumulator scale must be the finest of the layer's scales")
    return shifts


def datapath_widths(qmodel, bins):
    """The :class:`Widths` of one-layer ``qmodel`` on ``bins``-step histograms: each from the
    largest magnitude its terms can reach (weights of ``spec.weight_bits``, states and tables in
    ``[-1, 1]``, inputs below ``2**input_bits``, the biases as stored)."""
    spec = qmodel.spec
    layers = (*qmodel.encoder, *qmodel.decoder)
    H = layers[0].hidden_size
    w_max, x_max = 1 << (spec.weight_bits - 1), (1 << spec.input_bits) - 1
    product = H * w_max << spec.state_frac          # a row of weights by a state
    lut_frac = min(layer.acc_frac for layer in layers)

    def pre_bound(layer):
        xs, hs, _ = layer_shifts(layer, lut_frac)
        bias = int(np.abs(layer.b_ih).max() + np.abs(layer.b_hh).max())
        return (w_max * x_max << xs) + (product << hs) + bias

    head_bound = product + int(np.abs(qmodel.head_b).max())
    return Widths(acc=_signed_bits(product),
                  pre=max(map(pre_bound, layers)).bit_length() + 1, head=_signed_bits(head_bound),
                  sum=spec.output_bits - 1 + math.ceil(math.log2(bins)),
                  first=spec.output_bits - 1, lut_frac=lut_frac)


def check_fits(name, values, bits, signed=True):
    """Raise ``OverflowError`` unless every integer of ``values`` fits ``bits`` (two's
    complement if ``signed``)."""
    values = np.asarray(values)
    if values.size == 0:
        return
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    low, high = int(values.min()), int(values.max())
    if low < lo or high > hi:
        raise OverflowError(f"{name} reaches {low if low < lo else high}, outside the "
                            f"datapath's {bits} {'signed' if signed else 'unsigned'} bits")
