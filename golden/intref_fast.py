"""Compiled fast path of the integer reference: :func:`golden.intref.run_counts` bit for bit.

The same steps as :func:`golden.preprocess.preprocess`, :func:`golden.intref.run_network` and
:func:`golden.intref.lifetimes`, compiled with numba. Pixels go through the network ``BLOCK`` at
a time, the blocks spread over numba's threads (``prange``). A block's states are unit-major,
``(H, BLOCK)``, so that each matrix product is one float BLAS call and each gate step a few
loops over contiguous rows that the compiler vectorises, with the table lookups in loops of
their own (a vector gather is slower than a scalar load here).

Every gate value is an integer held exactly in a float (float32 where :func:`_float_type`
proves the bounds, as :func:`golden.intref.matmul_exact` does for its products), so the float
``floor`` of a power-of-two scaling is the reference's arithmetic shift, and
:mod:`golden.fixed`'s rounding rules hold as restated below; preprocessing, the head's
rounding and the divisions stay int64. :mod:`golden.intref` remains the readable reference and
``tests/golden/test_intref_fast.py`` proves the two equal.
"""
from collections import namedtuple

import numpy as np
from numba import njit, prange

from .fixed import build_lut
from .preprocess import input_dtype

__all__ = ["BLOCK", "Packed", "pack", "run_counts_fast"]

BLOCK = 128
"""Pixels one thread carries through the network together (the columns of its products)."""

Packed = namedtuple("Packed", [
    "w_in", "w_ih", "w_hh", "head_w",       # (3H,); (2L, 3H, H), (2L, 3H, H); (3, H)
    "b_rz", "b_xn", "b_hn", "head_b",       # (2L, 2H); (2L, H), (2L, H); (3,) int64
    "sigmoid_scale", "tanh_scale",          # (2L,): 2**(lut_in_frac(kind) - acc_frac)
    "sigmoid", "tanh",                      # the two tables
    "lut_lo", "lut_hi", "one", "round_half", "frac_scale", "state_lo", "state_hi",
    "head_shift", "output_bits", "quotient_frac", "quotient_bits",
    "background_bins", "background_shift", "input_bits"])
"""A quantized model as plain arrays and numbers, the compiled kernel's argument.

Layers are encoder then decoder. Weights carry their layer's align shift (``W * 2**(acc_frac -
frac)``), so products land at ``acc_frac``; ``w_in`` is the encoder's first (scalar-input)
layer, whose ``w_ih`` stays zero like that of the decoder's first (input-free) layer. ``b_rz``
is ``b_ih + b_hh`` of the r and z gates, ``b_xn``/``b_hn`` the n gate's two biases. All but
``head_b`` and the trailing ints are integers held exactly in one float type
(:func:`_float_type`); ``lut_lo`` ... ``state_hi`` are the table's index range around its
centre, ``2**sigmoid_frac``, half of it, its inverse, and the state's range; the last three
are preprocessing's (:class:`golden.fixed.FixedSpec`).
"""


