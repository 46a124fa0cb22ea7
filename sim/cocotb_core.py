"""cocotb testbench for :class:`rtl.core.Seq2SeqCore`: tagged pixels in, lifetimes out."""
import os

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge

from sim.cocotb_run import VECTORS_ENV

#: Result payload fields, least significant first: (name, width, count).
RESULT_FIELDS = (("tag", 16, 1), ("tau", 16, 3), ("fraction", 16, 1), ("tau_defined", 1, 3),
                 ("fraction_defined", 1, 1), ("valid", 1, 1))


def decode(word):
    """Unpack the core's ``out__payload`` into a dict of ints / lists."""
    fields, shift = {}, 0
    for name, width, count in RESULT_FIELDS:
        values = [(word >> (shift + i * width)) & ((1 << width) - 1) for i in range(count)]
        fields[name] = values if count > 1 else values[0]
        shift += width * count
    return fields


@cocotb.test()
async def pixels_match_with_gaps_and_stalls(dut):
    data = np.load(os.environ[VECTORS_ENV])
    counts, tags, want = data["counts"], data["tags"], data["expected"]
    rng = np.random.default_rng(int(data["seed"]))
    gap, stall = float(data["gap"]), float(data["stall"])
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    dut.inp__valid.value = 0
    dut.out__ready.value = 0
    for _ in range(3):
        await RisingEdge(dut.clk)
    dut.rst.value = 0

    async def produce():
        for tag, hist in zip(tags, counts):
            for c in hist:
                while rng.random() < gap:
                    dut.inp__valid.value = 0
                    await RisingEdge(dut.clk)
                dut.inp__payload.value = int(tag) | int(c) << 16
                dut.inp__valid.value = 1
                while True:
                    await ReadOnly()
                    accepted = bool(dut.inp__ready.value)
                    await RisingEdge(dut.clk)
                    if accepted:
                        break
            dut.inp__valid.value = 0

    cocotb.start_soon(produce())
    got, cycles = {}, 0
    while len(got) < len(tags):
        dut.out__ready.value = int(rng.random() >= stall)
        await ReadOnly()
        if dut.out__ready.value and dut.out__valid.value:
            value = dut.out__payload.value
            assert value.is_resolvable, f"unresolved result bits: {value}"
            result = decode(int(value))
            assert result["tag"] not in got, f"pixel {result['tag']} delivered twice"
            got[result["tag"]] = result
        await RisingEdge(dut.clk)
        cycles += 1
        assert cycles < 5_000_000, "timeout"
    for tag, row in zip(tags, want):
        r = got[int(tag)]
        flat = r["tau"] + [r["fraction"]] + r["tau_defined"] + [r["fraction_defined"], r["valid"]]
        assert flat == row.tolist(), f"pixel {tag}: {flat} != {row.tolist()}"
    dut._log.info("cycles: %d for %d pixels", cycles, len(tags))
