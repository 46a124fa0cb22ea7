"""cocotb testbench for :class:`rtl.matvec.MatVec`: vectors in, ``W x`` out, random stalls."""
import os

import cocotb
import numpy as np

from sim.cocotb_run import VECTORS_ENV
from sim.cocotb_streams import receive, send_all, start


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
    await start(dut, ["vec"], ["out"])
    words = [int(v) & 0xFF for v in np.ravel(vectors)]
    cocotb.start_soon(send_all(dut, "vec", words, rng, float(data["gap"])))
    groups = len(weights) // mults
    got = await receive(dut, "out", len(vectors) * groups, rng, float(data["stall"]))
    decoded = [_decode(w, group_bits, acc_width, mults) for w in got]
    results = [np.concatenate([vals for _, vals in sorted(decoded[k:k + groups])])
               for k in range(0, len(decoded), groups)]
    assert np.array_equal(np.array(results), vectors @ weights.T), "W x mismatch"
