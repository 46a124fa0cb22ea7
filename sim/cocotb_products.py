"""cocotb testbench for multiplier test designs (ports ``a{k}``, ``b{k}``, ``p{k}``): random
operands every cycle (the first cycles at the operands' extremes), each product checked
``latency`` edges later."""
import os

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge

from sim.cocotb_run import VECTORS_ENV

__all__ = ["products_arrive_on_time"]


@cocotb.test()
async def products_arrive_on_time(dut):
    data = np.load(os.environ[VECTORS_ENV])
    a, b, latency = data["a"], data["b"], int(data["latency"])      # a, b: (cycles, products)
    want = a.astype(np.int64) * b
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 0
    wrong = []
    for cycle in range(len(a) + latency):
        await FallingEdge(dut.clk)
        if cycle >= latency:
            got = [getattr(dut, f"p{k}").value.to_signed() for k in range(a.shape[1])]
            if got != want[cycle - latency].tolist():
                wrong.append((cycle - latency, want[cycle - latency].tolist(), got))
        if cycle < len(a):
            for k in range(a.shape[1]):
                getattr(dut, f"a{k}").value = int(a[cycle, k])
                getattr(dut, f"b{k}").value = int(b[cycle, k])
        await RisingEdge(dut.clk)
    assert not wrong, f"{len(wrong)} of {len(a)} cycles wrong, first {wrong[:3]}"
