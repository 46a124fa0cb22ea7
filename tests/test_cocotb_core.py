"""The Seq2SeqLite core as Verilog under Icarus and Verilator (cocotb): bit-exact, tags kept."""
import numpy as np
import pytest

from golden.export import golden_counts
from golden.intref import run_counts
from golden.pipeline import load_default
from rtl.core import Seq2SeqCore
from sim.cocotb_run import run_cocotb


@pytest.mark.parametrize("simulator", [
    "icarus",
    # Verilator compiles the ~480k-line elaborated core for ~3 minutes: opt-in
    pytest.param("verilator", marks=pytest.mark.slow)])
def test_core_with_gaps_and_stalls(simulator, tmp_path, rng):
    q = load_default()
    counts = golden_counts(6, 20, seed=11)
    ref = run_counts(q, counts)
    expected = np.column_stack([ref["tau_q"], ref["fraction_q"], ref["tau_defined"],
                                ref["fraction_defined"], ref["valid"]]).astype(np.int64)
    tests, failed = run_cocotb(
        Seq2SeqCore(qmodel=q, bins=20, multipliers=24), name="core",
        test_module="sim.cocotb_core", build_dir=tmp_path, simulator=simulator,
        vectors={"counts": counts, "tags": rng.permutation(50000)[:6], "expected": expected,
                 "seed": 5, "gap": 0.3, "stall": 0.3})
    assert (tests, failed) == (1, 0), (tmp_path / "test.log").read_text()[-3000:]
