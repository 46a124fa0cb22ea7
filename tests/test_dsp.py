"""Registered hard-multiplier products: two cycles late in simulation, registers inside the
MULT18X18D on ECP5 (its netlist is simulated in tests/test_cocotb_multipixel.py)."""
import pytest
from amaranth import Module, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out
from amaranth.sim import Simulator

from rtl.dsp import registered_product, registered_products
from rtl.synth import cell_counts


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
    ((signed(8), signed(8)), "xc7", r"^family must be one of \(None, 'ice40', 'ecp5'\), "
                                    r"not 'xc7'$")])
def test_bad_operands_and_families(shapes, family, message):
    with pytest.raises(ValueError, match=message):
        _Product(*shapes, family).elaborate(None)


class _Products(wiring.Component):
    """``p[k] = a[k] * b[k]`` through :func:`registered_products`."""

    def __init__(self, shapes, family):
        self.family = family
        super().__init__({**{f"a{k}": In(a) for k, (a, _) in enumerate(shapes)},
                          **{f"b{k}": In(b) for k, (_, b) in enumerate(shapes)},
                          **{f"p{k}": Out(signed(a.width + b.width + 1))
                             for k, (a, b) in enumerate(shapes)}})
        self.count = len(shapes)

    def elaborate(self, platform):
        m = Module()
        operands = [(getattr(self, f"a{k}"), getattr(self, f"b{k}"), True, f"product{k}")
                    for k in range(self.count)]
        for k, product in enumerate(registered_products(m, operands, self.family)):
            m.d.comb += getattr(self, f"p{k}").eq(product)
        return m


def test_ice40_pairs_8_bit_products_in_one_mac16():
    """Products 0 and 1 share an SB_MAC16, and 4 and 5; 2 (9 bits) and 3 (the only unsigned
    one) have none to pair with: four MAC16s for six products. Off the iCE40 nothing pairs."""
    shapes = [(signed(8), signed(8)), (signed(8), signed(8)), (signed(9), signed(8)),
              (unsigned(8), signed(8)), (signed(8), signed(8)), (signed(8), signed(8))]
    assert cell_counts(_Products(shapes, "ice40"), "ice40")["SB_MAC16"] == 4
    assert cell_counts(_Products(shapes, "ecp5"), "ecp5")["MULT18X18D"] == 6
