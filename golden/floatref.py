"""Float reference of the Seq2Seq equations in numpy, written from DESIGN.md, not from torch.

GRU (PyTorch convention, gate order r, z, n; reset applied after the recurrent matmul)::

    r = sig(W_ir x + b_ir + W_hr h + b_hr)
    z = sig(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    h' = (1 - z) * n + z * h
"""
import numpy as np

__all__ = ["gru_step", "seq2seq"]


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


def gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    """One step for a batch: ``x`` ``(N, I)``, ``h`` ``(N, H)``; returns ``h'``."""
    H = h.shape[1]
    gi = x @ w_ih.T + b_ih
    gh = h @ w_hh.T + b_hh
    r = _sigmoid(gi[:, :H] + gh[:, :H])
    z = _sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
    n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - z) * n + z * h


def seq2seq(params, x):
    """Run the Seq2Seq on ``x`` ``(N, T)``; ``params`` is a torch-style state dict of numpy
    arrays (``encoder.weight_ih_l0`` ...). Returns ``(N, T, 3)``."""
    layers = sum(1 for k in params if k.startswith("encoder.weight_ih_l"))
    get = lambda part, l: [params[f"{part}.{n}_l{l}"]
                           for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    N, T = x.shape
    H = params["encoder.weight_hh_l0"].shape[1]
    states = [np.zeros((N, H)) for _ in range(layers)]
    for t in range(T):
        inp = x[:, t:t + 1]
        for l in range(layers):
            states[l] = inp = gru_step(inp, states[l], *get("encoder", l))
    out = np.empty((N, T, 3))
    zero = np.zeros((N, 1))
    for t in range(T):
        inp = zero
        for l in range(layers):
            states[l] = inp = gru_step(inp, states[l], *get("decoder", l))
        out[:, t] = inp @ params["head.weight"].T + params["head.bias"]
    return out
