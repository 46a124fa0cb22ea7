"""cocotb testbench for the MULT18X18D model in the mode :mod:`rtl.dsp` instantiates (A, B and
output registers on CLK0, pipeline register bypassed), against the cell's documented behaviour
(Lattice FPGA-TN-02205, formerly TN1267, ECP5 sysDSP usage guide): ``P = A * B`` two CLK0
edges after the operands, each operand signed when its SIGNEDx input is high; every register
holds while CE0 is low and clears on an edge with RST0 high (RESETMODE SYNC, the default)."""
import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge

LO, HI = -(1 << 17), (1 << 17) - 1


def _expect(a, b, signed_a, signed_b):
    """The 36-bit P for 18-bit ``a``, ``b`` as their SIGNEDx inputs read them."""
    value = lambda x, signed: x if signed else x & 0x3FFFF
    return (value(a, signed_a) * value(b, signed_b)) & ((1 << 36) - 1)


async def _cycle(dut, a, b, signed_a=1, signed_b=1, ce=1, rst=0):
    """At a falling edge: P as the last rising edge left it, then the next inputs."""
    await FallingEdge(dut.clk)
    p = int(dut.p.value) if dut.p.value.is_resolvable else None      # X before any edge
    dut.a.value, dut.b.value = a & 0x3FFFF, b & 0x3FFFF
    dut.signed_a.value, dut.signed_b.value = signed_a, signed_b
    dut.ce.value, dut.rst.value = ce, rst
    return p


@cocotb.test()
async def registered_product(dut):
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    cases = [(LO, LO, 1, 1), (HI, LO, 1, 1), (HI, HI, 1, 1), (-1, -1, 1, 1), (-1, -1, 0, 0),
             (-1, 5, 0, 1), (7, -3, 1, 0), (12345, -6789, 1, 1), (0, HI, 1, 1)]
    seen = [await _cycle(dut, *case) for case in cases + [(0, 0, 1, 1)] * 2]
    # inputs set before rising edge k are in P after edge k + 1
    assert seen[2:] == [_expect(*case) for case in cases], seen


@cocotb.test()
async def clock_enable_holds_and_reset_clears(dut):
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    await _cycle(dut, 300, -7)
    await _cycle(dut, 11, 13)
    await _cycle(dut, 1000, 1000, ce=0)         # P = 300 * -7 from the edge before
    p = [await _cycle(dut, 1000, 1000, ce=0) for _ in range(2)]
    assert [v - (1 << 36) for v in p] == [-2100, -2100], "CE0 low must hold every register"
    p = [await _cycle(dut, 2, 3) for _ in range(2)]
    assert p == [(1 << 36) - 2100, 143], "the held operands 11, 13 come out once enabled"
    await _cycle(dut, 5, 5, rst=1)
    p = [await _cycle(dut, 9, 9) for _ in range(2)]
    assert p == [0, 0], "RST0 must clear the output register, then the operands' (0 * 0)"
