"""The event pins: events driven asynchronously (at random phases of the board's clock, set up a
clock before their strobe toggles, held two after, toggles three clocks apart or more) come out
in order, each once, from the first FRAME marker on; events that find the queue full are counted
as lost and the rest come out in order; nothing is taken while the pins are not the input."""
import pytest
from amaranth.sim import Simulator

from boards.pins import SYNC_STAGES, EventPins
from fakes import drive_event_pins

PERIOD = 1e-8


def drive(dut, events, rng, *, ready, enable=1):
    """Drive ``events`` ((kind, micro) pairs) on the pins while the stream is taken when
    ``ready(clock)``; returns the events taken and ``lost``."""
    got, lost, clock, done = [], [], [0], [False]

    async def pins(ctx):
        ctx.set(dut.enable, enable)
        await ctx.delay((5 + rng.random()) * PERIOD)
        await drive_event_pins(ctx, dut.pins, events, rng, period=PERIOD)
        await ctx.delay((SYNC_STAGES + 4) * PERIOD)
        done[0] = True

    async def stream(ctx):
        while not done[0] or ctx.get(dut.events.valid):
            ctx.set(dut.events.ready, ready(clock[0]))
            _, _, valid, take, p = await ctx.tick().sample(dut.events.valid, dut.events.ready,
                                                           dut.events.payload)
            clock[0] += 1
            if valid and take:
                got.append((p.kind.value, int(p.micro)))
        lost.append(ctx.get(dut.lost))

    sim = Simulator(dut)
    sim.add_clock(PERIOD)
    sim.add_testbench(pins)
    sim.add_testbench(stream)
    sim.run()
    return got, lost[0]


FRAME = (3, 0)


def random_events(rng, n):
    """A FRAME marker, then ``n - 1`` events of any kind."""
    return [FRAME] + [(int(k), int(c)) for k, c in zip(rng.integers(0, 4, n - 1),
                                                       rng.integers(0, 4096, n - 1))]


def test_asynchronous_events_come_out_in_order_each_once(rng):
    events = random_events(rng, 300)
    got, lost = drive(EventPins(micro_bits=12, depth=4), events, rng,
                      ready=lambda clock: rng.random() < 0.7)
    assert (got, lost) == (events, 0)


def test_events_that_find_the_queue_full_are_counted_lost(rng):
    """The stream is not taken for 400 clocks: the queue's 16 events wait, the rest of the
    first 400 clocks' events are lost; after that nothing is lost."""
    events = random_events(rng, 300)
    got, lost = drive(EventPins(micro_bits=12, depth=16), events, rng,
                      ready=lambda clock: clock >= 400)
    assert lost > 50 and len(got) + lost == len(events)
    assert got[:16] == events[:16] and got[16:] == events[16 + lost:]


def test_events_before_the_first_frame_marker_are_not_taken(rng):
    """A frame under way when the pins became the input: its events are neither taken nor
    lost."""
    before = [(int(k), int(c)) for k, c in zip(rng.integers(0, 3, 40), rng.integers(0, 4096, 40))]
    events = random_events(rng, 60)
    got, lost = drive(EventPins(micro_bits=12, depth=4), before + events, rng,
                      ready=lambda clock: True)
    assert (got, lost) == (events, 0)


def test_nothing_is_taken_while_the_pins_are_not_the_input(rng):
    got, lost = drive(EventPins(micro_bits=12, depth=4), random_events(rng, 20), rng,
                      ready=lambda clock: True, enable=0)
    assert (got, lost) == ([], 0)


def test_the_queue_must_hold_two():
    with pytest.raises(ValueError, match="^depth must be an integer of at least 2, not 1$"):
        EventPins(micro_bits=12, depth=1)
