"""Sequential divider for the lifetimes: one quotient bit per cycle.

Computes ``floor(num * 2**quotient_frac / den)`` saturated to ``quotient_bits`` (unsigned), and
``0`` for ``den <= 0``: exactly :func:`golden.intref.divide`.
"""
from amaranth import Module, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from golden.fixed import FixedSpec

__all__ = ["Divider"]


class Divider(wiring.Component):
    """Restoring division, ``quotient_bits + 2`` cycles per quotient.

    Parameters
    ----------
    num_width : int
        Width of the unsigned numerator.
    den_width : int
        Width of the signed denominator.
    spec : FixedSpec
        ``quotient_bits`` and ``quotient_frac``.

    Attributes
    ----------
    inp : In(stream.Signature(StructLayout{num, den}))
    out : Out(stream.Signature(unsigned(quotient_bits)))
    """

    def __init__(self, *, num_width, den_width, spec=FixedSpec()):
        for name, value in (("num_width", num_width), ("den_width", den_width)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, not {value!r}")
        self.spec, self.num_width, self.den_width = spec, num_width, den_width
        super().__init__({
            "inp": In(stream.Signature(data.StructLayout({"num": unsigned(num_width),
                                                          "den": signed(den_width)}))),
            "out": Out(stream.Signature(unsigned(spec.quotient_bits))),
        })

    def elaborate(self, platform):
        m = Module()
        qbits, qfrac = self.spec.quotient_bits, self.spec.quotient_frac
        width = self.num_width + qfrac + 1
        rem = Signal(unsigned(width))
        den = Signal(unsigned(self.den_width + qbits))
        shifted = Signal(unsigned(self.den_width + qbits))     # den << (bits left - 1)
        difference = Signal(signed(max(width, len(shifted)) + 1))
        quotient = Signal(unsigned(qbits))
        bit = Signal(range(qbits + 1))
        m.d.comb += difference.eq(rem - shifted)
        with m.FSM():
            with m.State("IDLE"):
                m.d.comb += self.inp.ready.eq(1)
                with m.If(self.inp.valid):
                    m.d.sync += [rem.eq(self.inp.payload.num << qfrac), quotient.eq(0),
                                 den.eq(self.inp.payload.den), bit.eq(qbits)]
                    with m.If(self.inp.payload.den <= 0):
                        m.next = "DONE"
                    with m.Else():
                        m.next = "CHECK"
            with m.State("CHECK"):
                # a quotient of 2**qbits or more saturates
                m.d.sync += shifted.eq(den << (qbits - 1))
                with m.If(rem >= (den << qbits)):
                    m.d.sync += quotient.eq((1 << qbits) - 1)
                    m.next = "DONE"
                with m.Else():
                    m.next = "DIVIDE"
            with m.State("DIVIDE"):      # restoring division, one quotient bit per cycle
                fits = difference >= 0
                with m.If(fits):
                    m.d.sync += rem.eq(difference)
                m.d.sync += [quotient.eq((quotient << 1) | fits), shifted.eq(shifted >> 1),
                             bit.eq(bit - 1)]
                with m.If(bit == 1):
                    m.next = "DONE"
            with m.State("DONE"):
                m.d.comb += [self.out.valid.eq(1), self.out.payload.eq(quotient)]
                with m.If(self.out.ready):
                    m.next = "IDLE"
        return m
