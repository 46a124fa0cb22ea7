"""Per-pixel result unit: the four divisions of :func:`golden.intref.lifetimes` on one shared
sequential divider, and the tagged result record every core emits."""
from amaranth import Array, Module, Mux, Signal, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from .divider import Divider

__all__ = ["ResultUnit", "input_layout", "result_layout"]


def input_layout(spec):
    """One histogram bin with its pixel's tag: the cores' input payload."""
    return data.StructLayout({"tag": unsigned(spec.tag_bits),
                              "count": unsigned(spec.count_bits)})


def result_layout(spec):
    """A pixel's lifetimes: ``tau`` in bins and ``fraction``, both with ``quotient_frac``
    fraction bits, definedness flags as in :func:`golden.intref.lifetimes`, ``valid`` low for a
    pixel with no signal."""
    q_shape = unsigned(spec.quotient_bits)
    return data.StructLayout({
        "tag": unsigned(spec.tag_bits), "tau": data.ArrayLayout(q_shape, spec.CHANNELS),
        "fraction": q_shape, "tau_defined": unsigned(spec.CHANNELS),
        "fraction_defined": unsigned(1), "valid": unsigned(1)})


class ResultUnit(wiring.Component):
    """Integrals in, lifetimes out.

    Parameters
    ----------
    sum_shape, first_shape : Shape
        Unsigned shapes of the running integrals and of the first step's outputs.
    spec : FixedSpec

    Attributes
    ----------
    inp : In(stream.Signature(StructLayout{tag, valid, sums[3], first[3]}))
    out : Out(stream.Signature(result_layout(spec)))
    """

    def __init__(self, *, sum_shape, first_shape, spec):
        self.spec = spec
        self.div = Divider(num_width=sum_shape.width, den_width=first_shape.width + 2, spec=spec)
        super().__init__({
            "inp": In(stream.Signature(data.StructLayout({
                "tag": unsigned(spec.tag_bits), "valid": unsigned(1),
                "sums": data.ArrayLayout(sum_shape, spec.CHANNELS),
                "first": data.ArrayLayout(first_shape, spec.CHANNELS)}))),
            "out": Out(stream.Signature(result_layout(spec))),
        })

    def elaborate(self, platform):
        m = Module()
        spec = self.spec
        m.submodules.div = div = self.div
        held = Signal.like(self.inp.payload, reset_less=True)
        sums, first = held.sums, held.first
        quotients = Array(Signal(spec.quotient_bits, name=f"q{i}") for i in range(4))
        op = Signal(range(4))
        numerators = Array([sums[0], sums[1], sums[2], first[1]])
        denominators = Array([first[0], first[1], first[2], first[1] + first[2]])
        with m.FSM():
            with m.State("IDLE"):
                # Load every idle cycle, not only on valid: the handshake stays off the
                # enable of these wide registers (a critical path on the ULX3S).
                m.d.comb += self.inp.ready.eq(1)
                m.d.sync += [held.eq(self.inp.payload), op.eq(0)]
                with m.If(self.inp.valid):
                    m.next = "DIVIDE"
            with m.State("DIVIDE"):
                m.d.comb += [div.inp.payload.num.eq(numerators[op]),
                             div.inp.payload.den.eq(denominators[op]), div.inp.valid.eq(1)]
                with m.If(div.inp.ready):
                    m.next = "QUOTIENT"
            with m.State("QUOTIENT"):
                m.d.comb += div.out.ready.eq(1)
                with m.If(div.out.valid):
                    m.d.sync += [quotients[op].eq(div.out.payload), op.eq(op + 1)]
                    m.next = "DIVIDE"
                    with m.If(op == 3):
                        m.next = "RESULT"
            with m.State("RESULT"):
                half = 1 << (spec.quotient_frac - 1)
                out = self.out.payload
                m.d.comb += [out.tag.eq(held.tag), out.valid.eq(held.valid),
                             out.fraction.eq(quotients[3]),
                             out.fraction_defined.eq((first[1] + first[2]) > 0),
                             self.out.valid.eq(1)]
                for k in range(spec.CHANNELS):
                    m.d.comb += [out.tau[k].eq(Mux(quotients[k] > half, quotients[k] - half, 0)),
                                 out.tau_defined[k].eq(first[k] > 0)]
                with m.If(self.out.ready):
                    m.next = "IDLE"
        return m
