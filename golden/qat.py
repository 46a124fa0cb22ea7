"""Quantization-aware training: a torch forward that computes exactly what the integer reference
computes (fake-quantized weights, table activations, rounded states and outputs), with
straight-through gradients.

In float64 every intermediate is a dyadic rational well inside the mantissa, so the forward equals
:func:`golden.intref.run_network` bit for bit (tested); training runs it in float32.
"""
import torch
from torch import nn

from .fixed import FixedSpec, build_lut
from .quantize import weight_frac

__all__ = ["FakeQuantSeq2Seq"]


def _ste(value, quantized):
    return value + (quantized - value).detach()


def _round(value, frac):
    """Round half up to ``frac`` fraction bits (straight-through)."""
    scale = 2.0 ** frac
    return _ste(value, torch.floor(value * scale + 0.5) / scale)


def _fake_weight(w, bits, frac=None):
    frac = weight_frac(w.detach().double().numpy(), bits) if frac is None else frac
    scale, top = 2.0 ** frac, (1 << (bits - 1)) - 1
    return _ste(w, torch.clamp(torch.floor(w * scale + 0.5), -top - 1, top) / scale), frac


class _Table(nn.Module):
    def __init__(self, kind, spec, function):
        super().__init__()
        out_frac = spec.sigmoid_frac if kind == "sigmoid" else spec.tanh_frac
        self.register_buffer("values", torch.tensor(build_lut(kind, spec) / 2.0 ** out_frac))
        self.in_scale = 2.0 ** spec.lut_in_frac(kind)
        self.half, self.size = 1 << (spec.lut_index_bits - 1), 1 << spec.lut_index_bits
        self.function = function

    def forward(self, pre):
        index = torch.clamp(torch.floor(pre * self.in_scale) + self.half, 0, self.size - 1)
        exact = self.function(pre)
        return _ste(exact, self.values.to(pre.dtype)[index.long()])


class FakeQuantSeq2Seq(nn.Module):
    """Wraps a float :class:`golden.models.Seq2Seq`; trains its weights under ``spec``.

    Input ``x`` ``(N, T)`` holds Q0.8 values as floats; output ``(N, T, 3)`` holds head outputs
    rounded to ``spec.output_frac``.
    """

    def __init__(self, model, spec=FixedSpec()):
        super().__init__()
        self.model, self.spec = model, spec
        self.sigmoid = _Table("sigmoid", spec, torch.sigmoid)
        self.tanh = _Table("tanh", spec, torch.tanh)

    def _layer(self, gru, l, in_frac):
        bits, sf = self.spec.weight_bits, self.spec.state_frac
        w_ih, f_ih = _fake_weight(getattr(gru, f"weight_ih_l{l}"), bits)
        w_hh, f_hh = _fake_weight(getattr(gru, f"weight_hh_l{l}"), bits)
        acc = max(f_ih + in_frac, f_hh + sf)
        b_ih = _round(getattr(gru, f"bias_ih_l{l}"), acc)
        b_hh = _round(getattr(gru, f"bias_hh_l{l}"), acc)
        return w_ih, w_hh, b_ih, b_hh, acc

    def _step(self, params, x_acc, h):
        w_ih, w_hh, b_ih, b_hh, acc = params
        H = w_hh.shape[1]
        h_acc = h @ w_hh.T + b_hh
        r = self.sigmoid(x_acc[:, :H] + h_acc[:, :H])
        z = self.sigmoid(x_acc[:, H:2 * H] + h_acc[:, H:2 * H])
        n = self.tanh(x_acc[:, 2 * H:] + _round(r * h_acc[:, 2 * H:], acc))
        top = 1 - 2.0 ** -self.spec.state_frac
        return torch.clamp(_round((1 - z) * n + z * h, self.spec.state_frac), -1, top)

    def forward(self, x):
        m, spec = self.model, self.spec
        dtype = x.dtype
        enc = [self._layer(m.encoder, l, spec.input_bits if l == 0 else spec.state_frac)
               for l in range(m.num_layers)]
        dec = [self._layer(m.decoder, l, spec.input_bits if l == 0 else spec.state_frac)
               for l in range(m.num_layers)]
        enc, dec = ([tuple(p.to(dtype) if torch.is_tensor(p) else p for p in layer)
                     for layer in part] for part in (enc, dec))
        N, T = x.shape
        states = [x.new_zeros(N, m.hidden_size) for _ in enc]
        for t in range(T):
            inp = x[:, t:t + 1]
            for l, params in enumerate(enc):
                states[l] = self._step(params, inp @ params[0].T + params[2], states[l])
                inp = states[l]
        head_w, head_f = _fake_weight(m.head.weight, spec.weight_bits)
        head_w = head_w.to(dtype)
        head_b = _round(m.head.bias, head_f + spec.state_frac).to(dtype)
        top = 2.0 ** (spec.output_bits - 1 - spec.output_frac)
        outputs = []
        for t in range(T):
            for l, params in enumerate(dec):
                x_acc = (params[2].expand(N, -1) if l == 0
                         else states[l - 1] @ params[0].T + params[2])
                states[l] = self._step(params, x_acc, states[l])
            y = _round(states[-1] @ head_w.T + head_b, spec.output_frac)
            outputs.append(torch.clamp(y, -top, top - 2.0 ** -spec.output_frac))
        return torch.stack(outputs, dim=1)
