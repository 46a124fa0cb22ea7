"""What synthesis made, simulated: each board's core (T = 12) through that board's own Yosys
flow (:class:`rtl.synth.Flow`), its mapped netlist under the cells' models (cocotb), a decay
bit-exact to the integer reference with 30 % input gaps and 30 % output stalls.

- iCEBreaker: the default shape, under Icarus (about 2 min: ~290 cycles/s).
- ULX3S: Yosys's ECP5 models need Verilator. The default shape (70k LUT4) is opt-in
  (``-m slow``: 42 min, most of it compiling Verilator's C++); the default suite runs it with
  one lane (``batch`` 1, its 32 products on MULT18X18D, 2.5 min), which maps onto every cell
  kind the default does: MULT18X18D, DP16KD as 36-bit RAM and ROM and as 9-bit ROM,
  TRELLIS_DPR16X4, CCU2C.
"""
import numpy as np
import pytest

from boards.platforms import BOARDS
from golden.export import golden_counts
from golden.intref import run_counts
from golden.pipeline import load_default
from rtl.multipixel import MultiPixelCore
from rtl.synth import Flow
from sim.netlist import run_netlist

BINS = 12

#: (board, changes to its default core, simulator, DSP cells the netlist must keep)
CORES = [pytest.param("icebreaker", {}, "icarus", 8, id="icebreaker"),
         pytest.param("ulx3s-85f", {"batch": 1, "matmul_dsps": 32}, "verilator", 32,
                      id="ulx3s-85f-one-lane"),
         pytest.param("ulx3s-85f", {}, "verilator", 156, id="ulx3s-85f",
                      marks=pytest.mark.slow)]


def expected(q, counts):
    """The core's result fields per pixel, as :mod:`sim.cocotb_core` compares them."""
    ref = run_counts(q, counts)
    return np.column_stack([ref["tau_q"], ref["fraction_q"], ref["tau_defined"],
                            ref["fraction_defined"], ref["valid"]]).astype(np.int64)


@pytest.mark.parametrize("board, changes, simulator, dsps", CORES)
def test_core_netlist_is_bit_exact(board, changes, simulator, dsps, tmp_path, rng):
    spec = BOARDS[board]
    q = load_default()
    counts = golden_counts(5, BINS, seed=11)[4:]        # a decay (the first four are edge cases)
    pixels = len(counts)
    core = MultiPixelCore(qmodel=q, bins=BINS, config=spec.core.replace(**changes))
    tests, failed, cells = run_netlist(
        core, Flow(spec.family, spec.lut_mapper), name="core", test_module="sim.cocotb_core",
        build_dir=tmp_path, simulator=simulator,
        vectors={"counts": counts, "tags": rng.permutation(60000)[:pixels],
                 "expected": expected(q, counts), "seed": 7, "gap": 0.3, "stall": 0.3})
    assert (tests, failed) == (1, 0), (tmp_path / "test.log").read_text()[-3000:]
    assert cells.get("SB_MAC16", 0) + cells.get("MULT18X18D", 0) == dsps
