"""Bit-exact integer reference of the quantized Seq2Seq, vectorised over pixels.

Everything the RTL computes, in the same order and with the same rounding (see
:mod:`golden.fixed`): preprocessing, GRU layers, decoder, Dense(3), running integrals of the
clamped outputs, and the final divisions.

Matrix products run through float BLAS, which is exact while every partial sum stays below the
mantissa limit; :func:`matmul_exact` proves that bound for each call and picks float32 or float64.
"""
import numpy as np

from .fixed import align, build_lut, lut_index, round_shift, saturate
from .preprocess import preprocess
from .widths import check_fits, datapath_widths

__all__ = ["matmul_exact", "gru_layer_step", "run_network", "divide", "lifetimes",
           "run_counts", "to_physical"]


def matmul_exact(a, w, a_max):
    """``a @ w.T`` for integer arrays, exactly; ``a_max`` bounds ``|a|``."""
    if w.shape[1] == 1:
        return a.astype(np.int64) * w[:, 0]
    bound = w.shape[1] * a_max * int(np.max(np.abs(w), initial=0))
    if bound < 2 ** 24:
        dtype = np.float32
    elif bound < 2 ** 53:
        dtype = np.float64
    else:
        raise OverflowError(f"accumulator bound {bound} exceeds exact float range")
    return (a.astype(dtype) @ w.T.astype(dtype)).astype(np.int64)


class _Tables:
    def __init__(self, spec):
        self.spec = spec
        self.sigmoid = build_lut("sigmoid", spec)
        self.tanh = build_lut("tanh", spec)

    def __call__(self, kind, pre, frac):
        return getattr(self, kind)[lut_index(pre, frac, self.spec, kind)]


def gru_layer_step(layer, tables, x_acc, h, record=None, widths=None):
    """One GRU step. ``x_acc`` is ``W_ih x`` already aligned to ``acc_frac`` plus ``b_ih``;
    ``h`` is the ``(N, H)`` state. Returns the new state; fills ``record`` if given; with
    ``widths`` (:class:`golden.widths.Widths`), checks that the RTL's registers hold every
    intermediate."""
    spec = tables.spec
    H, P = layer.hidden_size, layer.acc_frac
    state_max = 1 << spec.state_frac
    products = matmul_exact(h, layer.w_hh, state_max)
    h_acc = align(products, layer.h_frac, P) + layer.b_hh
    pre_rz = x_acc[:, :2 * H] + h_acc[:, :2 * H]
    r = tables("sigmoid", pre_rz[:, :H], P)
    z = tables("sigmoid", pre_rz[:, H:], P)
    n_pre = x_acc[:, 2 * H:] + round_shift(r * h_acc[:, 2 * H:], spec.sigmoid_frac)
    if widths is not None:
        check_fits("W_hh h", products, widths.acc)
        for name, value in (("r and z pre-activations", pre_rz),
                            ("W_hn h + b_hn", h_acc[:, 2 * H:]), ("n pre-activation", n_pre)):
            check_fits(name, value, widths.pre)
    n = tables("tanh", n_pre, P)
    one = 1 << spec.sigmoid_frac
    h_new = saturate(round_shift((one - z) * n + z * h, spec.sigmoid_frac), spec.bits)
    if record is not None:
        for key, value in (("r", r), ("z", z), ("n_pre", n_pre), ("n", n), ("h", h_new)):
            record.setdefault(key, []).append(value)
    return h_new


def _input_acc(layer, x, x_max):
    acc = matmul_exact(x, layer.w_ih, x_max)
    return align(acc, layer.x_frac, layer.acc_frac) + layer.b_ih


