import pytest
from amaranth import Module
from amaranth.sim import Simulator

from boards.simulation import CLOCK_PERIOD, receive_byte, send_byte
from boards.uart import UARTRx, UARTTx
from streams import simulate_streams


@pytest.mark.parametrize("cls", [UARTRx, UARTTx])
@pytest.mark.parametrize("divisor", [3, 4.0])
def test_divisor_is_checked(cls, divisor):
    with pytest.raises(ValueError, match=rf"^divisor must be an integer of at least 4, "
                                         rf"not {divisor!r}$"):
        cls(divisor=divisor)


@pytest.mark.parametrize("divisor", [4, 7, 25])
def test_loopback(rng, divisor):
    """Random bytes with random gaps, TX wired to RX (25: the ULX3S at 3 Mbaud)."""
    m = Module()
    m.submodules.tx = tx = UARTTx(divisor=divisor)
    m.submodules.rx = rx = UARTRx(divisor=divisor)
    m.d.comb += rx.rx.eq(tx.tx)
    data = rng.integers(0, 256, 40).tolist()
    got, _ = simulate_streams(m, tx.inp, data, rx.out, len(data), rng=rng, gap=0.5)
    assert got == data


def run(dut, producer, consumer, *, background=False):
    sim = Simulator(dut)
    sim.add_clock(CLOCK_PERIOD)
    sim.add_testbench(producer)
    sim.add_testbench(consumer, background=background)
    sim.run()


def test_transmitter_bit_timing(rng):
    """Each byte decodes when sampled in the middle of each bit time, with a high stop bit."""
    dut = UARTTx(divisor=5)
    data = rng.integers(0, 256, 8).tolist()
    got = []

    async def producer(ctx):
        for byte in data:
            ctx.set(dut.inp.payload, byte)
            ctx.set(dut.inp.valid, 1)
            await ctx.tick().until(dut.inp.ready)
        ctx.set(dut.inp.valid, 0)

    async def consumer(ctx):
        for _ in data:
            got.append(await receive_byte(ctx, dut.tx, 5))

    run(dut, producer, consumer)
    assert got == [(byte, 1) for byte in data]


def test_framing_error_and_glitch():
    """A low stop bit pulses ``error`` and drops the byte; a glitch shorter than half a bit
    is no start bit; the next byte is received."""
    dut = UARTRx(divisor=4)
    got, errors = [], []

    async def producer(ctx):
        await send_byte(ctx, dut.rx, 0x3C, 4, stop=0)
        await ctx.tick().repeat(8)
        ctx.set(dut.rx, 0)                      # glitch
        await ctx.tick()
        ctx.set(dut.rx, 1)
        await ctx.tick().repeat(8)
        await send_byte(ctx, dut.rx, 0xC3, 4)
        await ctx.tick().repeat(8)

    async def consumer(ctx):
        ctx.set(dut.out.ready, 1)
        while True:
            _, _, valid, payload, error = await ctx.tick().sample(dut.out.valid,
                                                                  dut.out.payload, dut.error)
            if valid:
                got.append(payload)
            if error:
                errors.append(error)

    run(dut, producer, consumer, background=True)
    assert (got, errors) == ([0xC3], [1])


def test_overrun_keeps_the_held_byte_and_pulses():
    """A byte that completes while the last one is still not taken is dropped with one
    ``overrun`` pulse; the held byte stays valid and unchanged (the stream rules), and the
    receiver goes on once it is taken."""
    dut = UARTRx(divisor=4)
    seen, overruns = [], []

    async def producer(ctx):
        for byte in (0x11, 0x22, 0x33):
            await send_byte(ctx, dut.rx, byte, 4)
        await ctx.tick().repeat(8)
        ctx.set(dut.out.ready, 1)
        await ctx.tick()
        ctx.set(dut.out.ready, 0)
        await send_byte(ctx, dut.rx, 0x44, 4)
        await ctx.tick().repeat(8)

    async def monitor(ctx):
        while True:
            _, _, valid, payload, overrun = await ctx.tick().sample(dut.out.valid,
                                                                    dut.out.payload, dut.overrun)
            if valid:
                seen.append(payload)
            overruns.append(overrun)

    run(dut, producer, monitor, background=True)
    held = [b for b in seen if b != seen[0]]
    assert seen[0] == 0x11 and set(held) == {0x44} and sum(overruns) == 2
