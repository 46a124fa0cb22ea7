"""The matmul unit against numpy: ``W_hh h`` of the job's layer for every lane of its slot, the
state read as zero on a fresh slot, jobs back to back, ``done`` after the declared latency."""
import numpy as np
import pytest
from amaranth.sim import Simulator

from golden.pipeline import load_default
from golden.widths import datapath_widths
from lanes import Lanes
from rtl.matmul import MatmulUnit


def run_jobs(q, *, rows, batch, slots, states, jobs):
    """Run ``jobs`` (``(slot, layer, fresh)``) one after another; returns the accumulator
    memories after them, and per job ``done``'s delay after its last weight read."""
    H = q.hidden_size
    unit = MatmulUnit(layers=(q.encoder[0], q.decoder[0]), rows=rows, batch=batch, slots=slots,
                      spec=q.spec, widths=datapath_widths(q, 20), hard=rows * batch // 2)
    lanes = Lanes(unit, slots=slots, batch=batch, hidden=H, bins=20, spec=q.spec,
                  widths=datapath_widths(q, 20), h=states)
    result = {}

    async def bench(ctx):
        pending, delays, issues, issuing, cycle = list(jobs), [], [], False, 0
        while len(delays) < len(jobs):
            if pending:
                slot, layer, fresh = pending[0]
                ctx.set(unit.job.payload, {"slot": slot, "layer": layer, "fresh": fresh})
            ctx.set(unit.job.valid, bool(pending))
            taken = pending and ctx.get(unit.job.ready)
            # each job's weight reads are one run of issue cycles; the next starts after a gap
            if ctx.get(unit.issue):
                issues += [] if issuing else [None]
                issues[-1] = cycle
            issuing = ctx.get(unit.issue)
            if ctx.get(unit.done.valid):
                assert ctx.get(unit.done.payload) == jobs[len(delays)][0]
                delays.append(cycle - issues[len(delays)])
            await ctx.tick()
            cycle += 1
            if taken:
                pending.pop(0)
        result["acc"] = lanes.read(ctx, "acc")
        result["delays"] = delays

    sim = Simulator(lanes.m)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    return result["acc"], result["delays"]


@pytest.mark.parametrize("rows, batch, slots", [(8, 2, 2), (32, 1, 3)])
def test_products_match_numpy(rng, rows, batch, slots):
    q = load_default()
    H = q.hidden_size
    states = rng.integers(-128, 128, (slots, batch, H))
    # every slot: the decoder's weights on slot 0, a fresh (zero) state on the last slot
    jobs = [(s, int(s == 0), int(s == slots - 1)) for s in range(slots)]
    acc, delays = run_jobs(q, rows=rows, batch=batch, slots=slots, states=states, jobs=jobs)
    for slot, layer, fresh in jobs:
        weights = (q.encoder[0], q.decoder[0])[layer].w_hh
        h = states[slot] * (1 - fresh)
        assert np.array_equal(acc[slot], h @ weights.T), (slot, layer, fresh)
    assert delays == [MatmulUnit.latency(rows)] * len(jobs)


def test_latency_is_pipeline_and_drain():
    assert MatmulUnit.latency(8) == MatmulUnit.STAGES + 8
