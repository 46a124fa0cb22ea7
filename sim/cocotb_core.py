"""cocotb testbench for a core (:class:`rtl.multipixel.MultiPixelCore`, its Verilog or its
post-synthesis netlist): tagged pixels in, lifetimes out."""
import os

import cocotb
import numpy as np

from golden.fixed import FixedSpec
from rtl.result import input_layout, pixel_beats
from sim.cocotb_run import VECTORS_ENV
from sim.cocotb_streams import receive, send_all, start

_SPEC = FixedSpec()
#: Result payload fields (:func:`rtl.result.result_layout` of the shipped models' spec), least
#: significant first: (name, width, count).
RESULT_FIELDS = (("tag", _SPEC.tag_bits, 1), ("tau", _SPEC.quotient_bits, _SPEC.CHANNELS),
                 ("fraction", _SPEC.quotient_bits, 1), ("tau_defined", 1, _SPEC.CHANNELS),
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
    await start(dut, ["inp"], ["out"])
    layout = input_layout(_SPEC)
    words = [layout.const(beat).as_value().value for beat in pixel_beats(tags, counts)]
    cocotb.start_soon(send_all(dut, "inp", words, rng, float(data["gap"])))
    results = [decode(w) for w in await receive(dut, "out", len(tags), rng,
                                                  float(data["stall"]))]
    got = {r["tag"]: r for r in results}
    assert len(got) == len(results), "a pixel was delivered twice"
    for tag, row in zip(tags, want):
        r = got[int(tag)]
        flat = r["tau"] + [r["fraction"]] + r["tau_defined"] + [r["fraction_defined"], r["valid"]]
        assert flat == row.tolist(), f"pixel {tag}: {flat} != {row.tolist()}"