def run_network(qmodel, x, record=False):
    """Run the integer network on Q0.8 inputs ``x`` ``(N, T)``.

    Returns a dict with ``outputs`` ``(N, T, 3)`` (head outputs at ``output_frac``), ``sums``
    and ``first`` ``(N, 3)`` (running integrals of the outputs clamped at 0, and their first
    values) and, with ``record``, per-step intermediates ``encoder``/``decoder`` (per layer a
    dict of ``(T, N, ...)`` arrays of ``r``, ``z``, ``n_pre``, ``n``, ``h``).
    """
    spec = qmodel.spec
    tables = _Tables(spec)
    x = np.asarray(x, dtype=np.int64)
    N, T = x.shape
    states = [np.zeros((N, l.hidden_size), np.int64) for l in qmodel.encoder]
    # the RTL runs one-layer models: their intermediates must fit its widths
    widths = (datapath_widths(qmodel, T) if len(qmodel.encoder) == len(qmodel.decoder) == 1
              else None)
    records = {"encoder": [{} for _ in qmodel.encoder], "decoder": [{} for _ in qmodel.decoder]}
    x_max, state_max = 1 << spec.input_bits, 1 << spec.state_frac
    for t in range(T):
        inp, inp_max = x[:, t:t + 1], x_max
        for l, layer in enumerate(qmodel.encoder):
            states[l] = gru_layer_step(layer, tables, _input_acc(layer, inp, inp_max), states[l],
                                       records["encoder"][l] if record else None, widths)
            inp, inp_max = states[l], state_max
    outputs = np.empty((N, T, 3), np.int64)
    zero_input = [np.broadcast_to(l.b_ih, (N, l.b_ih.size)) for l in qmodel.decoder[:1]]
    for t in range(T):
        for l, layer in enumerate(qmodel.decoder):
            x_acc = zero_input[0] if l == 0 else _input_acc(layer, states[l - 1], state_max)
            states[l] = gru_layer_step(layer, tables, x_acc, states[l],
                                       records["decoder"][l] if record else None, widths)
        acc = matmul_exact(states[-1], qmodel.head_w, state_max) + qmodel.head_b
        if widths is not None:
            check_fits("head accumulator", acc, widths.head)
        outputs[:, t] = saturate(round_shift(acc, qmodel.head_acc_frac - spec.output_frac),
                                 spec.output_bits)
    clamped = np.maximum(outputs, 0)
    result = {"outputs": outputs, "sums": clamped.sum(axis=1), "first": clamped[:, 0]}
    if widths is not None:
        check_fits("running integrals", result["sums"], widths.sum, signed=False)
        check_fits("first outputs", result["first"], widths.first, signed=False)
    if record:
        result.update({part: [{k: np.stack(v) for k, v in rec.items()} for rec in recs]
                       for part, recs in records.items()})
    return result


def divide(numerator, denominator, spec):
    """Unsigned quotient ``floor(num * 2**quotient_frac / den)``, saturated to
    ``quotient_bits``; 0 where ``den <= 0`` (what the sequential divider produces)."""
    num = np.asarray(numerator, np.int64) << spec.quotient_frac
    den = np.asarray(denominator, np.int64)
    q = np.where(den > 0, num // np.maximum(den, 1), 0)
    return saturate(q, spec.quotient_bits, signed=False)


def lifetimes(sums, first, spec):
    """Integer lifetimes (bins, ``quotient_frac`` fraction bits) and fraction (Q0.quotient_frac).

    ``tau = sum / first - 1/2`` per channel (clamped at 0); channel 0 gives ``tau_m``.
    """
    half = 1 << (spec.quotient_frac - 1)
    tau = np.maximum(divide(sums, first, spec) - half, 0)
    fraction = divide(first[:, 1], first[:, 1] + first[:, 2], spec)
    defined = first > 0
    return {"tau_q": tau, "fraction_q": fraction, "tau_defined": defined,
            "fraction_defined": (first[:, 1] + first[:, 2]) > 0}


def run_counts(qmodel, counts):
    """Preprocess raw counts ``(N, T)`` and run the whole integer pipeline."""
    x, valid = preprocess(counts, qmodel.spec)
    result = run_network(qmodel, x)
    result.update(lifetimes(result["sums"], result["first"], qmodel.spec))
    result.update({"x": x, "valid": valid})
    return result


def to_physical(result, step_ns, spec):
    """Float view of integer results of a model whose outputs are ``step_ns`` apart
    (:attr:`golden.datasets.Instrument.step_ns`): ``tau1``, ``tau2``, ``fraction``, ``tau_m`` in ns,
    NaN where no lifetime is defined (no signal, or a non-positive first value)."""
    scale = 2.0 ** -spec.quotient_frac
    tau = np.where(result["tau_defined"] & result["valid"][:, None],
                   result["tau_q"] * scale * step_ns, np.nan)
    fraction = np.where(result["fraction_defined"] & result["valid"],
                        result["fraction_q"] * scale, np.nan)
    return {"tau1": tau[:, 1], "tau2": tau[:, 2], "fraction": fraction, "tau_m": tau[:, 0]}