def _float_type(qmodel):
    """float32, or float64 where float32 would not hold every value of the gates exactly.

    Bounds: :func:`golden.intref.matmul_exact`'s (``I * max|a| * max|w|``) moved by the align
    shifts, plus the biases and ``2 * 2**sigmoid_frac`` (the rounded ``r * h_n`` on its way,
    :func:`_round_product`), widened where a table's grid is finer than ``acc_frac``; the head's
    product; ``2**(2 bits + 1)`` for the state update. Raises ``OverflowError`` where even
    float64 would not be exact.
    """
    spec = qmodel.spec
    state_max = 1 << spec.state_frac
    peak = lambda a: int(np.abs(a).max(initial=0))                      # noqa: E731
    product = lambda w, a_max, shift: (w.shape[1] * a_max * peak(w)) << shift   # noqa: E731
    bounds = [product(qmodel.head_w, state_max, 0), 1 << (2 * spec.bits + 1)]
    for part in (qmodel.encoder, qmodel.decoder):
        for l, layer in enumerate(part):
            # inputs: states, the Q0.8 counts (first encoder layer), none (first decoder layer)
            a_max = state_max if l else (1 << spec.input_bits) * (part is qmodel.encoder)
            pre = (product(layer.w_ih, a_max, layer.acc_frac - layer.x_frac)
                   + product(layer.w_hh, state_max, layer.acc_frac - layer.h_frac)
                   + peak(layer.b_ih) + peak(layer.b_hh) + (2 << spec.sigmoid_frac))
            bounds += [pre << max(spec.lut_in_frac(kind) - layer.acc_frac, 0)
                       for kind in ("sigmoid", "tanh")]
    for dtype, mantissa in ((np.float32, 24), (np.float64, 53)):
        if max(bounds) < 2 ** mantissa:
            return dtype
    raise OverflowError(f"values up to {max(bounds)} exceed exact float range")


