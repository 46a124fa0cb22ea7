"""Float Seq2Seq models in torch: the teacher (2 x 128) and the distilled Seq2SeqLite (1 x 32)."""
import torch
from torch import nn

__all__ = ["Seq2Seq", "teacher", "lite", "build", "widen", "OUTPUTS", "save_weights",
           "load_weights"]

#: Output channels per decoder step: full decay, short component, long component.
OUTPUTS = 3


def _positive_int(name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, not {value!r}")


class Seq2Seq(nn.Module):
    """GRU encoder over the TPSF, GRU decoder from the encoder's final states with zero input,
    and a Dense(3) head per decoder step.

    Parameters
    ----------
    hidden_size : int
        GRU units per layer.
    num_layers : int
        Stacked GRU layers in the encoder and in the decoder.

    Input ``x`` is ``(N, T)`` (Q0.8 values as floats in [0, 1)); output is ``(N, T, 3)``.
    """

    def __init__(self, *, hidden_size, num_layers):
        super().__init__()
        _positive_int("hidden_size", hidden_size)
        _positive_int("num_layers", num_layers)
        self.hidden_size, self.num_layers = hidden_size, num_layers
        self.encoder = nn.GRU(1, hidden_size, num_layers, batch_first=True)
        self.decoder = nn.GRU(1, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, OUTPUTS)

    def forward(self, x):
        x = x.unsqueeze(-1)
        _, state = self.encoder(x)
        out, _ = self.decoder(torch.zeros_like(x), state)
        return self.head(out)

    def config(self):
        return {"hidden_size": self.hidden_size, "num_layers": self.num_layers}


def teacher():
    return Seq2Seq(hidden_size=128, num_layers=2)


def lite():
    return Seq2Seq(hidden_size=32, num_layers=1)


def build(name):
    """Model by name: ``"teacher"`` or ``"lite"``."""
    factories = {"teacher": teacher, "lite": lite}
    if name not in factories:
        raise ValueError(f"model must be one of {sorted(factories)}, not {name!r}")
    return factories[name]()


@torch.no_grad()
def widen(model, hidden_size, *, seed=0):
    """A copy of one-layer ``model`` with ``hidden_size`` units computing the same function:
    the old units keep their weights and read nothing of the new ones, the head reads nothing
    of them either, and the new units' own weights start as torch's GRU initialisation, so
    that they carry features the training can pick up at once."""
    _positive_int("hidden_size", hidden_size)
    if model.num_layers != 1 or hidden_size < model.hidden_size:
        raise ValueError(f"widen makes a one-layer model wider: {model.hidden_size} units in "
                         f"{model.num_layers} layers cannot become {hidden_size}")
    with torch.random.fork_rng():       # the caller's generator is left as it was
        torch.manual_seed(seed)
        wide = Seq2Seq(hidden_size=hidden_size, num_layers=1)
    old, new = model.hidden_size, hidden_size
    # rows of a GRU tensor come in three gate blocks (r, z, n), each a unit per row
    rows = torch.cat([torch.arange(old) + k * new for k in range(3)])
    source = dict(model.named_parameters())
    for name, target in wide.named_parameters():
        if name == "head.bias":
            target.copy_(source[name])
        elif name == "head.weight":
            target[:, :old], target[:, old:] = source[name], 0
        elif "weight_hh" in name:
            target[rows, old:] = 0
            target[rows[:, None], torch.arange(old)[None, :]] = source[name]
        else:
            target[rows] = source[name]
    return wide.eval()


def save_weights(model, path, meta):
    """Save a trained model's config, weights and provenance (command, data, wall time)."""
    torch.save({"config": model.config(), "state_dict": model.state_dict(), "meta": meta}, path)


def load_weights(path):
    """Load a model saved by :func:`save_weights`; returns ``(model, meta)`` in eval mode."""
    blob = torch.load(path, weights_only=False)
    model = Seq2Seq(**blob["config"])
    model.load_state_dict(blob["state_dict"])
    return model.eval(), blob["meta"]
