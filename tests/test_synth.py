import pytest
from amaranth import Module, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from rtl.synth import cell_counts


class _Mul(wiring.Component):
    a: In(signed(8))
    b: In(signed(8))
    p: Out(signed(16))

    def elaborate(self, platform):
        m = Module()
        m.d.sync += self.p.eq(self.a * self.b)
        return m


def test_counts_cells_of_a_registered_multiplier():
    assert cell_counts(_Mul(), "ecp5")["MULT18X18D"] == 1


def test_family_message():
    with pytest.raises(ValueError, match=r"^family must be one of \['ecp5', 'ice40'\], not 'xc7'$"):
        cell_counts(_Mul(), "xc7")
