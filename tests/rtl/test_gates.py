"""The gate unit against the integer reference's recorded per-step intermediates: new states of
encoder and decoder steps (a fresh one among them), the running integrals of decoder steps,
jobs of different slots and layers back to back, ``done`` after the declared latency; and the
schedule's check."""
import numpy as np
import pytest
from amaranth.sim import Simulator

from golden.export import golden_counts
from golden.intref import run_network
from golden.pipeline import load_default
from golden.preprocess import preprocess
from golden.widths import datapath_widths
from lanes import Lanes
from rtl.gates import SCHEDULE, GateUnit, check_schedule

SLOTS, BATCH, BINS = 2, 2, 12


def test_steps_match_the_integer_reference():
    q = load_default()
    H, spec = q.hidden_size, q.spec
    widths = datapath_widths(q, BINS)
    x = preprocess(golden_counts(SLOTS * BATCH, BINS, seed=3))[0]
    ref = run_network(q, x, record=True)
    enc_h, dec_h = ref["encoder"][0]["h"], ref["decoder"][0]["h"]          # (T, N, H)
    clamped = np.maximum(ref["outputs"], 0)                                 # (N, T, 3)
    lanes_of = lambda states, slot: states[slot * BATCH:(slot + 1) * BATCH]
    layers = (q.encoder[0], q.decoder[0])
    # (slot, layer, step, fresh, the state before the step)
    jobs = [(1, 1, 0, 0, enc_h[-1]), (0, 0, 3, 0, enc_h[2]), (1, 1, 1, 0, dec_h[0]),
            (0, 0, 0, 1, np.zeros_like(enc_h[0]))]
    h0 = np.stack([lanes_of(enc_h[2], 0), lanes_of(enc_h[-1], 1)])
    unit = GateUnit(qmodel=q, bins=BINS, batch=BATCH, slots=SLOTS, widths=widths)
    lanes = Lanes(unit, slots=SLOTS, batch=BATCH, hidden=H, bins=BINS, spec=spec,
                  widths=widths, h=h0, x=x.reshape(SLOTS, BATCH, BINS))
    got = {}

    async def bench(ctx):
        pending, busy, delays, cycle, accepted = list(jobs), set(), [], 0, {}
        while len(delays) < len(jobs):
            job = pending[0] if pending and pending[0][0] not in busy else None
            if job:
                slot, layer, step, fresh, before = job
                # the matmul's part of the step: W_hh h into the slot's accumulators
                products = lanes_of(before, slot) @ layers[layer].w_hh.T
                for b in range(BATCH):
                    for k in range(3):
                        for u in range(H):
                            ctx.set(lanes.memories["acc"][b][k].data[slot * H + u],
                                    int(products[b, k * H + u]))
                ctx.set(unit.context[slot], {"layer": layer, "fresh": fresh, "step": step})
                ctx.set(unit.job.payload, {"slot": slot})
            ctx.set(unit.job.valid, bool(job))
            taken = job and ctx.get(unit.job.ready)
            if ctx.get(unit.done.valid):
                slot = ctx.get(unit.done.payload)
                delays.append(cycle - accepted.pop(slot))
                busy.discard(slot)
            await ctx.tick()
            if taken:
                accepted[job[0]] = cycle
                busy.add(job[0])
                pending.pop(0)
            cycle += 1
        got["h"] = lanes.read(ctx, "h")
        got["sums"], got["first"] = (np.array([[[ctx.get(unit.integrals[s][b][part][k])
                                                 for k in range(3)] for b in range(BATCH)]
                                               for s in range(SLOTS)]).reshape(-1, 3)
                                     for part in ("sums", "first"))
        got["delays"] = delays

    sim = Simulator(lanes.m)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    assert np.array_equal(got["h"][0], lanes_of(enc_h[0], 0))       # the fresh encoder step
    assert np.array_equal(got["h"][1], lanes_of(dec_h[1], 1))       # two decoder steps
    decoded = slice(BATCH, 2 * BATCH)                               # slot 1's pixels
    assert np.array_equal(got["first"][decoded], clamped[decoded, 0])
    assert np.array_equal(got["sums"][decoded], clamped[decoded, :2].sum(axis=1))
    assert got["delays"] == [H + GateUnit.LATENCY] * len(jobs)


def test_encoder_state_of_a_step_between():
    """Job 2 above overwrites slot 0's step-3 state; this checks that step on its own."""
    q = load_default()
    widths = datapath_widths(q, BINS)
    x = preprocess(golden_counts(BATCH, BINS, seed=4))[0]
    enc_h = run_network(q, x, record=True)["encoder"][0]["h"]
    unit = GateUnit(qmodel=q, bins=BINS, batch=BATCH, slots=1, widths=widths,
                    hard=("r_ah", "keep"))
    lanes = Lanes(unit, slots=1, batch=BATCH, hidden=q.hidden_size, bins=BINS, spec=q.spec,
                  widths=widths, h=enc_h[2][None], x=x[None],
                  acc=(enc_h[2] @ q.encoder[0].w_hh.T)[None])
    got = {}

    async def bench(ctx):
        ctx.set(unit.context[0], {"layer": 0, "fresh": 0, "step": 3})
        ctx.set(unit.job.payload, {"slot": 0})
        ctx.set(unit.job.valid, 1)
        await ctx.tick().until(unit.job.ready)
        ctx.set(unit.job.valid, 0)
        await ctx.tick().until(unit.done.valid)
        got["h"] = lanes.read(ctx, "h")[0]

    sim = Simulator(lanes.m)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    assert np.array_equal(got["h"], enc_h[3])


def test_schedule_is_checked():
    assert check_schedule(SCHEDULE) == GateUnit.LATENCY
    moved = {**SCHEDULE, "n_pre": (8, SCHEDULE["n_pre"][1])}
    with pytest.raises(ValueError, match="n_pre at stage 8 does not follow r_ah, n_input_sum"):
        check_schedule(moved)
