"""cocotb testbenches for a whole board (a netlist, or a converted board top) through its UART
pins: frames in as a host sends them (8N1, ``divisor`` clocks per bit), every byte the board
sends back decoded; compared with the expected frames (:func:`frames_through_the_pins`), or
saved with the cycle each ended at (:func:`timed_bytes_through_the_pins`), while an instrument
drives the top's event pins if the vectors hold its events."""
import os

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge, First
from cocotb.utils import get_sim_time

from sim.cocotb_run import VECTORS_ENV

__all__ = ["frames_through_the_pins", "timed_bytes_through_the_pins", "TIMED_BYTES"]

#: The file (in the vectors' folder) that :func:`timed_bytes_through_the_pins` writes.
TIMED_BYTES = "timed_bytes.npz"
PERIOD_NS = 10


async def _send(dut, data, divisor):
    for byte in data:
        for bit in [0, *((int(byte) >> k) & 1 for k in range(8)), 1]:
            dut.rx.value = bit
            await ClockCycles(dut.clk, divisor)


async def _receive(dut, count, divisor, limit, clock=None):
    """``count`` bytes from ``tx``, each bit sampled in its middle, and whether all came before
    an idle gap of ``limit`` cycles; with a :class:`_Clock`, its ``stamps`` get the cycle each
    byte's stop bit was sampled at."""
    received = bytearray()
    while len(received) < count:
        edge = FallingEdge(dut.tx)
        if await First(edge, ClockCycles(dut.clk, limit)) is not edge:
            return bytes(received), False
        await ClockCycles(dut.clk, divisor // 2)
        assert int(dut.tx.value) == 0, "a glitch on tx, not a start bit"
        byte = 0
        for k in range(8):
            await ClockCycles(dut.clk, divisor)
            byte |= int(dut.tx.value) << k
        await ClockCycles(dut.clk, divisor)
        assert int(dut.tx.value) == 1, f"no stop bit after byte {len(received)}"
        received.append(byte)
        if clock is not None:
            clock.stamps.append(clock.cycles)
    return bytes(received), True


async def _instrument(dut, events, strobe_bit, clock):
    """Each of ``events`` (rows ``(cycle, word)``: cycles of ``clock``, the top's ``pins``
    with the strobe clear) on the event pins: the word set a cycle before the strobe (the
    ``strobe_bit`` of ``pins``) toggles."""
    strobe = 0
    for cycle, word in events.tolist():
        await ClockCycles(dut.clk, max(cycle - 1 - clock.cycles, 0))
        dut.pins.value = word | strobe
        await ClockCycles(dut.clk, 1)
        strobe ^= strobe_bit
        dut.pins.value = word | strobe


class _Clock:
    """Cycles of the :data:`PERIOD_NS` clock since this was made, from the simulator's time."""

    def __init__(self):
        self.start, self.stamps = get_sim_time(unit="ns"), []

    @property
    def cycles(self):
        return round((get_sim_time(unit="ns") - self.start) / PERIOD_NS)


async def _start(dut):
    dut.rx.value = 1
    cocotb.start_soon(Clock(dut.clk, PERIOD_NS, unit="ns").start())
    if hasattr(dut, "rst"):                         # a converted top's synchronous reset
        dut.rst.value = 0
    await ClockCycles(dut.clk, 64)                  # PLL lock and the reset synchroniser


@cocotb.test()
async def frames_through_the_pins(dut):
    data = np.load(os.environ[VECTORS_ENV])
    divisor, expected = int(data["divisor"]), bytes(data["expected"].tolist())
    await _start(dut)
    cocotb.start_soon(_send(dut, data["send"].tolist(), divisor))
    got, complete = await _receive(dut, len(expected), divisor, int(data["idle_limit"]))
    assert complete, f"{len(got)} of {len(expected)} bytes before the board fell silent"
    assert got == expected, f"received {got.hex()}, expected {expected.hex()}"


@cocotb.test()
async def timed_bytes_through_the_pins(dut):
    """Sends ``send`` and saves the first ``count`` bytes the board sends and the cycle (from
    the end of ``send``) each ended at, to :data:`TIMED_BYTES`; from the end of ``send``, the
    ``events`` (if any, with ``strobe_bit``: :func:`_instrument`) on the event pins, after
    whose last pixel the board may fall silent
    before ``count`` bytes (which then bound what is saved). Then, if the vectors hold
    ``after``, sends it and saves the first ``answer`` bytes of the board's answer (as
    ``answer``)."""
    path = os.environ[VECTORS_ENV]
    data = np.load(path)
    divisor = int(data["divisor"])
    await _start(dut)
    clock = _Clock()
    # listening from the start: the board may answer within the last bit's second half
    receiving = cocotb.start_soon(_receive(dut, int(data["count"]), divisor,
                                           int(data["idle_limit"]), clock))
    await _send(dut, data["send"].tolist(), divisor)
    clock.start = get_sim_time(unit="ns")
    if "events" in data:
        cocotb.start_soon(_instrument(dut, data["events"], int(data["strobe_bit"]), clock))
    got, complete = await receiving
    answer = b""
    if "after" in data:
        answering = cocotb.start_soon(_receive(dut, int(data["answer"]), divisor,
                                               int(data["idle_limit"])))
        await _send(dut, data["after"].tolist(), divisor)
        answer, _ = await answering
    np.savez(os.path.join(os.path.dirname(path), TIMED_BYTES),
             data=np.frombuffer(got, np.uint8), cycles=np.array(clock.stamps, np.int64),
             answer=np.frombuffer(answer, np.uint8))
    assert complete or "events" in data, \
        f"{len(got)} of {int(data['count'])} bytes before the board fell silent"
