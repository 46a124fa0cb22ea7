"""MatVec as Verilog under Icarus and Verilator (cocotb 2), the same checks as the Amaranth
simulation."""
import pytest
from amaranth import signed

from rtl.matvec import MatVec
from sim.cocotb_run import run_cocotb


@pytest.mark.parametrize("simulator", ["icarus", "verilator"])
@pytest.mark.parametrize("rows, cols, mults", [(96, 32, 8), (12, 5, 3)])
def test_matches_numpy_with_gaps_and_stalls(rows, cols, mults, simulator, tmp_path, rng):
    weights = rng.integers(-128, 128, (rows, cols))
    vectors = rng.integers(-128, 128, (4, cols))
    dut = MatVec(weights=weights, x_shape=signed(8), multipliers=mults)
    group_bits = max(1, (dut.groups - 1).bit_length())
    tests, failed = run_cocotb(
        dut, name="matvec", test_module="sim.cocotb_matvec", build_dir=tmp_path,
        simulator=simulator,
        vectors={"weights": weights, "vectors": vectors, "multipliers": mults,
                 "acc_width": dut.acc_width, "group_bits": group_bits, "seed": 7,
                 "gap": 0.3, "stall": 0.3})
    assert (tests, failed) == (1, 0)


def test_icarus_harness_reports_a_mismatch(tmp_path, rng):
    """The testbench fails when its expected products are wrong (one weight off by one)."""
    weights = rng.integers(-128, 128, (6, 4))
    dut = MatVec(weights=weights, multipliers=2)
    wrong = weights.copy()
    wrong[1, 1] += 1
    tests, failed = run_cocotb(
        dut, name="matvec", test_module="sim.cocotb_matvec", build_dir=tmp_path,
        vectors={"weights": wrong, "vectors": rng.integers(-128, 128, (2, 4)), "multipliers": 2,
                 "acc_width": dut.acc_width, "group_bits": 2, "seed": 1, "gap": 0.0,
                 "stall": 0.0})
    assert (tests, failed) == (1, 1)
