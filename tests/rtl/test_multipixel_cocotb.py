"""The multi-pixel core as Verilog under Icarus and Verilator (cocotb): every pixel bit-exact,
tags kept, with 30 % input gaps and 30 % output stalls."""
import numpy as np
import pytest

from golden.export import golden_counts
from golden.intref import run_counts
from golden.pipeline import load_default
from rtl.config import CoreConfig
from rtl.multipixel import MultiPixelCore
from sim.cocotb_run import run_cocotb
from sim.netlist import CELL_MODELS, DEFINES


def run(simulator, pixels, batch, tmp_path, rng, **core):
    q = load_default()
    counts = golden_counts(pixels, 20, seed=pixels)
    ref = run_counts(q, counts)
    expected = np.column_stack([ref["tau_q"], ref["fraction_q"], ref["tau_defined"],
                                ref["fraction_defined"], ref["valid"]]).astype(np.int64)
    tests, failed = run_cocotb(
        MultiPixelCore(qmodel=q, bins=20, config=CoreConfig(rows=32, batch=batch, slots=2, **core)),
        name="multipixel", test_module="sim.cocotb_core", build_dir=tmp_path,
        simulator=simulator, models=CELL_MODELS.get(core.get("family"), []), defines=DEFINES,
        vectors={"counts": counts, "tags": rng.permutation(60000)[:pixels],
                 "expected": expected, "seed": 7, "gap": 0.3, "stall": 0.3})
    assert (tests, failed) == (1, 0), (tmp_path / "test.log").read_text()[-3000:]


@pytest.mark.parametrize("simulator, pixels, batch", [
    ("icarus", 5, 2),
    # ~15 minutes each on 2 cores (cocotb drives every cycle from Python): opt-in
    pytest.param("verilator", 2000, 4, marks=pytest.mark.slow),
    pytest.param("icarus", 2000, 4, marks=pytest.mark.slow)])
def test_pixels_with_gaps_and_stalls(simulator, pixels, batch, tmp_path, rng):
    run(simulator, pixels, batch, tmp_path, rng)


def test_ecp5_multipliers_with_their_registers_inside(tmp_path, rng):
    """The ECP5 build's netlist (MULT18X18D instances, under a behavioural model of the cell,
    and 24 of the 64 matmul products from LUTs) is bit-exact too."""
    run("icarus", 5, 2, tmp_path, rng, family="ecp5", matmul_dsps=40)


def test_ice40_multipliers_two_to_a_mac16(tmp_path, rng):
    """The iCE40 build's netlist (SB_MAC16s in their dual 8 x 8 mode, under Yosys's model of
    the cell) is bit-exact too."""
    run("icarus", 5, 1, tmp_path, rng, family="ice40")
