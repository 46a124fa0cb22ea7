"""The photon tally: the core's input passes unchanged, and every result gets the photons of
its pixel."""
import pytest
from amaranth.sim import Simulator

from boards.records import PhotonTally
from golden.fixed import FixedSpec
from rtl.result import pixel_beats


def test_arguments_are_checked():
    with pytest.raises(ValueError, match=r"^bins must be an integer in 1 \.\. 256, not 257$"):
        PhotonTally(bins=257, depth=8, spec=FixedSpec())
    with pytest.raises(ValueError, match=r"^depth must be a power of two of at least 2, "
                                         r"not 12$"):
        PhotonTally(bins=20, depth=12, spec=FixedSpec())


def test_counts_pass_and_results_get_their_photons(rng):
    """Thirty pixels of six bins (counts up to the 16-bit ceiling, two frames' flush tokens) in
    blocks of six, each block's results in a random order after it (the tally holds 8), random
    input gaps and output stalls on every stream: the beats pass unchanged, each record is its
    result with the sum of its pixel's counts."""
    dut = PhotonTally(bins=6, depth=8, spec=FixedSpec())
    counts = rng.integers(0, 2 ** 16, (30, 6))
    tags = list(range(1000, 1030))
    blocks = [pixel_beats(tags[b:b + 6], counts[b:b + 6], flush=b in (12, 24))
              for b in range(0, 30, 6)]
    order = [[int(k) for k in rng.permutation(range(b, b + 6))] for b in range(0, 30, 6)]
    passed, records = [], []

    async def put(ctx, port, set_payload):
        set_payload()
        ctx.set(port.valid, 1)
        await ctx.tick().until(port.ready)
        ctx.set(port.valid, 0)
        if rng.random() < 0.3:
            await ctx.tick()

    async def host(ctx):
        for beats, ks in zip(blocks, order):
            for beat in beats:
                await put(ctx, dut.inp, lambda: ctx.set(dut.inp.payload, beat))
            for k in ks:
                await put(ctx, dut.results, lambda: ctx.set(dut.results.payload,
                                                            {"tag": tags[k], "fraction": k}))

    async def drain(ctx):
        while len(passed) < sum(map(len, blocks)):
            ready = bool(rng.random() >= 0.3)
            ctx.set(dut.out.ready, ready)
            _, _, valid, p = await ctx.tick().sample(dut.out.valid, dut.out.payload)
            if valid and ready:
                passed.append({"tag": p.tag, "count": p.count, "last": p.last,
                               "flush": p.flush})

    async def collect(ctx):
        while len(records) < 30:
            ready = bool(rng.random() >= 0.3)
            ctx.set(dut.records.ready, ready)
            _, _, valid, p = await ctx.tick().sample(dut.records.valid, dut.records.payload)
            if valid and ready:
                records.append((p.result.tag, p.result.fraction, p.photons))

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    for bench in (host, drain, collect):
        sim.add_testbench(bench)
    sim.run()
    assert passed == [beat for beats in blocks for beat in beats]
    assert records == [(tags[k], k, int(counts[k].sum())) for ks in order for k in ks]
