"""Dense(3) head and running integrals, one decoder step at a time.

Per step: ``y = saturate(round(W_d h + b_d), output_bits)`` for the three channels (full decay,
short, long) on three multipliers over ``H`` cycles; the clamped outputs ``max(y, 0)`` are summed
over the steps, and the first step's values are kept: the numerators and denominators of the
lifetimes (:func:`golden.intref.run_network`, ``sums`` and ``first``).
"""
import math

from amaranth import Array, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from .arith import round_shift, saturate, signed_width

__all__ = ["DenseHead"]

CHANNELS = 3


class DenseHead(wiring.Component):
    """Output layer plus integrators.

    Parameters
    ----------
    qmodel : golden.quantize.QuantSeq2Seq
        Supplies ``head_w``, ``head_b``, their scale and the spec.
    bins : int
        Decoder steps per pixel (sizes the integrators).

    Attributes
    ----------
    step : In(stream.Signature(StructLayout{h[H], first}))
        The decoder state; ``first`` marks a pixel's first step (restarts the integrals).
    out : Out(stream.Signature(ArrayLayout(signed(output_bits), 3)))
        The step's three outputs; ``sums`` and ``first`` are updated when it is taken.
    sums : Out(ArrayLayout(unsigned, 3)), first : Out(ArrayLayout(unsigned, 3))
        Running integrals of the clamped outputs and the first step's clamped outputs.
    """

    def __init__(self, *, qmodel, bins):
        spec = qmodel.spec
        self.qmodel, self.bins, self.hidden_size = qmodel, bins, qmodel.hidden_size
        self.shift = qmodel.head_acc_frac - spec.output_frac
        out_shape = signed(spec.output_bits)
        self.sum_shape = unsigned(spec.output_bits - 1 + math.ceil(math.log2(bins)))
        super().__init__({
            "step": In(stream.Signature(data.StructLayout({
                "h": data.ArrayLayout(signed(spec.bits), self.hidden_size),
                "first": unsigned(1)}))),
            "out": Out(stream.Signature(data.ArrayLayout(out_shape, CHANNELS))),
            "sums": Out(data.ArrayLayout(self.sum_shape, CHANNELS)),
            "first": Out(data.ArrayLayout(unsigned(spec.output_bits - 1), CHANNELS)),
        })

    def elaborate(self, platform):
        m = Module()
        q, spec, H = self.qmodel, self.qmodel.spec, self.hidden_size
        h = Array(Signal(signed(spec.bits), name=f"h{i}") for i in range(H))
        is_first = Signal()
        col = Signal(range(H))
        bound = H * (1 << (2 * spec.bits - 2)) + int(abs(q.head_b).max())
        accs = [Signal(signed(signed_width(bound)), name=f"acc{k}") for k in range(CHANNELS)]
        weights = [Array(Const(int(w), signed(spec.bits)) for w in q.head_w[k])
                   for k in range(CHANNELS)]
        ys = [Signal(signed(spec.output_bits), name=f"y{k}") for k in range(CHANNELS)]
        for k in range(CHANNELS):
            m.d.comb += [ys[k].eq(saturate(round_shift(accs[k], self.shift), spec.output_bits)),
                         self.out.payload[k].eq(ys[k])]
        with m.FSM():
            with m.State("IDLE"):
                m.d.comb += self.step.ready.eq(1)
                with m.If(self.step.valid):
                    m.d.sync += [h[i].eq(self.step.payload.h[i]) for i in range(H)]
                    m.d.sync += [is_first.eq(self.step.payload.first), col.eq(0)]
                    m.d.sync += [accs[k].eq(int(q.head_b[k])) for k in range(CHANNELS)]
                    m.next = "MAC"
            with m.State("MAC"):
                m.d.sync += [accs[k].eq(accs[k] + weights[k][col] * h[col])
                             for k in range(CHANNELS)]
                m.d.sync += col.eq(col + 1)
                with m.If(col == H - 1):
                    m.next = "OUT"
            with m.State("OUT"):
                m.d.comb += self.out.valid.eq(1)
                with m.If(self.out.ready):
                    for k in range(CHANNELS):
                        clamped = Mux(ys[k] > 0, ys[k], 0)
                        with m.If(is_first):
                            m.d.sync += [self.sums[k].eq(clamped), self.first[k].eq(clamped)]
                        with m.Else():
                            m.d.sync += self.sums[k].eq(self.sums[k] + clamped)
                    m.next = "IDLE"
        return m
