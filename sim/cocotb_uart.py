"""cocotb testbench for a whole board netlist through its UART pins: frames in as a host sends
them (8N1, ``divisor`` clocks per bit), every byte the board sends back decoded and compared with
the expected frames."""
import os

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge, First

from sim.cocotb_run import VECTORS_ENV

__all__ = ["frames_through_the_pins"]


async def _send(dut, data, divisor):
    for byte in data:
        for bit in [0, *((int(byte) >> k) & 1 for k in range(8)), 1]:
            dut.rx.value = bit
            await ClockCycles(dut.clk, divisor)


async def _receive(dut, count, divisor, limit):
    """``count`` bytes from ``tx``, each bit sampled in its middle; ``None`` on timeout."""
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
    return bytes(received), True


@cocotb.test()
async def frames_through_the_pins(dut):
    data = np.load(os.environ[VECTORS_ENV])
    divisor, expected = int(data["divisor"]), bytes(data["expected"].tolist())
    dut.rx.value = 1
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    await ClockCycles(dut.clk, 64)                  # PLL lock and the reset synchroniser
    cocotb.start_soon(_send(dut, data["send"].tolist(), divisor))
    got, complete = await _receive(dut, len(expected), divisor, int(data["idle_limit"]))
    assert complete, f"{len(got)} of {len(expected)} bytes before the board fell silent"
    assert got == expected, f"received {got.hex()}, expected {expected.hex()}"
