"""Registered hard-multiplier products: two cycles late in simulation, registers inside the
MULT18X18D on ECP5 and the SB_MAC16 on iCE40, whose netlist from the board flow is simulated
under Yosys's cell models."""
import numpy as np
import pytest
from amaranth import Module, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out
from amaranth.sim import Simulator

from rtl.dsp import registered_product, registered_products
from rtl.synth import Flow, cell_counts
from sim.netlist import run_netlist


class _Product(wiring.Component):
    def __init__(self, a_shape, b_shape, family=None, hard=True):
        self.family, self.hard = family, hard
        super().__init__({"a": In(a_shape), "b": In(b_shape),
                          "p": Out(signed(a_shape.width + b_shape.width))})

    def elaborate(self, platform):
        m = Module()
        m.d.comb += self.p.eq(registered_product(m, self.a, self.b, "product",
                                                 self.family, self.hard))
        return m


@pytest.mark.parametrize("hard", [True, False])
def test_products_arrive_two_cycles_late(rng, hard):
    dut = _Product(signed(8), unsigned(9), hard=hard)
    pairs = list(zip(rng.integers(-128, 128, 40).tolist(), rng.integers(0, 512, 40).tolist()))
    pairs += [(-128, 511), (127, 511), (-128, 0)]
    seen = []

    async def bench(ctx):
        for a, b in pairs + [(0, 0)]:
            ctx.set(dut.a, a)
            ctx.set(dut.b, b)
            await ctx.tick()
            seen.append(ctx.get(dut.p))

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    # the product of the pair set before tick k is visible after tick k + 1
    assert seen[1:] == [a * b for a, b in pairs]


def test_ecp5_registers_sit_inside_the_multiplier():
    assert cell_counts(_Product(signed(8), signed(8), "ecp5"), "ecp5") == {"MULT18X18D": 1}
    inferred = cell_counts(_Product(signed(8), signed(8)), "ecp5")
    assert inferred["MULT18X18D"] == 1 and inferred["TRELLIS_FF"] == 8 + 8 + 16


def test_lut_products_use_no_hard_multiplier():
    cells = cell_counts(_Product(signed(8), signed(9), "ecp5", hard=False), "ecp5")
    assert "MULT18X18D" not in cells and cells["LUT4"] > 8 * 9


@pytest.mark.parametrize("shapes, family, message", [
    ((signed(19), signed(8)), "ecp5", r"^a MULT18X18D operand holds 18 signed bits, not "
                                      r"signed\(19\)$"),
    ((unsigned(18), signed(8)), "ecp5", r"^a MULT18X18D operand holds 18 signed bits, not "
                                        r"unsigned\(18\)$"),
    ((signed(17), signed(8)), "ice40", r"^a SB_MAC16 operand holds 16 bits, not "
                                       r"signed\(17\)$"),
    ((signed(8), signed(8)), "xc7", r"^family must be one of \(None, 'ice40', 'ecp5'\), "
                                    r"not 'xc7'$")])
def test_bad_operands_and_families(shapes, family, message):
    with pytest.raises(ValueError, match=message):
        _Product(*shapes, family).elaborate(None)


class _Products(wiring.Component):
    """``p[k] = a[k] * b[k]`` through :func:`registered_products`."""

    def __init__(self, shapes, family, latency=2):
        self.family, self.latency = family, latency
        super().__init__({**{f"a{k}": In(a) for k, (a, _) in enumerate(shapes)},
                          **{f"b{k}": In(b) for k, (_, b) in enumerate(shapes)},
                          **{f"p{k}": Out(signed(a.width + b.width + 1))
                             for k, (a, b) in enumerate(shapes)}})
        self.count = len(shapes)

    def elaborate(self, platform):
        m = Module()
        operands = [(getattr(self, f"a{k}"), getattr(self, f"b{k}"), True, f"product{k}")
                    for k in range(self.count)]
        for k, product in enumerate(registered_products(m, operands, self.family,
                                                        self.latency)):
            m.d.comb += getattr(self, f"p{k}").eq(product)
        return m


