"""Sequential divider for the lifetimes: one quotient bit per cycle.

Computes ``floor(num * 2**quotient_frac / den)`` saturated to ``quotient_bits`` (unsigned), and
``0`` for ``den <= 0``: exactly :func:`golden.intref.divide`.
"""
from amaranth import Cat, Module, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from golden.fixed import FixedSpec

__all__ = ["Divider"]


class Divider(wiring.Component):
    """Non-restoring division, ``quotient_bits + 2`` cycles per quotient.

    Each step adds or subtracts the shifted denominator by the sign of the remainder register,
    so the carry chain ends at the remainder's inputs (a restoring step's carry-out would also
    enable every remainder flop: the iCEBreaker's critical path). The quotient bits are the
    restoring ones: the two remainders differ by the last shifted denominator exactly when the
    remainder is negative.

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
        den = Signal(unsigned(self.den_width + qbits))
        shifted = Signal(unsigned(self.den_width + qbits))     # den << (bits left - 1)
        width = max(self.num_width + qfrac + 1, len(shifted)) + 1
        rem = Signal(signed(width))
        negative = rem[-1]
        step = Signal(signed(width))                            # rem - shifted, or + if negative
        quotient = Signal(unsigned(qbits))
        bit = Signal(range(qbits + 1))
        addend = Signal(unsigned(width))
        m.d.comb += [addend.eq(shifted ^ (~negative).replicate(width)),
                     step.eq(rem + addend + ~negative)]
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
            with m.State("DIVIDE"):      # one quotient bit per cycle
                m.d.sync += [rem.eq(step), quotient.eq(Cat(~step[-1], quotient)),
                             shifted.eq(shifted >> 1), bit.eq(bit - 1)]
                with m.If(bit == 1):
                    m.next = "DONE"
            with m.State("DONE"):
                m.d.comb += [self.out.valid.eq(1), self.out.payload.eq(quotient)]
                with m.If(self.out.ready):
                    m.next = "IDLE"
        return m
