"""HDL arithmetic helpers against Python integers."""
import pytest
from amaranth import Module, Signal, signed, unsigned
from amaranth.sim import Simulator

from rtl.arith import shift_add_product


@pytest.mark.parametrize("b_shape", [unsigned(8), signed(8), signed(10)])
def test_shift_add_product_is_exact(b_shape, rng):
    a, b = Signal(signed(22)), Signal(b_shape)
    product = Signal(signed(40))
    m = Module()
    m.d.comb += product.eq(shift_add_product(a, b))
    lo, hi = (-(1 << (b_shape.width - 1)), 1 << (b_shape.width - 1)) if b_shape.signed \
        else (0, 1 << b_shape.width)
    a_values = [-(1 << 21), (1 << 21) - 1, 0, -1] + rng.integers(-(1 << 21), 1 << 21, 8).tolist()
    mismatches = []

    async def bench(ctx):
        for x in a_values:
            for y in range(lo, hi):
                ctx.set(a, x)
                ctx.set(b, y)
                if ctx.get(product) != x * y:
                    mismatches.append((x, y, ctx.get(product)))

    sim = Simulator(m)
    sim.add_testbench(bench)
    sim.run()
    assert not mismatches, mismatches[:5]
