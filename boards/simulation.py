"""A serial port onto a design in Amaranth simulation: the host side of the link, bit by bit.

:class:`SimulatedPort` has pyserial's ``read``/``write`` and drives the design's ``rx`` pin and
decodes its ``tx`` pin at the UART's bit timing, so :class:`boards.host.Host` runs unchanged
against the RTL.
"""
from amaranth.sim import Simulator

from .uart import BITS_PER_BYTE

__all__ = ["CLOCK_PERIOD", "send_byte", "receive_byte", "SimulatedPort"]

CLOCK_PERIOD = 1e-8


async def _wait(ctx, cycles):
    # not ``ctx.tick().repeat()``: its generator cannot be closed while suspended, which is
    # where background testbenches are when the simulator is discarded
    for _ in range(cycles):
        await ctx.tick()


async def send_byte(ctx, pin, byte, divisor, *, stop=1):
    """Drive one 8N1 byte onto ``pin`` (``stop=0`` makes a framing error)."""
    for bit in [0, *(byte >> k & 1 for k in range(8)), stop]:
        ctx.set(pin, bit)
        await _wait(ctx, divisor)
    ctx.set(pin, 1)


async def receive_byte(ctx, pin, divisor):
    """Wait for a start bit on ``pin``; return ``(byte, stop_bit)`` sampled mid-bit."""
    await ctx.negedge(pin)
    await _wait(ctx, divisor // 2)
    byte = 0
    for k in range(8):
        await _wait(ctx, divisor)
        byte |= ctx.get(pin) << k
    await _wait(ctx, divisor)
    return byte, ctx.get(pin)


class SimulatedPort:
    """pyserial-style byte port onto the ``rx``/``tx`` pins of a simulated design.

    Two background testbenches: a producer that sends written bytes back to back on ``rx``,
    and a consumer that decodes ``tx``. :meth:`read` runs the simulation.

    Parameters
    ----------
    dut : wiring.Component
        Has ports ``rx`` (in), ``tx`` (out) and an attribute ``divisor`` (clocks per bit).
    timeout : int
        Clock cycles :meth:`read` waits before returning fewer bytes than asked for.

    Attributes
    ----------
    cycles : int
        Clock cycles simulated so far.
    framing_errors : int
        Bytes received from ``tx`` with a low stop bit.
    """

    def __init__(self, dut, *, timeout):
        if not isinstance(timeout, int) or timeout < 1:
            raise ValueError(f"timeout must be a positive integer, not {timeout!r}")
        self.dut, self.timeout = dut, timeout
        self.cycles, self.framing_errors = 0, 0
        self._outgoing, self._incoming = bytearray(), bytearray()
        self.sim = Simulator(dut)
        self.sim.add_clock(CLOCK_PERIOD)
        self.sim.add_testbench(self._producer, background=True)
        self.sim.add_testbench(self._consumer, background=True)

    async def _producer(self, ctx):
        while True:
            if self._outgoing:
                byte = self._outgoing.pop(0)
                await send_byte(ctx, self.dut.rx, byte, self.dut.divisor)
            else:
                await _wait(ctx, self.dut.divisor)

    async def _consumer(self, ctx):
        while True:
            byte, stop = await receive_byte(ctx, self.dut.tx, self.dut.divisor)
            self._incoming.append(byte)
            self.framing_errors += not stop

    def write(self, data):
        """Queue bytes for sending; returns their number."""
        self._outgoing += data
        return len(data)

    def run(self, cycles):
        """Simulate ``cycles`` more clock cycles."""
        self.cycles += cycles
        self.sim.run_until(self.cycles * CLOCK_PERIOD)

    def read(self, size=1):
        """Up to ``size`` received bytes: fewer if ``timeout`` cycles pass without enough."""
        step = BITS_PER_BYTE * self.dut.divisor
        waited = 0
        while len(self._incoming) < size and waited < self.timeout:
            self.run(step)
            waited += step
        data = bytes(self._incoming[:size])
        del self._incoming[:size]
        return data
