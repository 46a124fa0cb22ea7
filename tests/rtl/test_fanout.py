"""Replicated fan-out registers: one cycle late, one copy per group, kept apart by synthesis."""
from amaranth import Module, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out
from amaranth.sim import Simulator

from rtl.fanout import fanout
from rtl.synth import cell_counts


class _Fan(wiring.Component):
    """``value`` times each of ``sinks`` coefficients, through fan-out copies of ``value``."""
    value: In(signed(8))
    coefficients: In(signed(8)).array(6)
    products: Out(signed(16)).array(6)

    def __init__(self, per_copy):
        self.per_copy = per_copy
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        copies = fanout(m, self.value, "value", 6, self.per_copy)
        self.copies = copies
        m.d.comb += [p.eq(copy * c) for p, copy, c in
                     zip(self.products, copies, self.coefficients)]
        return m


def test_copies_are_one_cycle_late_and_shared_by_groups():
    fan = _Fan(per_copy=4)
    m = fan.elaborate(None)
    assert [c.name for c in fan.copies] == ["value_fan0"] * 4 + ["value_fan1"] * 2
    seen = []

    async def bench(ctx):
        for value in (-128, 5, 127, -3):
            ctx.set(fan.value, value)
            await ctx.tick()
            seen.append([ctx.get(copy) for copy in fan.copies])

    sim = Simulator(m)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    assert seen == [[v] * 6 for v in (-128, 5, 127, -3)]


def test_synthesis_keeps_every_copy():
    """Without the keep attribute Yosys would merge the copies into one 8-bit register."""
    assert cell_counts(_Fan(per_copy=2), "ecp5")["TRELLIS_FF"] == 3 * 8
    assert cell_counts(_Fan(per_copy=6), "ecp5")["TRELLIS_FF"] == 8
