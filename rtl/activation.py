"""Sigmoid and tanh lookup-table units: index-then-clamp into a ROM, registered output.

The ROM contents come from :func:`golden.fixed.build_lut`, the function the integer reference
uses, so the unit is bit-exact to :func:`golden.fixed.lut_index` + table lookup by construction;
the tests prove it in simulation.
"""
from amaranth import Module, Mux, Signal, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from golden.fixed import FixedSpec, build_lut

__all__ = ["ActivationLUT"]

KINDS = ("sigmoid", "tanh")


class ActivationLUT(wiring.Component):
    """One activation table with a one-cycle registered lookup.

    Parameters
    ----------
    kind : str
        ``"sigmoid"`` or ``"tanh"``.
    spec : FixedSpec
        Formats and table geometry.
    pre_width : int
        Width of the signed pre-activation input.
    pre_frac : int
        Fraction bits of the pre-activation.

    Attributes
    ----------
    pre : Signal(signed(pre_width)), in
        Pre-activation, sampled every cycle.
    en : Signal(1), in
        Lookup enable; ``out`` holds its value while low.
    out : Signal, out
        ``f(pre)`` one cycle later: unsigned ``sigmoid_frac`` bits or signed ``tanh_frac + 1``.
    """

    def __init__(self, *, kind, spec=FixedSpec(), pre_width, pre_frac):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        if not isinstance(pre_width, int) or pre_width < 2:
            raise ValueError(f"pre_width must be an integer of at least 2, not {pre_width!r}")
        if not isinstance(pre_frac, int) or pre_frac < 0:
            raise ValueError(f"pre_frac must be a non-negative integer, not {pre_frac!r}")
        self.kind, self.spec, self.pre_frac = kind, spec, pre_frac
        self.table = [int(v) for v in build_lut(kind, spec)]
        self.out_shape = (unsigned(spec.sigmoid_frac) if kind == "sigmoid"
                          else signed(spec.tanh_frac + 1))
        super().__init__({"pre": In(signed(pre_width)), "en": In(1), "out": Out(self.out_shape)})

    def elaborate(self, platform):
        m = Module()
        spec = self.spec
        size = 1 << spec.lut_index_bits
        m.submodules.rom = rom = Memory(shape=self.out_shape, depth=size, init=self.table)
        port = rom.read_port()
        shift = self.pre_frac - spec.lut_in_frac(self.kind)
        grid = self.pre >> shift if shift >= 0 else self.pre << -shift
        index = Signal(signed(len(grid) + 2))
        m.d.comb += [
            index.eq(grid + size // 2),
            port.en.eq(self.en),
            port.addr.eq(Mux(index < 0, 0, Mux(index > size - 1, size - 1, index))),
            self.out.eq(port.data),
        ]
        return m
