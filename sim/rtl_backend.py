"""Driving RTL in Amaranth simulation: a producer and a consumer coroutine on
``amaranth.lib.stream`` ports (random input gaps, output stalls), and a whole core run over
a list of pixels."""
import numpy as np
from amaranth.sim import Simulator

from rtl.result import pixel_beats

__all__ = ["stream_through", "simulate_streams", "run_core", "result_record", "by_tag",
           "RESULT_KEYS"]

RESULT_KEYS = ("tau", "fraction", "tau_defined", "fraction_defined", "valid")


def stream_through(dut, source, items, sink, count, *, rng, put=None, take=None, gap=0.0,
                   stall=0.0, pauses=None):
    """Send ``items`` into ``source``; collect ``count`` transfers from ``sink``.

    ``put(ctx, item)`` drives the source payload (default: the item as an integer);
    ``take(ctx, payload)`` turns a sampled sink payload into a result (default: itself);
    ``pauses`` maps an item's index to idle cycles before it (beside the random ``gap``).
    Returns ``[(cycle, result), ...]``: each result with the consumer's clock tick it arrived on.
    """
    put = put or (lambda ctx, item: ctx.set(source.payload, int(item)))
    take = take or (lambda ctx, payload: payload)
    results = []

    async def producer(ctx):
        for index, item in enumerate(items):
            if pauses and index in pauses:
                ctx.set(source.valid, 0)
                await ctx.tick().repeat(pauses[index])
            while rng.random() < gap:
                ctx.set(source.valid, 0)
                await ctx.tick()
            put(ctx, item)
            ctx.set(source.valid, 1)
            await ctx.tick().until(source.ready)
            ctx.set(source.valid, 0)

    async def consumer(ctx):
        cycle = 0
        while len(results) < count:
            ready = bool(rng.random() >= stall)
            ctx.set(sink.ready, ready)
            _, _, valid, payload = await ctx.tick().sample(sink.valid, sink.payload)
            cycle += 1
            if valid and ready:
                results.append((cycle, take(ctx, payload)))

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(producer)
    sim.add_testbench(consumer)
    sim.run()
    return results


def simulate_streams(dut, source, items, sink, count, **kwargs):
    """:func:`stream_through` without arrival times: returns ``(results, cycles)``, ``cycles``
    being the consumer's clock ticks up to the last result."""
    timed = stream_through(dut, source, items, sink, count, **kwargs)
    return [result for _, result in timed], (timed[-1][0] if timed else 0)


def run_core(core, counts, *, tags=None, gaps=0.0, stalls=0.0, rng=None, progress=None):
    """Stream pixels ``counts`` ``(N, T)`` through ``core`` as one frame (a flush token after
    the last): a :class:`~rtl.multipixel.MultiPixelCore` or anything with its ``inp``/``out``
    ports.

    Parameters
    ----------
    tags : sequence of int, optional
        Pixel tags (default: ``0 .. N-1``).
    gaps, stalls : float
        Probabilities of an idle input cycle before each bin and of a cycle with the output not
        ready (``rng`` draws them).
    progress : callable, optional
        Called with 1 for every finished pixel.

    Returns
    -------
    records : list of dict
        In arrival order: ``tag``, ``cycle`` (consumer tick of arrival) and the integer results
        named as in :func:`golden.intref.run_counts`: ``tau`` (3 values, bins with
        ``quotient_frac`` fraction bits), ``fraction``, ``tau_defined`` (3 flags),
        ``fraction_defined``, ``valid``.
    cycles : int
        Clock cycles until the last result.
    """
    tags = range(len(counts)) if tags is None else tags

    def put(ctx, beat):
        ctx.set(core.inp.payload, beat)

    def take(ctx, payload):
        if progress:
            progress(1)
        return result_record(payload)

    timed = stream_through(core, core.inp, pixel_beats(tags, counts), core.out, len(counts),
                           rng=rng or np.random.default_rng(0), put=put, take=take, gap=gaps,
                           stall=stalls)
    records = [{"cycle": cycle, **record} for cycle, record in timed]
    return records, (timed[-1][0] if timed else 0)


def result_record(p):
    """A sampled result payload as a dict: ``tag`` and the :data:`RESULT_KEYS`."""
    return {"tag": p.tag, "tau": [p.tau[k] for k in range(3)], "fraction": p.fraction,
            "tau_defined": [(p.tau_defined >> k) & 1 for k in range(3)],
            "fraction_defined": p.fraction_defined, "valid": p.valid}


def by_tag(records):
    """``{tag: results}`` of :func:`run_core` records; a tag delivered twice is an error."""
    results = {r["tag"]: {k: r[k] for k in RESULT_KEYS} for r in records}
    if len(results) != len(records):
        raise AssertionError("a pixel was delivered twice")
    return results
