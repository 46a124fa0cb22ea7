"""What synthesis made, simulated: each board's default core shape (T = 12) through that
board's own Yosys flow (:class:`rtl.synth.Flow`), its mapped netlist under the cells' models
(Icarus, cocotb), a decay bit-exact to the integer reference with 30 % input gaps and 30 %
output stalls (about 2 min: Icarus runs the iCEBreaker core's netlist at ~290 cycles/s)."""
import numpy as np
import pytest

from boards.platforms import BOARDS
from boards.toplevel import make_core
from golden.export import golden_counts
from golden.intref import run_counts
from golden.pipeline import load_default
from rtl.synth import Flow
from sim.netlist import run_netlist

BINS = 12


def expected(q, counts):
    """The core's result fields per pixel, as :mod:`sim.cocotb_core` compares them."""
    ref = run_counts(q, counts)
    return np.column_stack([ref["tau_q"], ref["fraction_q"], ref["tau_defined"],
                            ref["fraction_defined"], ref["valid"]]).astype(np.int64)


@pytest.mark.parametrize("board", ["icebreaker"])
def test_default_core_netlist_is_bit_exact(board, tmp_path, rng):
    spec = BOARDS[board]
    q = load_default()
    counts = golden_counts(5, BINS, seed=11)[4:]        # a decay (the first four are edge cases)
    pixels = len(counts)
    core = make_core(q, bins=BINS, family=spec.family, **spec.core)
    tests, failed, cells = run_netlist(
        core, Flow(spec.family, spec.lut_mapper), name="core", test_module="sim.cocotb_core",
        build_dir=tmp_path, vectors={"counts": counts, "tags": rng.permutation(60000)[:pixels],
                                     "expected": expected(q, counts), "seed": 7, "gap": 0.3,
                                     "stall": 0.3})
    assert (tests, failed) == (1, 0), (tmp_path / "test.log").read_text()[-3000:]
    assert cells.get("SB_MAC16", 0) + cells.get("MULT18X18D", 0) == spec.budget.dsp
