"""cocotb testbench for a clocked design driven by recorded stimulus: every cycle, each input
port ``name`` takes ``in_<name>[cycle]`` and each output port takes ``out_<name>[cycle]``
``latency`` edges later (``out_`` arrays hold signed values, or unsigned ones for ports whose
array is named in ``unsigned``)."""
import os

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge

from sim.cocotb_run import VECTORS_ENV

__all__ = ["outputs_follow_inputs"]


@cocotb.test()
async def outputs_follow_inputs(dut):
    data = np.load(os.environ[VECTORS_ENV])
    latency, unsigned = int(data["latency"]), set(data["unsigned"].tolist())
    inputs = {key[3:]: data[key] for key in data if key.startswith("in_")}
    outputs = {key[4:]: data[key] for key in data if key.startswith("out_")}
    cycles = len(next(iter(inputs.values())))
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 0
    wrong = []
    for cycle in range(cycles + latency):
        await FallingEdge(dut.clk)
        if cycle >= latency:
            for name, want in outputs.items():
                value = getattr(dut, name).value
                got = value.to_unsigned() if name in unsigned else value.to_signed()
                if got != int(want[cycle - latency]):
                    wrong.append((cycle - latency, name, int(want[cycle - latency]), got))
        if cycle < cycles:
            for name, values in inputs.items():
                getattr(dut, name).value = int(values[cycle])
    assert not wrong, f"{len(wrong)} outputs wrong, first {wrong[:4]}"