def test_ice40_pairs_8_bit_products_in_one_mac16():
    """Products 0 and 1 share an SB_MAC16, and 4 and 5; 2 (9 bits) and 3 (the only unsigned
    one) have none to pair with: four MAC16s for six products. Off the iCE40 nothing pairs."""
    shapes = [(signed(8), signed(8)), (signed(8), signed(8)), (signed(9), signed(8)),
              (unsigned(8), signed(8)), (signed(8), signed(8)), (signed(8), signed(8))]
    assert cell_counts(_Products(shapes, "ice40"), "ice40")["SB_MAC16"] == 4
    assert cell_counts(_Products(shapes, "ecp5"), "ecp5")["MULT18X18D"] == 6


def _operands(rng, shapes, cycles):
    """Random operands of ``shapes`` per cycle, the first four at their extremes."""
    columns = []
    for shape in shapes:
        lo, hi = (-(1 << shape.width - 1), 1 << shape.width - 1) if shape.signed else \
            (0, 1 << shape.width)
        column = rng.integers(lo, hi, cycles)
        column[:4] = [lo, hi - 1, lo, hi - 1]
        columns.append(column)
    return np.column_stack(columns)


#: Two 8-bit products that pair on one SB_MAC16 (the matmul's), and a 16 x 9 one and an
#: unsigned-by-signed 16 x 8 one, each on an SB_MAC16 in its 16 x 16 mode.
ICE40_SHAPES = [(signed(8), signed(8)), (signed(8), signed(8)), (signed(16), signed(9)),
                (unsigned(16), signed(8))]


@pytest.mark.parametrize("latency", [1, 2])
def test_ice40_products_survive_the_board_flow(tmp_path, rng, latency):
    """The minimal reproduction of Yosys 0.70's ``ice40_dsp`` rewrite of instantiated
    SB_MAC16s, through the iCEBreaker's own synthesis flow: its netlist, under Yosys's cell
    models, gives every product on time (four products on three SB_MAC16s, no LUT
    products)."""
    dut = _Products(ICE40_SHAPES, "ice40", latency)
    tests, failed, cells = run_netlist(
        dut, Flow("ice40"), name="products", test_module="sim.cocotb_products",
        build_dir=tmp_path, vectors={"a": _operands(rng, [a for a, _ in ICE40_SHAPES], 300),
                                     "b": _operands(rng, [b for _, b in ICE40_SHAPES], 300),
                                     "latency": latency})
    assert (tests, failed) == (1, 0), (tmp_path / "test.log").read_text()[-2000:]
    assert cells["SB_MAC16"] == 3 and "SB_LUT4" not in cells


def test_ecp5_products_survive_the_board_flow(tmp_path, rng):
    """The ULX3S's flow (``abc`` LUT mapping) keeps the MULT18X18D instances as written: its
    netlist, under our model of the cell and Yosys's of the rest (Verilator: Icarus 11 cannot
    parse Yosys's ECP5 models), gives every product two cycles late, one MULT18X18D each and
    no fabric registers."""
    shapes = [(signed(8), signed(8)), (signed(18), signed(9))]
    dut = _Products(shapes, "ecp5")
    tests, failed, cells = run_netlist(
        dut, Flow("ecp5", "abc"), name="products", test_module="sim.cocotb_products",
        build_dir=tmp_path, vectors={"a": _operands(rng, [a for a, _ in shapes], 300),
                                     "b": _operands(rng, [b for _, b in shapes], 300),
                                     "latency": 2}, simulator="verilator")
    assert (tests, failed) == (1, 0), (tmp_path / "test.log").read_text()[-2000:]
    assert cells["MULT18X18D"] == 2 and "TRELLIS_FF" not in cells


def test_ice40_dsp_pass_still_rewrites_dual_mac16s(tmp_path, rng):
    """Why the iCE40 flow leaves out ``-dsp``: with it, Yosys 0.70 turns the dual 8 x 8
    SB_MAC16 into a 16 x 16 multiplier and the products come out wrong. When this fails,
    Yosys has been fixed and ``-dsp`` could come back to :data:`rtl.synth.FAMILIES`."""
    dut = _Products(ICE40_SHAPES[:2], "ice40", 2)

    class WithDsp(Flow):
        synth_opts = "-dsp"

    tests, failed, _ = run_netlist(
        dut, WithDsp("ice40"), name="products", test_module="sim.cocotb_products",
        build_dir=tmp_path, vectors={"a": _operands(rng, [signed(8)] * 2, 100),
                                     "b": _operands(rng, [signed(8)] * 2, 100), "latency": 2})
    assert (tests, failed) == (1, 1)
    assert "100 of 100 cycles wrong" in (tmp_path / "test.log").read_text()
