"""The discrete-event model: its predictions against the RTL, and its policies."""
import pytest

from golden.pipeline import load_default
from rtl.gates import GateUnit
from rtl.matmul import MatmulUnit
from rtl.config import CoreConfig
from sim.des import POLICIES, baseline, simulate
from sim.measure import compare


@pytest.mark.parametrize("config", [CoreConfig(rows=32, batch=1, slots=2),
                                    CoreConfig(rows=16, batch=2, slots=3)])
def test_prediction_within_two_percent_of_rtl(config):
    result = compare(load_default(), config, bins=20, rounds=2)
    assert abs(result["error"]) <= 0.02, result
    assert abs(result["des"]["matmul_busy"] - result["rtl"]["matmul_busy"]) <= 0.02, result


def test_overlap_keeps_the_matmul_unit_busy():
    one = simulate(CoreConfig(rows=8, slots=1))
    two = simulate(CoreConfig(rows=8, slots=2))
    assert two["matmul_busy"] > 0.98 > one["matmul_busy"]
    # rows = 8: the matmul takes 384 of the 433 cycles of a step, so overlap saves ~11 %
    assert two["cycles_per_pixel"] < 0.9 * one["cycles_per_pixel"]


@pytest.mark.parametrize("policy", POLICIES)
def test_policies_agree_when_slots_are_symmetric(policy):
    reference = simulate(CoreConfig(rows=16, batch=2, slots=2))["cycles_per_pixel"]
    assert simulate(CoreConfig(rows=16, batch=2, slots=2), policy=policy)["cycles_per_pixel"] == \
        pytest.approx(reference, rel=0.02)


def test_baseline_is_one_pixel_in_program_order():
    config = baseline(156)
    assert (config.rows, config.batch, config.slots) == (32, 1, 1)
    assert baseline(8).rows == 8 and baseline(5).rows == 4


def test_bad_arguments():
    with pytest.raises(ValueError, match="policy must be one of"):
        simulate(CoreConfig(rows=8), policy="random")
    with pytest.raises(ValueError, match="pixels must be at least two rounds"):
        simulate(CoreConfig(rows=8, batch=2), pixels=3)



@pytest.mark.parametrize("rows", [8, 32])
def test_a_stacked_layer_adds_its_step_in_program_order(rows):
    """One slot, one lane: each of the 2T steps gains a matmul over ``[h_below; h]`` (2H words
    per group), the drain, a gate pass and the gate pipeline."""
    core, bins, hidden = CoreConfig(rows=rows, slots=1), 135, 32
    drain = MatmulUnit.latency(rows)
    groups = 3 * hidden // rows
    step = 1 + groups * 2 * hidden + drain + 1 + hidden + GateUnit.LATENCY
    assert (simulate(core, bins=bins, layers=2)["cycles_per_pixel"]
            - simulate(core, bins=bins)["cycles_per_pixel"]) == 2 * bins * step
