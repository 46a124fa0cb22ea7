"""cocotb testbench for :class:`rtl.gru.GRULayer`: steps in, states out, random stalls."""
import os

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge

from sim.cocotb_run import VECTORS_ENV


def _pack(values, bits):
    mask = (1 << bits) - 1
    return sum((int(v) & mask) << (i * bits) for i, v in enumerate(values))


def _unpack(word, bits, count):
    out = [(word >> (i * bits)) & ((1 << bits) - 1) for i in range(count)]
    return [v - (1 << bits) if v >> (bits - 1) else v for v in out]


@cocotb.test()
async def states_match_with_stalls(dut):
    data = np.load(os.environ[VECTORS_ENV])
    xs, h0, expected = data["x"], data["h0"], data["expected"]
    bits, input_bits = int(data["bits"]), int(data["input_bits"])
    H = len(h0)
    rng = np.random.default_rng(int(data["seed"]))
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    dut.step__valid.value = 0
    dut.out__ready.value = 0
    for _ in range(3):
        await RisingEdge(dut.clk)
    dut.rst.value = 0

    async def produce():
        for t, x in enumerate(xs):
            load = int(t == 0)
            dut.step__payload.value = (int(x) | load << input_bits
                                       | _pack(h0, bits) << (input_bits + 1))
            dut.step__valid.value = 1
            while True:
                await ReadOnly()
                accepted = bool(dut.step__ready.value)
                await RisingEdge(dut.clk)
                if accepted:
                    break
            dut.step__valid.value = 0

    cocotb.start_soon(produce())
    states, cycles = [], 0
    while len(states) < len(xs):
        dut.out__ready.value = int(rng.random() >= float(data["stall"]))
        await ReadOnly()
        if dut.out__ready.value and dut.out__valid.value:
            states.append(_unpack(int(dut.out__payload.value), bits, H))
        await RisingEdge(dut.clk)
        cycles += 1
        assert cycles < 1_000_000, "timeout"
    assert np.array_equal(np.array(states), expected), "GRU states differ from the reference"
