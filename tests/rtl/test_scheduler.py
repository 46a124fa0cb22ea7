"""The slot scheduler: a slot's life from its start to free again, with the jobs it offers on
the way, and round-robin among waiting slots."""
from amaranth.sim import Simulator

from rtl.scheduler import SlotScheduler


def drive(scheduler, script):
    """Run ``script(ctx, offered)``; ``offered(name)`` is the job ``name`` offers now, or None."""
    def offered(ctx, name):
        jobs = getattr(scheduler, name)
        if not ctx.get(jobs.valid):
            return None
        payload = ctx.get(jobs.payload)
        return {field: getattr(payload, field) for field in jobs.payload.shape().members}

    async def bench(ctx):
        await script(ctx, lambda name: offered(ctx, name))

    sim = Simulator(scheduler)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()


async def event(ctx, port, payload):
    """One event on ``port``."""
    ctx.set(port.payload, payload)
    ctx.set(port.valid, 1)
    await ctx.tick()
    ctx.set(port.valid, 0)


async def take(ctx, dut, offered, name):
    """Take the job ``name`` offers; returns it."""
    job = offered(name)
    ctx.set(getattr(dut, name).ready, 1)
    await ctx.tick()
    ctx.set(getattr(dut, name).ready, 0)
    return job


def test_a_slot_from_start_to_free():
    bins = 2
    dut = SlotScheduler(slots=2, batch=2, bins=bins)
    seen = []

    async def script(ctx, offered):
        assert ctx.get(dut.free) == 0b11 and offered("matmul") is None
        await event(ctx, dut.start, {"slot": 1, "used": 0b01})
        assert ctx.get(dut.free) == 0b01
        for step in range(2 * bins):
            layer, t = divmod(step, bins)
            assert offered("gates") is None
            seen.append(await take(ctx, dut, offered, "matmul"))
            assert offered("matmul") is None                    # the slot is in the unit
            await event(ctx, dut.matmul_done, 1)
            context = ctx.get(dut.context[1])
            seen.append({"context": {"layer": context.layer, "fresh": context.fresh,
                                     "step": context.step},
                         **await take(ctx, dut, offered, "gates")})
            assert offered("results") is None
            await event(ctx, dut.gates_done, 1)
        job = offered("results")
        assert job == {"slot": 1, "used": 0b01} and offered("matmul") is None
        await take(ctx, dut, offered, "results")
        assert ctx.get(dut.free) == 0b01                        # finished until its result is out
        await event(ctx, dut.results_done, 1)
        assert ctx.get(dut.free) == 0b11

    drive(dut, script)
    matmuls, gates = seen[0::2], seen[1::2]
    assert matmuls == [{"slot": 1, "layer": layer, "fresh": int(step == 0)}
                       for step, layer in enumerate([0, 0, 1, 1])]
    assert gates == [{"slot": 1, "context": {"layer": layer, "fresh": int(step == 0),
                                             "step": step % bins}}
                     for step, layer in enumerate([0, 0, 1, 1])]


def test_round_robin_among_waiting_slots():
    """Slot 0 is ready again before slots 1 and 2 were served: they go first."""
    dut = SlotScheduler(slots=3, batch=1, bins=4)
    order = []

    async def script(ctx, offered):
        for slot in (0, 1, 2):
            await event(ctx, dut.start, {"slot": slot, "used": 1})
        order.append((await take(ctx, dut, offered, "matmul"))["slot"])
        await event(ctx, dut.matmul_done, 0)
        await take(ctx, dut, offered, "gates")
        await event(ctx, dut.gates_done, 0)
        for _ in range(3):
            order.append((await take(ctx, dut, offered, "matmul"))["slot"])
        assert offered("matmul") is None

    drive(dut, script)
    assert order == [0, 1, 2, 0]
