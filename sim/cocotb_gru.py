"""cocotb testbench for :class:`rtl.gru.GRULayer`: steps in, states out, random stalls."""
import os

import cocotb
import numpy as np

from sim.cocotb_run import VECTORS_ENV
from sim.cocotb_streams import receive, send_all, start


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
    rng = np.random.default_rng(int(data["seed"]))
    await start(dut, ["step"], ["out"])
    words = [int(x) | int(t == 0) << input_bits | _pack(h0, bits) << (input_bits + 1)
             for t, x in enumerate(xs)]
    cocotb.start_soon(send_all(dut, "step", words, rng))
    got = await receive(dut, "out", len(xs), rng, float(data["stall"]))
    states = [_unpack(w, bits, len(h0)) for w in got]
    assert np.array_equal(np.array(states), expected), "GRU states differ from the reference"
