"""The result path: a finished slot's used lanes picked one after another (unused lanes
skipped, stalls held), then the divisions against :func:`golden.intref.lifetimes`."""
import numpy as np
from amaranth import Module
from amaranth.lib import wiring
from amaranth.sim import Simulator

from golden.fixed import FixedSpec
from golden.intref import lifetimes
from golden.widths import Widths
from rtl.result import LanePick, ResultUnit

SPEC = FixedSpec()
WIDTHS = Widths(acc=20, pre=24, head=24, sum=22, first=15, lut_frac=10)
SLOTS, BATCH = 2, 3


def run(jobs, labels, sums, first, rng, stall=0.3):
    """Offer ``jobs`` (``(slot, used)``) to a :class:`LanePick` feeding a :class:`ResultUnit`;
    returns the results in order and the slots whose job is done, in order."""
    pick, unit = (LanePick(slots=SLOTS, batch=BATCH, widths=WIDTHS, spec=SPEC),
                  ResultUnit(widths=WIDTHS, spec=SPEC))
    m = Module()
    m.submodules.pick, m.submodules.unit = pick, unit
    wiring.connect(m, pick.out, unit.inp)
    results, done = [], []

    async def bench(ctx):
        for s in range(SLOTS):
            for b in range(BATCH):
                tag, valid = labels[s][b]
                ctx.set(pick.labels[s][b], {"tag": tag, "valid": valid})
                for k in range(3):
                    ctx.set(pick.integrals[s][b].sums[k], int(sums[s, b, k]))
                    ctx.set(pick.integrals[s][b].first[k], int(first[s, b, k]))
        pending = list(jobs)
        want = sum(bin(used).count("1") for _, used in jobs)
        while len(results) < want or len(done) < len(jobs):
            if pending:
                ctx.set(pick.job.payload, {"slot": pending[0][0], "used": pending[0][1]})
            ctx.set(pick.job.valid, bool(pending))
            ready = bool(rng.random() >= stall)
            ctx.set(unit.out.ready, ready)
            taken = pending and ctx.get(pick.job.ready)
            if ctx.get(pick.done.valid):
                done.append(ctx.get(pick.done.payload))
            if ready and ctx.get(unit.out.valid):
                p = ctx.get(unit.out.payload)
                results.append({"tag": p.tag, "valid": p.valid, "fraction": p.fraction,
                                "tau": [p.tau[k] for k in range(3)],
                                "tau_defined": [(p.tau_defined >> k) & 1 for k in range(3)],
                                "fraction_defined": p.fraction_defined})
            await ctx.tick()
            if taken:
                pending.pop(0)

    sim = Simulator(m)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    return results, done


def test_used_lanes_in_order_and_lifetimes_exact(rng):
    labels = [[(10 * s + b, int(b != 1)) for b in range(BATCH)] for s in range(SLOTS)]
    first = rng.integers(0, 1 << WIDTHS.first, (SLOTS, BATCH, 3))
    first[0, 0] = [0, 0, 5]                                 # undefined lifetimes
    sums = first * rng.integers(1, 40, (SLOTS, BATCH, 3))
    jobs = [(1, 0b101), (0, 0b011)]                         # slot 1 without its lane 1
    results, done = run(jobs, labels, sums, first, rng)
    lanes = [(1, 0), (1, 2), (0, 0), (0, 1)]
    assert [r["tag"] for r in results] == [10 * s + b for s, b in lanes]
    assert [r["valid"] for r in results] == [labels[s][b][1] for s, b in lanes]
    assert done == [1, 0]
    want = lifetimes(np.array([sums[s, b] for s, b in lanes]),
                     np.array([first[s, b] for s, b in lanes]), SPEC)
    for k, result in enumerate(results):
        assert result["tau"] == list(want["tau_q"][k])
        assert result["fraction"] == want["fraction_q"][k]
        assert result["tau_defined"] == list(want["tau_defined"][k].astype(int))
        assert result["fraction_defined"] == want["fraction_defined"][k]
