"""The lane memories of :class:`rtl.multipixel.MultiPixelCore` around one of its units, for unit
tests: state, accumulators and inputs per lane, filled from arrays and read back."""
import numpy as np
from amaranth import Module, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.memory import Memory

__all__ = ["Lanes"]


class Lanes:
    """A module holding ``unit`` and its lane memories.

    ``h`` ``(slots, batch, H)``, ``acc`` ``(slots, batch, 3H)`` and ``x`` ``(slots, batch, T)``
    fill them (zeros where not given); :meth:`read` returns one as such an array."""

    def __init__(self, unit, *, slots, batch, hidden, bins, spec, widths, h=None, acc=None,
                 x=None):
        self.slots, self.batch, self.hidden, self.bins = slots, batch, hidden, bins
        self.m = m = Module()
        m.submodules.unit = self.unit = unit
        H = hidden
        fill = lambda values, n: np.zeros((slots, batch, n), np.int64) if values is None \
            else values
        h, acc, x = fill(h, H), fill(acc, 3 * H), fill(x, bins)
        self.memories = {"h": [], "acc": [], "x": []}
        for b in range(batch):
            state = self._memory(f"h{b}", signed(spec.bits), h[:, b].reshape(-1))
            for name, port in (("h_read", state.read_port), ("h_write", state.write_port)):
                if hasattr(unit, name):
                    wiring.connect(m, getattr(unit, name)[b], port())
            gates = []
            for k in range(3):
                memory = self._memory(f"acc{b}_{k}", signed(widths.acc),
                                      acc[:, b, k * H:(k + 1) * H].reshape(-1))
                for name, port in (("acc_write", memory.write_port), ("acc_read",
                                                                      memory.read_port)):
                    if hasattr(unit, name):
                        wiring.connect(m, getattr(unit, name)[b][k], port())
                gates.append(memory)
            self.memories["acc"].append(gates)
            self.memories["h"].append(state)
            inputs = self._memory(f"x{b}", unsigned(spec.input_bits), x[:, b].reshape(-1))
            if hasattr(unit, "x_read"):
                wiring.connect(m, unit.x_read[b], inputs.read_port())
            self.memories["x"].append(inputs)

    def _memory(self, name, shape, values):
        self.m.submodules[name] = memory = Memory(shape=shape, depth=len(values),
                                                  init=[int(v) for v in values])
        return memory

    def read(self, ctx, name):
        """The ``"h"`` or ``"acc"`` memories' contents now, shaped as the constructor's."""
        S, B, H = self.slots, self.batch, self.hidden
        if name == "h":
            return np.array([[[ctx.get(self.memories["h"][b].data[s * H + u]) for u in range(H)]
                              for b in range(B)] for s in range(S)])
        return np.array([[[ctx.get(self.memories["acc"][b][k].data[s * H + u])
                           for k in range(3) for u in range(H)] for b in range(B)]
                         for s in range(S)])
