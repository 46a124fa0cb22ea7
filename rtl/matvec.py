"""Matrix-vector engine: ``M`` parallel multipliers, weights streamed from block RAM.

The weight matrix ``W`` ``(R, C)`` is stored group-major: word ``g * C + c`` packs
``W[g*M : (g+1)*M, c]``. For each group of ``M`` rows the engine reads one word per cycle,
multiplies it by the broadcast ``x[c]`` in ``M`` multipliers (one hard DSP each) and accumulates;
one group takes ``C`` cycles, so a whole product takes ``R/M * C`` cycles plus a 3-cycle pipeline:
steady-state DSP efficiency ``1`` while results drain as fast as they are made.

Pipeline: address -> block-RAM read (registered) -> products (registered) -> accumulators.
"""
import math

import numpy as np
from amaranth import Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

__all__ = ["MatVec", "accumulator_width"]


def accumulator_width(cols, weight_bits, x_shape):
    """Bits that hold any sum of ``cols`` products of ``weight_bits``-wide signed weights and
    ``x_shape`` values without overflow: ``|sum| <= cols * 2**(wb-1) * max|x|``."""
    x_max = (1 << x_shape.width) - 1 if not x_shape.signed else 1 << (x_shape.width - 1)
    bound = cols * (1 << (weight_bits - 1)) * x_max
    return bound.bit_length() + 1


class MatVec(wiring.Component):
    """``y = W x`` for a constant integer matrix, ``M`` rows at a time.

    Parameters
    ----------
    weights : array of int, shape (R, C)
        Signed weights, each fitting ``weight_bits``.
    weight_bits : int
    x_shape : Shape
        Shape of the vector elements (e.g. ``unsigned(8)`` or ``signed(8)``).
    multipliers : int
        Parallel multipliers ``M``; must divide ``R``.

    Attributes
    ----------
    vec : In(stream.Signature(x_shape))
        The ``C`` elements of ``x``, in order; a product starts when the last arrives.
    out : Out(stream.Signature(StructLayout{group, values[M]}))
        One transfer per group: ``values[m] = y[group * M + m]``.
    """

    def __init__(self, *, weights, weight_bits=8, x_shape=signed(8), multipliers=1):
        weights = np.asarray(weights)
        if weights.ndim != 2 or weights.size == 0:
            raise ValueError(f"weights must be a non-empty (R, C) matrix, not shape "
                             f"{weights.shape}")
        rows, cols = weights.shape
        if not isinstance(multipliers, int) or multipliers <= 0 or rows % multipliers:
            raise ValueError(f"multipliers must be a positive divisor of {rows} rows, "
                             f"not {multipliers!r}")
        limit = 1 << (weight_bits - 1)
        if weights.min() < -limit or weights.max() >= limit:
            raise ValueError(f"weights must fit {weight_bits} signed bits")
        self.rows, self.cols, self.multipliers = rows, cols, multipliers
        self.groups = rows // multipliers
        self.weight_bits, self.x_shape = weight_bits, x_shape
        self.acc_width = accumulator_width(cols, weight_bits, x_shape)
        self.weights = weights
        out_layout = data.StructLayout({
            "group": unsigned(max(1, math.ceil(math.log2(self.groups)))),
            "values": data.ArrayLayout(signed(self.acc_width), multipliers)})
        super().__init__({"vec": In(stream.Signature(x_shape)),
                          "out": Out(stream.Signature(out_layout))})

    def _packed_words(self):
        mask = (1 << self.weight_bits) - 1
        words = []
        for g in range(self.groups):
            for c in range(self.cols):
                column = self.weights[g * self.multipliers:(g + 1) * self.multipliers, c]
                words.append(sum((int(w) & mask) << (m * self.weight_bits)
                                 for m, w in enumerate(column)))
        return words

    def elaborate(self, platform):
        m = Module()
        M, C, G, wb = self.multipliers, self.cols, self.groups, self.weight_bits
        m.submodules.wmem = wmem = Memory(shape=unsigned(M * wb), depth=G * C,
                                          init=self._packed_words())
        m.submodules.xmem = xmem = Memory(shape=self.x_shape, depth=C, init=[])
        w_rd, x_rd, x_wr = wmem.read_port(), xmem.read_port(), xmem.write_port()

        col = Signal(range(C))
        group = Signal(range(G))
        issue = Signal()
        # flags per pipeline stage: valid, first column, last column, group
        s1_valid, s1_first, s1_last = Signal(), Signal(), Signal()
        s2_valid, s2_first, s2_last = Signal(), Signal(), Signal()
        s1_group, s2_group = Signal.like(group), Signal.like(group)
        products = [Signal(signed(self.acc_width), name=f"product{i}") for i in range(M)]
        accs = [Signal(signed(self.acc_width), name=f"acc{i}") for i in range(M)]
        bank_valid = Signal()

        m.d.comb += [w_rd.addr.eq(group * C + col), x_rd.addr.eq(col),
                     x_wr.addr.eq(col), x_wr.data.eq(self.vec.payload)]
        m.d.sync += [s1_valid.eq(issue), s1_first.eq(col == 0), s1_last.eq(col == C - 1),
                     s1_group.eq(group),
                     s2_valid.eq(s1_valid), s2_first.eq(s1_first), s2_last.eq(s1_last),
                     s2_group.eq(s1_group)]
        for i in range(M):
            weight = w_rd.data[i * wb:(i + 1) * wb].as_signed()
            total = Signal(signed(self.acc_width), name=f"total{i}")
            m.d.sync += products[i].eq(weight * x_rd.data)
            m.d.comb += total.eq(products[i] + Mux(s2_first, 0, accs[i]))
            with m.If(s2_valid):
                m.d.sync += accs[i].eq(total)
                with m.If(s2_last):
                    m.d.sync += self.out.payload.values[i].eq(total)
        with m.If(s2_valid & s2_last):
            m.d.sync += [bank_valid.eq(1), self.out.payload.group.eq(s2_group)]
        with m.Elif(self.out.ready):
            m.d.sync += bank_valid.eq(0)
        m.d.comb += self.out.valid.eq(bank_valid)

        with m.FSM():
            with m.State("LOAD"):
                m.d.comb += [self.vec.ready.eq(1), x_wr.en.eq(self.vec.valid)]
                with m.If(self.vec.valid):
                    m.d.sync += col.eq(col + 1)
                    with m.If(col == C - 1):
                        m.d.sync += [col.eq(0), group.eq(0)]
                        m.next = "COMPUTE"
            with m.State("COMPUTE"):
                # the last column of a group may only issue into an empty result bank
                last_in_flight = (s1_valid & s1_last) | (s2_valid & s2_last)
                may_issue = (col != C - 1) | ~(bank_valid | last_in_flight)
                m.d.comb += issue.eq(may_issue)
                with m.If(may_issue):
                    m.d.sync += col.eq(col + 1)
                    with m.If(col == C - 1):
                        m.d.sync += [col.eq(0), group.eq(group + 1)]
                        with m.If(group == G - 1):
                            m.d.sync += group.eq(0)
                            m.next = "DRAIN"
            with m.State("DRAIN"):
                with m.If(~s1_valid & ~s2_valid):
                    m.next = "LOAD"
        return m
