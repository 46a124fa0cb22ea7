"""The photon path's parts: the input choice between pixels, and the on-chip scene's one
description (source, histogrammer and reference built from it agree)."""
import re

import pytest
from amaranth.sim import Simulator

from boards.photons import InputSelect, PhotonPath
from golden.events import EventKind
from golden.fixed import FixedSpec
from golden.pipeline import load_default
from rtl.result import pixel_beats


def test_arguments_are_checked():
    with pytest.raises(ValueError, match=r"^count must be a positive integer, not 0$"):
        InputSelect(count=0, spec=FixedSpec())


@pytest.mark.parametrize("kwargs, message", [
    ({"lifetimes_ns": (1.0, 0.0)}, "lifetimes_ns must be positive lifetimes, not (1.0, 0.0)"),
    ({"stripes": (0, 4)}, "stripes must index the 4 lifetimes, not (0, 4)"),
    ({"lines": 0}, "lines must be an integer at least 1, not 0"),
    ({"dwell": 2.5}, "dwell must be an integer at least 1, not 2.5"),
    ({"rate": 257}, "rate must be an integer in 0 .. 256, not 257"),
    ({"micro_bits": 17}, "micro_bits must be an integer in 2 .. 16, not 17"),
    ({"records": 65}, "records must be an integer in 1 .. 64, not 65"),
])
def test_the_scene_is_checked(kwargs, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        PhotonPath(**kwargs)


def test_a_new_choice_waits_for_the_end_of_the_pixel(rng):
    """Two inputs offering pixels of four beats all the time; the choice flips at random
    cycles: the output is whole pixels (and flush tokens), each from the input chosen when it
    began, and every beat an input gave reached the output."""
    dut = InputSelect(count=2, spec=FixedSpec())
    offered = [pixel_beats([100 * k + n for n in range(40)],
                           rng.integers(0, 2 ** 16, (40, 4)), flush=False) for k in range(2)]
    for beats in offered:
        beats[20:20] = [{"tag": 0, "count": 0, "last": 0, "flush": 1}]
    out, taken = [], [0, 0]

    async def chooser(ctx):
        for _ in range(300):
            ctx.set(dut.select, int(rng.integers(2)))
            await ctx.tick().repeat(int(rng.integers(1, 7)))

    def offer(k):
        async def bench(ctx):
            while taken[k] < len(offered[k]):
                ctx.set(dut.inputs[k].payload, offered[k][taken[k]])
                ctx.set(dut.inputs[k].valid, 1)
                await ctx.tick().until(dut.inputs[k].ready)
                taken[k] += 1
            ctx.set(dut.inputs[k].valid, 0)
        return bench

    async def consumer(ctx):
        while True:
            ready = bool(rng.random() >= 0.3)
            ctx.set(dut.out.ready, ready)
            _, _, valid, p = await ctx.tick().sample(dut.out.valid, dut.out.payload)
            if valid and ready:
                out.append({"tag": p.tag, "count": p.count, "last": p.last, "flush": p.flush})

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(chooser)
    for k in range(2):
        sim.add_testbench(offer(k), background=True)
    sim.add_testbench(consumer, background=True)
    sim.run()
    got, pixel = [[], []], []
    for beat in out:
        if beat["flush"]:
            assert pixel == []                  # a token never splits a pixel
            continue
        pixel.append(beat)
        if beat["last"]:
            (source,) = {b["tag"] // 100 for b in pixel}
            got[source] += pixel
            pixel = []
    if pixel:                                   # the one the simulation ended in
        (source,) = {b["tag"] // 100 for b in pixel}
        got[source] += pixel
    assert taken[0] > 20 and taken[1] > 20
    for k in range(2):
        assert got[k] == [b for b in offered[k][:taken[k]] if not b["flush"]]
    assert sum(b["flush"] for b in out) == sum(b["flush"] for k in range(2)
                                               for b in offered[k][:taken[k]])


def test_the_scene_is_described_once():
    """The model's 12.5 ns period in 12-bit codes: 4 ps each, 3,125 codes; the histogrammer's
    table and the source share them; the reference counts whole frames of the scene."""
    qmodel = load_default()
    path = PhotonPath(lifetimes_ns=(0.5, 2.0), stripes=(0, 1), lines=2, dwell=30, rate=200)
    assert path.tdc_lsb_ns(qmodel) == 0.004
    source = path.source(qmodel)
    assert source.period_codes == 3125 and source.scene == [0, 1]
    histogrammer = path.histogrammer(qmodel, 135)
    assert len(histogrammer.table) == 4096
    assert histogrammer.table[0] == 0 and histogrammer.table[3124] is None   # 12.5 ns > 12.15
    ref = path.reference(qmodel, 135, frames=3)
    assert ref["frames"] == [4, 8, 12] and [tag for tag, _ in ref["pixels"]] == [0, 1, 2, 3] * 3
    assert sum(int(c.sum()) for _, c in ref["pixels"]) + ref["outside"] > 0.7 * 12 * 30 * 200 / 256
