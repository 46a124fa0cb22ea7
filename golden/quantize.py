"""Post-training quantization of a float Seq2Seq to the fixed-point spec, and its file format.

Each weight tensor gets a per-tensor power-of-two scale: the largest fraction width whose
``weight_bits``-wide signed range still holds the tensor's largest magnitude. Biases are stored at the
scale of the accumulator they are added to.
"""
import json
import math
from dataclasses import dataclass, field

import numpy as np

from .fixed import FixedSpec, saturate
from .physics import Acquisition

__all__ = ["QuantGRULayer", "QuantSeq2Seq", "weight_frac", "quantize_tensor", "quantize_model",
           "save_quantized", "load_quantized", "quantized_meta"]

#: Fraction widths are kept in this window (weights of magnitude ~2**-8 .. 2**7).
FRAC_LIMITS = (-8, 24)


def weight_frac(values, bits):
    """Largest fraction width f with ``max|values| * 2**f <= 2**(bits-1) - 1``."""
    peak = float(np.max(np.abs(values))) if np.size(values) else 0.0
    if peak == 0:
        return FRAC_LIMITS[1]
    frac = math.floor(math.log2(((1 << (bits - 1)) - 1) / peak))
    return int(min(max(frac, FRAC_LIMITS[0]), FRAC_LIMITS[1]))


def quantize_tensor(values, frac, bits):
    """Round ``values * 2**frac`` (half up, like the hardware) and saturate to ``bits``."""
    return saturate(np.floor(np.asarray(values, np.float64) * 2.0 ** frac + 0.5).astype(np.int64),
                    bits)


@dataclass
class QuantGRULayer:
    """One GRU layer in integers (gate order r, z, n; reset after the recurrent matmul).

    ``w_ih`` ``(3H, I)`` at ``w_ih_frac``; ``w_hh`` ``(3H, H)`` at ``w_hh_frac``; inputs arrive
    with ``in_frac``; both biases ``(3H,)`` are at ``acc_frac``, the common accumulator scale.
    """
    w_ih: np.ndarray
    w_hh: np.ndarray
    b_ih: np.ndarray
    b_hh: np.ndarray
    w_ih_frac: int
    w_hh_frac: int
    in_frac: int
    state_frac: int

    @property
    def hidden_size(self):
        return self.w_hh.shape[1]

    @property
    def x_frac(self):
        return self.w_ih_frac + self.in_frac

    @property
    def h_frac(self):
        return self.w_hh_frac + self.state_frac

    @property
    def acc_frac(self):
        return max(self.x_frac, self.h_frac)


@dataclass
class QuantSeq2Seq:
    """Integer Seq2Seq: encoder and decoder layers, Dense(3) head, and the spec they follow."""
    spec: FixedSpec
    encoder: list
    decoder: list
    head_w: np.ndarray
    head_b: np.ndarray
    head_w_frac: int
    meta: dict = field(default_factory=dict)

    @property
    def head_acc_frac(self):
        return self.head_w_frac + self.spec.state_frac

    @property
    def hidden_size(self):
        return self.encoder[0].hidden_size

    @property
    def num_layers(self):
        return len(self.encoder)

    def parameter_count(self):
        layers = self.encoder + self.decoder
        return int(sum(a.size for l in layers for a in (l.w_ih, l.w_hh, l.b_ih, l.b_hh))
                   + self.head_w.size + self.head_b.size)


def _quantize_gru(gru, layer, spec, in_frac, fracs=None):
    get = lambda name: getattr(gru, f"{name}_l{layer}").detach().double().numpy()
    w_ih, w_hh = get("weight_ih"), get("weight_hh")
    wb = spec.weight_bits
    f_ih, f_hh = fracs or (weight_frac(w_ih, wb), weight_frac(w_hh, wb))
    q = QuantGRULayer(quantize_tensor(w_ih, f_ih, wb), quantize_tensor(w_hh, f_hh, wb),
                      None, None, f_ih, f_hh, in_frac, spec.state_frac)
    q.b_ih = quantize_tensor(get("bias_ih"), q.acc_frac, spec.bias_bits)
    q.b_hh = quantize_tensor(get("bias_hh"), q.acc_frac, spec.bias_bits)
    return q


def quantize_model(model, spec=FixedSpec(), fracs=None):
    """Quantize a :class:`golden.models.Seq2Seq` to ``spec`` (PTQ, or QAT weights).

    ``fracs`` optionally fixes the weight fraction widths: a dict with ``"encoder"`` and
    ``"decoder"`` lists of ``(w_ih_frac, w_hh_frac)`` and ``"head"``.
    """
    fracs = fracs or {}
    layers = {}
    for part in ("encoder", "decoder"):
        gru = getattr(model, part)
        layers[part] = [
            _quantize_gru(gru, l, spec, spec.input_bits if l == 0 else spec.state_frac,
                          fracs.get(part, [None] * gru.num_layers)[l])
            for l in range(gru.num_layers)]
    w = model.head.weight.detach().double().numpy()
    f = fracs.get("head", weight_frac(w, spec.weight_bits))
    head_b = quantize_tensor(model.head.bias.detach().double().numpy(), f + spec.state_frac,
                             spec.bias_bits)
    return QuantSeq2Seq(spec, layers["encoder"], layers["decoder"],
                        quantize_tensor(w, f, spec.weight_bits), head_b, f)


_LAYER_ARRAYS = ("w_ih", "w_hh", "b_ih", "b_hh")
_LAYER_FRACS = ("w_ih_frac", "w_hh_frac", "in_frac", "state_frac")


def save_quantized(qmodel, path):
    """Write integers to ``.npz`` with the spec and fraction widths as JSON inside."""
    arrays, layout = {}, {"spec": qmodel.spec.to_dict(), "head_w_frac": qmodel.head_w_frac,
                          "meta": qmodel.meta}
    for part in ("encoder", "decoder"):
        layout[part] = []
        for i, layer in enumerate(getattr(qmodel, part)):
            for name in _LAYER_ARRAYS:
                arrays[f"{part}{i}_{name}"] = getattr(layer, name)
            layout[part].append({k: getattr(layer, k) for k in _LAYER_FRACS})
    np.savez(path, head_w=qmodel.head_w, head_b=qmodel.head_b,
             layout=np.array(json.dumps(layout)), **arrays)


def load_quantized(path):
    with np.load(path) as f:
        layout = json.loads(str(f["layout"]))
        parts = {part: [QuantGRULayer(*(f[f"{part}{i}_{n}"] for n in _LAYER_ARRAYS), **fr)
                        for i, fr in enumerate(layout[part])]
                 for part in ("encoder", "decoder")}
        return QuantSeq2Seq(FixedSpec(**layout["spec"]), parts["encoder"], parts["decoder"],
                            f["head_w"], f["head_b"], layout["head_w_frac"], layout["meta"])


def quantized_meta(bins=Acquisition.bins, bin_width_ns=Acquisition.bin_width_ns, **extra):
    """A quantized model's ``meta``: the acquisition it reads (``bins`` of ``bin_width_ns``)
    and ``extra`` (how it was made)."""
    return {"acquisition": {"bins": bins, "bin_width_ns": bin_width_ns}, **extra}
