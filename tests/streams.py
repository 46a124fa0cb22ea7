"""Amaranth testbench plumbing shared by the RTL tests: a producer and a consumer coroutine on
``amaranth.lib.stream`` ports, with random input gaps and output stalls."""
from amaranth.sim import Simulator


def simulate_streams(dut, source, items, sink, count, *, rng, put=None, take=None, gap=0.0,
                     stall=0.0):
    """Send ``items`` into ``source``; collect ``count`` transfers from ``sink``.

    ``put(ctx, item)`` drives the source payload (default: the item as an integer);
    ``take(ctx, payload)`` turns a sampled sink payload into a result (default: itself).
    Returns ``(results, cycles)``; ``cycles`` counts the consumer's clock ticks.
    """
    put = put or (lambda ctx, item: ctx.set(source.payload, int(item)))
    take = take or (lambda ctx, payload: payload)
    results, cycles = [], [0]

    async def producer(ctx):
        for item in items:
            while rng.random() < gap:
                ctx.set(source.valid, 0)
                await ctx.tick()
            put(ctx, item)
            ctx.set(source.valid, 1)
            await ctx.tick().until(source.ready)
            ctx.set(source.valid, 0)

    async def consumer(ctx):
        while len(results) < count:
            ready = bool(rng.random() >= stall)
            ctx.set(sink.ready, ready)
            _, _, valid, payload = await ctx.tick().sample(sink.valid, sink.payload)
            cycles[0] += 1
            if valid and ready:
                results.append(take(ctx, payload))

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(producer)
    sim.add_testbench(consumer)
    sim.run()
    return results, cycles[0]
