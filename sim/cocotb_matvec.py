"""cocotb testbench for :class:`rtl.matvec.MatVec`: vectors in, ``W x`` out, random stalls."""
import os

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge

from sim.cocotb_run import VECTORS_ENV


def _decode(word, group_bits, acc_width, count):
    group = word & ((1 << group_bits) - 1)
    values = []
    for i in range(count):
        v = (word >> (group_bits + i * acc_width)) & ((1 << acc_width) - 1)
        values.append(v - (1 << acc_width) if v >> (acc_width - 1) else v)
    return group, values


@cocotb.test()
async def products_match_with_stalls(dut):
    data = np.load(os.environ[VECTORS_ENV])
    vectors, weights = data["vectors"], data["weights"]
    mults, acc_width, group_bits = (int(data[k]) for k in ("multipliers", "acc_width",
                                                             "group_bits"))
    rng = np.random.default_rng(int(data["seed"]))
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    dut.vec__valid.value = 0
    dut.out__ready.value = 0
    for _ in range(3):                # registers start as X until reset reaches them
        await RisingEdge(dut.clk)
    dut.rst.value = 0

    async def produce():
        for vec in vectors:
            for value in vec:
                while rng.random() < float(data["gap"]):
                    dut.vec__valid.value = 0
                    await RisingEdge(dut.clk)
                dut.vec__valid.value = 1
                dut.vec__payload.value = int(value) & 0xFF
                while True:           # a transfer happens at the edge if ready was high
                    await ReadOnly()
                    accepted = bool(dut.vec__ready.value)
                    await RisingEdge(dut.clk)
                    if accepted:
                        break
        dut.vec__valid.value = 0

    cocotb.start_soon(produce())
    groups = len(weights) // mults
    results, rows, cycles = [], {}, 0
    while len(results) < len(vectors):
        dut.out__ready.value = int(rng.random() >= float(data["stall"]))
        await ReadOnly()
        if dut.out__ready.value and dut.out__valid.value:
            group, values = _decode(int(dut.out__payload.value), group_bits, acc_width, mults)
            rows[group] = values
            if len(rows) == groups:
                results.append(np.concatenate([rows[g] for g in range(groups)]))
                rows = {}
        await RisingEdge(dut.clk)
        cycles += 1
        assert cycles < 100_000, "timeout"
    expected = vectors @ weights.T
    assert np.array_equal(np.array(results), expected), "W x mismatch"
