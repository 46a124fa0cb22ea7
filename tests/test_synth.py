import pytest
from amaranth import Module, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from rtl.synth import Flow, cell_counts


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


def test_flows():
    """The iCE40 flow runs synth_ice40 without -dsp (ice40_dsp rewrites instantiated
    SB_MAC16s); the ECP5 one with abc maps LUTs between two halves of synth_ecp5."""
    assert Flow("ice40").script("top")[2] == "synth_ice40 -top top"
    abc = Flow("ecp5", "abc")
    assert abc.script("top")[2] == "synth_ecp5 -run begin:map_luts -top top"
    assert abc.script("top")[-2:] == ["clean", "synth_ecp5 -run map_cells:"]
    assert Flow("ecp5", "abc9").script("top")[2:] == ["synth_ecp5 -top top"]


def test_lut_mapper_message():
    with pytest.raises(ValueError, match=r"^the LUT mapper is a choice of ECP5 builds \(abc9, "
                                         r"abc\), not 'abc' for ice40$"):
        Flow("ice40", "abc")
