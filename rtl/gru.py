"""One GRU layer (PyTorch convention, reset after the recurrent matmul) as a step engine.

Each step runs two phases, bit-exact to :func:`golden.intref.gru_layer_step`:

1. **Recurrent matmul** ``W_hh h`` on ``M`` multipliers (weights streamed from block RAM, the
   state broadcast one element per cycle, one group of ``M`` rows per ``H`` cycles), into a
   buffer of ``3H`` accumulators.
2. **Gates**, one unit per cycle in a 3-stage pipeline: input products ``W_ih x``, alignment to
   the common accumulator scale and biases, the sigmoid tables for ``r`` and ``z``;
   ``r * (W_hn h + b_hn)`` rounded and the tanh table for ``n``; then
   ``h' = round((1 - z) n + z h)`` saturated into the state.

The input is a scalar per step (``input_size == 1``; the decoder drives ``x = 0``).
"""
import numpy as np
from amaranth import Array, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from golden.fixed import FixedSpec

from .activation import ActivationLUT
from .arith import round_shift, saturate, signed_width
from .matvec import accumulator_width

__all__ = ["GRULayer"]


class GRULayer(wiring.Component):
    """A quantized GRU layer stepping one input at a time.

    Parameters
    ----------
    layer : golden.quantize.QuantGRULayer
        Integer weights and scales, ``input_size == 1``.
    spec : FixedSpec
    multipliers : int
        Multipliers in the recurrent matmul; must divide ``3H``.

    Attributes
    ----------
    step : In(stream.Signature(StructLayout{x, load, h_in[H]}))
        One step: input ``x`` (unsigned, ``spec.input_bits``); with ``load`` set, the state is
        first replaced by ``h_in`` (zeros at a pixel's start, the encoder's state for a decoder).
    out : Out(stream.Signature(ArrayLayout(signed(bits), H)))
        The new state after each step; the next step is taken once it is delivered.
    """

    def __init__(self, *, layer, spec=FixedSpec(), multipliers=1):
        H = layer.hidden_size
        if layer.w_ih.shape[1] != 1:
            raise ValueError(f"input_size must be 1, not {layer.w_ih.shape[1]}")
        if not isinstance(multipliers, int) or multipliers <= 0 or (3 * H) % multipliers:
            raise ValueError(f"multipliers must be a positive divisor of {3 * H} rows, "
                             f"not {multipliers!r}")
        self.layer, self.spec, self.multipliers = layer, spec, multipliers
        self.hidden_size, self.groups = H, 3 * H // multipliers
        state = signed(spec.bits)
        self.acc_width = accumulator_width(H, spec.bits, state)
        P = layer.acc_frac
        self.h_shift, self.x_shift = P - layer.h_frac, P - layer.x_frac
        x_max = (1 << spec.input_bits) - 1
        w_max = 1 << (spec.bits - 1)
        bias_max = int(max(np.abs(layer.b_ih).max(), np.abs(layer.b_hh).max()))
        ax_bound = (w_max * x_max << self.x_shift) + bias_max
        ah_bound = ((H * w_max * w_max) << self.h_shift) + bias_max
        self.pre_width = signed_width(ax_bound + ah_bound)
        super().__init__({
            "step": In(stream.Signature(data.StructLayout({
                "x": unsigned(spec.input_bits), "load": unsigned(1),
                "h_in": data.ArrayLayout(state, H)}))),
            "out": Out(stream.Signature(data.ArrayLayout(state, H))),
        })

    def _weight_words(self):
        M, wb = self.multipliers, self.spec.bits
        mask = (1 << wb) - 1
        w = self.layer.w_hh
        return [sum((int(w[g * M + i, c]) & mask) << (i * wb) for i in range(M))
                for g in range(self.groups) for c in range(self.hidden_size)]

    def elaborate(self, platform):
        m = Module()
        spec, layer = self.spec, self.layer
        H, M, G, wb, P = self.hidden_size, self.multipliers, self.groups, spec.bits, \
            layer.acc_frac
        state = signed(wb)
        acc_shape, pre_shape = signed(self.acc_width), signed(self.pre_width)

        h = Array(Signal(state, name=f"h{i}") for i in range(H))
        hacc = Array(Signal(acc_shape, name=f"hacc{i}") for i in range(3 * H))
        x = Signal(unsigned(spec.input_bits))
        const = lambda values: Array(Const(int(v), signed(signed_width(abs(int(v))))) for v in values)
        w_ih, b_ih, b_hh = const(layer.w_ih[:, 0]), const(layer.b_ih), const(layer.b_hh)

        # ---- phase 1: recurrent matmul -------------------------------------------------
        m.submodules.wmem = wmem = Memory(shape=unsigned(M * wb), depth=G * H,
                                          init=self._weight_words())
        w_rd = wmem.read_port()
        col, group = Signal(range(H)), Signal(range(G))
        issue = Signal()
        s1_valid, s1_first, s1_last, s1_h = Signal(), Signal(), Signal(), Signal(state)
        s2_valid, s2_first, s2_last = Signal(), Signal(), Signal()
        s1_group, s2_group = Signal.like(group), Signal.like(group)
        products = [Signal(acc_shape, name=f"product{i}") for i in range(M)]
        accs = [Signal(acc_shape, name=f"acc{i}") for i in range(M)]
        m.d.comb += w_rd.addr.eq(group * H + col)
        m.d.sync += [s1_valid.eq(issue), s1_first.eq(col == 0), s1_last.eq(col == H - 1),
                     s1_group.eq(group), s1_h.eq(h[col]),
                     s2_valid.eq(s1_valid), s2_first.eq(s1_first), s2_last.eq(s1_last),
                     s2_group.eq(s1_group)]
        for i in range(M):
            total = Signal(acc_shape, name=f"total{i}")
            m.d.sync += products[i].eq(w_rd.data[i * wb:(i + 1) * wb].as_signed() * s1_h)
            m.d.comb += total.eq(products[i] + Mux(s2_first, 0, accs[i]))
            with m.If(s2_valid):
                m.d.sync += accs[i].eq(total)
                with m.If(s2_last):
                    m.d.sync += hacc[s2_group * M + i].eq(total)

        # ---- phase 2: gates, one unit per cycle ----------------------------------------
        m.submodules.sig_r = sig_r = ActivationLUT(kind="sigmoid", spec=spec,
                                                   pre_width=self.pre_width, pre_frac=P)
        m.submodules.sig_z = sig_z = ActivationLUT(kind="sigmoid", spec=spec,
                                                   pre_width=self.pre_width, pre_frac=P)
        m.submodules.tanh = tanh = ActivationLUT(kind="tanh", spec=spec,
                                                 pre_width=self.pre_width, pre_frac=P)
        unit = Signal(range(H))
        gate_issue = Signal()
        ax = [Signal(pre_shape, name=f"ax_{g}") for g in "rzn"]
        ah = [Signal(pre_shape, name=f"ah_{g}") for g in "rzn"]
        for g in range(3):
            row = unit + g * H
            m.d.comb += [ax[g].eq((w_ih[row] * x << self.x_shift) + b_ih[row]),
                         ah[g].eq((hacc[row] << self.h_shift) + b_hh[row])]
        m.d.comb += [sig_r.en.eq(1), sig_z.en.eq(1), tanh.en.eq(1),
                     sig_r.pre.eq(ax[0] + ah[0]), sig_z.pre.eq(ax[1] + ah[1])]
        # stage 1: r and z out of their tables
        g1_valid, g1_unit, g1_ax_n, g1_ah_n, g1_h = (Signal(), Signal.like(unit),
                                                     Signal(pre_shape), Signal(pre_shape),
                                                     Signal(state))
        m.d.sync += [g1_valid.eq(gate_issue), g1_unit.eq(unit), g1_ax_n.eq(ax[2]),
                     g1_ah_n.eq(ah[2]), g1_h.eq(h[unit])]
        rn = Signal(pre_shape)
        m.d.comb += [rn.eq(round_shift(sig_r.out * g1_ah_n, spec.sigmoid_frac)),
                     tanh.pre.eq(g1_ax_n + rn)]
        # stage 2: n out of its table; blend and store
        g2_valid, g2_unit, g2_z, g2_h = (Signal(), Signal.like(unit), Signal.like(sig_z.out),
                                         Signal(state))
        m.d.sync += [g2_valid.eq(g1_valid), g2_unit.eq(g1_unit), g2_z.eq(sig_z.out),
                     g2_h.eq(g1_h)]
        one = Const(1 << spec.sigmoid_frac, unsigned(spec.sigmoid_frac + 1))
        blend = Signal(signed(2 * wb + 4))
        m.d.comb += blend.eq((one - g2_z) * tanh.out + g2_z * g2_h)
        with m.If(g2_valid):
            m.d.sync += h[g2_unit].eq(saturate(round_shift(blend, spec.sigmoid_frac), wb))

        # ---- control -------------------------------------------------------------------
        m.d.comb += [self.out.payload[i].eq(h[i]) for i in range(H)]
        with m.FSM():
            with m.State("IDLE"):
                m.d.comb += self.step.ready.eq(1)
                with m.If(self.step.valid):
                    m.d.sync += [x.eq(self.step.payload.x), col.eq(0), group.eq(0)]
                    with m.If(self.step.payload.load):
                        m.d.sync += [h[i].eq(self.step.payload.h_in[i]) for i in range(H)]
                    m.next = "MATMUL"
            with m.State("MATMUL"):
                m.d.comb += issue.eq(1)
                m.d.sync += col.eq(col + 1)
                with m.If(col == H - 1):
                    m.d.sync += [col.eq(0), group.eq(group + 1)]
                    with m.If(group == G - 1):
                        m.next = "MATMUL_DRAIN"
            with m.State("MATMUL_DRAIN"):
                with m.If(~s1_valid & ~s2_valid):
                    m.d.sync += unit.eq(0)
                    m.next = "GATES"
            with m.State("GATES"):
                m.d.comb += gate_issue.eq(1)
                m.d.sync += unit.eq(unit + 1)
                with m.If(unit == H - 1):
                    m.next = "GATES_DRAIN"
            with m.State("GATES_DRAIN"):
                with m.If(~g1_valid & ~g2_valid):
                    m.next = "OUT"
            with m.State("OUT"):
                m.d.comb += self.out.valid.eq(1)
                with m.If(self.out.ready):
                    m.next = "IDLE"
        return m