def pack(qmodel):
    """:class:`Packed` arrays of ``qmodel``.

    Raises ``OverflowError`` (see :func:`_float_type`), and ``ValueError`` unless encoder and
    decoder have as many layers, all of the head's hidden size.
    """
    spec, layers, H = qmodel.spec, qmodel.encoder + qmodel.decoder, qmodel.head_w.shape[1]
    if any(l.hidden_size != H for l in layers) or len(qmodel.encoder) != len(qmodel.decoder):
        raise ValueError(f"layers of hidden sizes {[l.hidden_size for l in layers]}, head {H}")
    F = _float_type(qmodel)
    stack = lambda f: np.array([f(l) for l in layers], F)              # noqa: E731
    x_scale = [2.0 ** (l.acc_frac - l.x_frac) for l in layers]
    w_ih = np.zeros((len(layers), 3 * H, H), F)
    for l in range(len(layers)):
        if l % len(qmodel.encoder):                                     # fed by a state
            w_ih[l] = layers[l].w_ih * x_scale[l]
    size, f = 1 << spec.lut_index_bits, spec.sigmoid_frac
    return Packed(
        (layers[0].w_ih[:, 0] * x_scale[0]).astype(F), w_ih,
        stack(lambda l: l.w_hh * 2.0 ** (l.acc_frac - l.h_frac)), qmodel.head_w.astype(F),
        stack(lambda l: l.b_ih[:2 * H] + l.b_hh[:2 * H]), stack(lambda l: l.b_ih[2 * H:]),
        stack(lambda l: l.b_hh[2 * H:]), np.asarray(qmodel.head_b, np.int64),
        *(stack(lambda l: 2.0 ** (spec.lut_in_frac(kind) - l.acc_frac))
          for kind in ("sigmoid", "tanh")),
        build_lut("sigmoid", spec).astype(F), build_lut("tanh", spec).astype(F),
        *(F(v) for v in (-(size // 2), size // 2 - 1, 1 << f, 1 << (f - 1), 2.0 ** -f,
                         -(1 << (spec.bits - 1)), (1 << (spec.bits - 1)) - 1)),
        qmodel.head_acc_frac - spec.output_frac, spec.output_bits, spec.quotient_frac,
        spec.quotient_bits, spec.background_bins, spec.background_shift, spec.input_bits)


@njit
def _round_shift(value, shift):
    """:func:`golden.fixed.round_shift` of one value (either sign of ``shift``, no branch)."""
    right, left = max(shift, 0), max(-shift, 0)
    return ((value << left) + ((1 << right) >> 1)) >> right


@njit
def _saturate(value, bits, signed):
    """:func:`golden.fixed.saturate` of one value."""
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    return min(max(value, lo), hi)


@njit
def _preprocess(m, counts, x):
    """One pixel of :func:`golden.preprocess.preprocess`: fills ``x``, returns ``valid``."""
    background = 0
    for t in range(min(m.background_bins, counts.size)):
        background += counts[t]
    background >>= m.background_shift
    peak = 0
    for t in range(counts.size):
        peak = max(peak, counts[t] - background)
    length, rest = 0, max(peak, 1)
    while rest:
        length, rest = length + 1, rest >> 1
    shift = length - m.input_bits
    for t in range(counts.size):
        signal = max(counts[t] - background, 0)
        x[t] = signal >> shift if shift >= 0 else signal << -shift
    return peak > 0


@njit
def _index(pre, scale, lo, hi):
    """:func:`golden.fixed.lut_index` of an exact float ``pre``: ``scale`` is
    ``2**(lut_in_frac - pre_frac)``; floor, clamp to ``[lo, hi]``, offset to the first entry."""
    return np.uint32(min(max(np.floor(pre * scale), lo), hi) - lo)


@njit
def _round_product(r, h, one, half, scale):
    """``round_shift(r * h, frac)`` of exact floats, ``0 <= r < one = 2**frac``, without
    leaving the range of ``h``: with ``h = hi * one + lo``, ``0 <= lo < one``, it is
    ``r * hi + round_shift(r * lo, frac)`` (``half = one / 2``, ``scale = 1 / one``)."""
    hi = np.floor(h * scale)
    return r * hi + np.floor((r * (h - hi * one) + half) * scale)


@njit
def _look_up(table, index, out):
    """``out = table[index]``, a loop of its own so that the arithmetic around it vectorises."""
    for i in range(index.size):
        out[i] = table[index[i]]


@njit
def _gru_step(m, l, gx, gh, h, index, rz, n):
    """:func:`golden.intref.gru_layer_step` of layer ``l`` after its products ``gx = W_ih x``
    and ``gh = W_hh h`` ``(3H, B)`` (at ``acc_frac``): updates the states ``h`` ``(H, B)``.
    ``index``, ``rz`` (``2HB``) and ``n`` (``HB``) are scratch. Inner loops touch only arrays
    they index (everything else is hoisted), so that they vectorise."""
    H, B = h.shape
    lo, hi, half, scale, one = m.lut_lo, m.lut_hi, m.round_half, m.frac_scale, m.one
    sigmoid_scale, tanh_scale = m.sigmoid_scale[l], m.tanh_scale[l]
    for k in range(2 * H):
        bias, x, g, out = m.b_rz[l, k], gx[k], gh[k], index[k * B:(k + 1) * B]
        for b in range(B):
            out[b] = _index(x[b] + g[b] + bias, sigmoid_scale, lo, hi)
    _look_up(m.sigmoid, index, rz)
    for j in range(H):
        b_x, b_h, x, g = m.b_xn[l, j], m.b_hn[l, j], gx[2 * H + j], gh[2 * H + j]
        r, out = rz[j * B:(j + 1) * B], index[j * B:(j + 1) * B]
        for b in range(B):
            n_pre = x[b] + b_x + _round_product(r[b], g[b] + b_h, one, half, scale)
            out[b] = _index(n_pre, tanh_scale, lo, hi)
    _look_up(m.tanh, index[:H * B], n)
    state_lo, state_hi = m.state_lo, m.state_hi
    for j in range(H):
        z, n_j, h_j = rz[(H + j) * B:(H + j + 1) * B], n[j * B:(j + 1) * B], h[j]
        for b in range(B):
            new = np.floor((n_j[b] * one + z[b] * (h_j[b] - n_j[b]) + half) * scale)
            h_j[b] = min(max(new, state_lo), state_hi)


@njit
def _head(m, head, outputs, sums, first, t):
    """Dense(3) outputs at step ``t`` from ``head = head_w @ h`` ``(3, B)``; adds the clamped
    outputs to the running ``sums`` (and ``first`` at ``t = 0``)."""
    shift, bits = m.head_shift, m.output_bits
    for b in range(head.shape[1]):
        for c in range(3):
            out = _saturate(_round_shift(np.int64(head[c, b]) + m.head_b[c], shift), bits, True)
            outputs[b, t, c] = out
            sums[b, c] += max(out, 0)
            if t == 0:
                first[b, c] = max(out, 0)


@njit
def _network(m, x, outputs, sums, first):
    """:func:`golden.intref.run_network` of the pixels ``x`` ``(B, T)``: fills ``outputs``,
    ``sums`` and ``first`` (zeros on entry)."""
    B, T = x.shape
    layers, H, F = m.w_hh.shape[0] // 2, m.w_hh.shape[2], m.w_hh.dtype
    h = np.zeros((layers, H, B), F)
    gx, gh, head = np.empty((3 * H, B), F), np.empty((3 * H, B), F), np.empty((3, B), F)
    index, rz, n = np.empty(2 * H * B, np.uint32), np.empty(2 * H * B, F), np.empty(H * B, F)
    column = np.empty(B, F)
    for t in range(T):
        for l in range(layers):
            if l == 0:
                column[:] = x[:, t]
                for k in range(3 * H):
                    for b in range(B):
                        gx[k, b] = m.w_in[k] * column[b]
            else:
                np.dot(m.w_ih[l], h[l - 1], gx)
            np.dot(m.w_hh[l], h[l], gh)
            _gru_step(m, l, gx, gh, h[l], index, rz, n)
    no_input = np.zeros((3 * H, B), F)
    for t in range(T):
        for l in range(layers):
            if l:
                np.dot(m.w_ih[layers + l], h[l - 1], gx)
            np.dot(m.w_hh[layers + l], h[l], gh)
            _gru_step(m, layers + l, gx if l else no_input, gh, h[l], index, rz, n)
        np.dot(m.head_w, h[layers - 1], head)
        _head(m, head, outputs, sums, first, t)


@njit
def _divide(numerator, denominator, frac, bits):
    """:func:`golden.intref.divide` of one pair."""
    q = (numerator << frac) // denominator if denominator > 0 else 0
    return _saturate(q, bits, False)


@njit(parallel=True, cache=True)
def _run(m, counts, x, valid, outputs, sums, first, tau, fraction):
    """Every pixel of ``counts`` ``(N, T)`` through preprocessing, network and lifetimes."""
    N, half = counts.shape[0], 1 << (m.quotient_frac - 1)
    for block in prange((N + BLOCK - 1) // BLOCK):
        lo, hi = block * BLOCK, min(block * BLOCK + BLOCK, N)
        for p in range(lo, hi):
            valid[p] = _preprocess(m, counts[p], x[p])
        _network(m, x[lo:hi], outputs[lo:hi], sums[lo:hi], first[lo:hi])
        for p in range(lo, hi):
            for c in range(3):
                tau[p, c] = max(_divide(sums[p, c], first[p, c], m.quotient_frac,
                                        m.quotient_bits) - half, 0)
            fraction[p] = _divide(first[p, 1], first[p, 1] + first[p, 2], m.quotient_frac,
                                  m.quotient_bits)


def run_counts_fast(qmodel, counts):
    """:func:`golden.intref.run_counts`, compiled: the same keys, values and dtypes."""
    m = pack(qmodel)
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    N, T = counts.shape
    x, valid = np.empty((N, T), input_dtype(qmodel.spec)), np.empty(N, bool)
    outputs, sums, first = (np.empty((N, T, 3), np.int64), np.zeros((N, 3), np.int64),
                            np.zeros((N, 3), np.int64))
    tau, fraction = np.empty((N, 3), np.int64), np.empty(N, np.int64)
    _run(m, counts, x, valid, outputs, sums, first, tau, fraction)
    return {"outputs": outputs, "sums": sums, "first": first, "tau_q": tau,
            "fraction_q": fraction, "tau_defined": first > 0,
            "fraction_defined": (first[:, 1] + first[:, 2]) > 0, "x": x, "valid": valid}
