"""The on-chip photon source makes exactly the events of its reference
(:func:`golden.events.source_events`), with its output stalled at random."""
import pytest
from amaranth.sim import Simulator

from golden.events import EventKind, source_codes, source_events, source_tables
from golden.physics import IRF
from rtl.photon_source import PhotonSource

MICRO_BITS = 12
LSB_NS = 0.004                  # 4 ps TDC codes
LIFETIMES = (0.8, 2.5)
SCENE = (0, 1, 1, 0)
IRF_ = IRF(0.25, 1.2)
PERIOD = source_codes(12.5, LSB_NS)     # 3,125 codes
TABLES = source_tables(LIFETIMES, irf=IRF_, tdc_lsb_ns=LSB_NS, period_ns=12.5,
                       micro_bits=MICRO_BITS)


def test_the_rtl_makes_the_reference_events(rng):
    dut = PhotonSource(scene=SCENE, lines=2, dwell=12, rate=100, tables=TABLES,
                       micro_bits=MICRO_BITS, period_codes=PERIOD, seed=7)
    want = source_events(SCENE, 2, dwell=12, rate=100, tables=TABLES, period_codes=PERIOD,
                         events=300, seed=7)
    got = []

    async def consumer(ctx):
        while len(got) < 300:
            ready = bool(rng.random() >= 0.3)
            ctx.set(dut.events.ready, ready)
            _, _, valid, p = await ctx.tick().sample(dut.events.valid, dut.events.payload)
            if valid and ready:
                got.append((p.kind.value, p.micro))

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(consumer)
    sim.run()
    assert got == [(int(k), c) for k, c in zip(*want)]
    assert want[0].count(EventKind.FRAME) >= 2


def test_bad_arguments():
    with pytest.raises(ValueError, match="^the scene's lifetimes must index the 2 delay tables$"):
        PhotonSource(scene=(0, 2), lines=1, dwell=2, rate=1, tables=TABLES, micro_bits=12,
                     period_codes=PERIOD)
    with pytest.raises(ValueError, match="^seed must be in 1 .. 2\\*\\*32 - 1, not 0$"):
        PhotonSource(scene=(0,), lines=1, dwell=2, rate=1, tables=TABLES, micro_bits=12,
                     period_codes=PERIOD, seed=0)
