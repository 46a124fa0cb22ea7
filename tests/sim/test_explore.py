"""Design-space exploration: the fitted resource model, the sweep and the CLI report."""
from dataclasses import replace

import pytest

from rtl.config import CoreConfig
from sim.des import simulate
from boards.platforms import BOARDS
from sim.explore import (ResourceModel, StackedCost, baseline_entry, cell_total,
                         configurations, cost_models, evaluate, gate_label, weight_blocks)


def synthetic_reports(family="ecp5"):
    """Cell counts that are exactly linear in the model's features."""
    return [{"family": family, "rows": r, "batch": b, "slots": s,
             "cells": {"LUT4": 1000 + 20 * r * b + 300 * b + 50 * s,
                       "MULT18X18D": r * b + 10 * b, "DP16KD": 5 + 4 * b}}
            for r, b, s in ((4, 1, 2), (8, 1, 2), (16, 2, 2), (32, 2, 3), (8, 3, 1))]


def test_carry_cells_count_as_two_luts():
    assert cell_total({"LUT4": 10, "CCU2C": 3, "TRELLIS_FF": 9}, "ecp5", "luts") == 16
    assert cell_total({"SB_LUT4": 10, "SB_CARRY": 3}, "ice40", "luts") == 10


def test_resource_model_recovers_a_linear_cost():
    model = ResourceModel(synthetic_reports(), "ecp5")
    assert model.predict(24, 4, 2) == {"luts": 1000 + 20 * 96 + 1200 + 100, "dsp": 136,
                                       "bram": 21}


def test_matmul_products_beyond_the_dsps_are_priced_in_luts():
    """Reports with matmul products from LUTs (150 LUTs and one DSP fewer each) let the
    model cost them; a configuration that wants more DSPs than the board has spills."""
    spilled = [{**r, "lut_multipliers": n,
                "cells": {**r["cells"], "LUT4": r["cells"]["LUT4"] + 150 * n,
                          "MULT18X18D": r["cells"]["MULT18X18D"] - n}}
               for r, n in zip(synthetic_reports()[2:4], (8, 20))]
    plain = ResourceModel(synthetic_reports(), "ecp5")
    model = ResourceModel(synthetic_reports() + spilled, "ecp5")
    assert model.prices_lut_multipliers and not plain.prices_lut_multipliers
    assert model.predict(24, 4, 2, 30) == {"luts": 1000 + 20 * 96 + 1200 + 100 + 4500,
                                           "dsp": 106, "bram": 21}
    with pytest.raises(ValueError, match="no ecp5 synthesis report has matmul products from "
                                         "LUTs: cannot cost 30"):
        plain.predict(24, 4, 2, 30)
    board = BOARDS["ulx3s-85f"]
    entry = evaluate(board, model, 32, 4, 2)           # 128 + 40 DSPs wanted, 156 on board
    assert (entry["lut_multipliers"], entry["multipliers"]) == (12, 156) and entry["fits"]
    assert entry["dsp_efficiency"] < evaluate(board, plain, 32, 4, 2)["dsp_efficiency"]
    assert not evaluate(board, plain, 32, 4, 2)["fits"]


def test_resource_model_needs_reports_of_its_family_and_gate_unit():
    with pytest.raises(ValueError, match="need at least 2 synthesis reports for ice40 with "
                                         "DSP gates, have 0"):
        ResourceModel(synthetic_reports(), "ice40")
    partly = [{**r, "gate_luts": True, "gate_dsps": 7} for r in synthetic_reports()]
    with pytest.raises(ValueError, match="need at least 2 synthesis reports for ecp5 with "
                                         "LUT gates, have 0"):
        ResourceModel(partly, "ecp5", gate_luts=True)
    with pytest.raises(ValueError, match=r"need at least 2 synthesis reports for ecp5 with "
                                         r"LUT \(7 on DSPs\) gates, have 0"):
        ResourceModel(synthetic_reports(), "ecp5", gate_luts=True, gate_dsps=7)
    model = ResourceModel(partly, "ecp5", gate_luts=True, gate_dsps=7)
    entry = evaluate(BOARDS["ulx3s-85f"], model, 8, 1, 2)
    assert (entry["gate_luts"], entry["gate_dsps"]) == (True, 7)
    assert gate_label(entry) == ", LUT gates (7 products on DSPs)"
    assert gate_label({**entry, "gate_dsps": 0}) == ", LUT gates"
    assert gate_label({**entry, "gate_luts": False}) == ""


def test_configurations_are_legal():
    grid = configurations(32, max_batch=2, max_slots=2)
    assert {r for r, _, _ in grid} == {1, 2, 3, 4, 6, 8, 12, 16, 24, 32}
    assert len(grid) == 10 * 2 * 2


def test_evaluate_and_baseline_on_a_board():
    board, model = BOARDS["ulx3s-85f"], ResourceModel(synthetic_reports(), "ecp5")
    entry = evaluate(board, model, 32, 2, 2)
    assert entry["lanes"] == 4 and entry["multipliers"] == 84 and entry["fits"]
    assert entry["pixels_per_s"] == pytest.approx(board.clock_mhz * 1e6
                                                  / entry["cycles_per_pixel"])
    assert 0 < entry["dsp_efficiency"] < 1
    assert entry["board_luts"] == round(entry["luts"] * board.packing) > entry["luts"]
    assert not evaluate(replace(board, packing=board.luts / entry["luts"] * 1.01), model,
                        32, 2, 2)["fits"]
    lut_gates = ResourceModel([{**r, "gate_luts": True} for r in synthetic_reports()], "ecp5",
                              gate_luts=True)
    luts = evaluate(board, lut_gates, 32, 2, 2)
    assert luts["cycles_per_pixel"] == entry["cycles_per_pixel"]
    assert luts["dsp_efficiency"] == pytest.approx(entry["dsp_efficiency"] * 829_440 / 855_360)
    base = baseline_entry(board, model)
    assert (base["batch"], base["slots"]) == (1, 1)
    assert base["pixels_per_s"] < entry["pixels_per_s"]
    assert not evaluate(board, model, 32, 8, 2)["fits"]          # 336 DSPs


def test_weight_blocks_pick_the_cheapest_shape():
    # Lite: 6,336 weight bytes in 32-byte words, 198 deep: 8 DP16KD as 512 x 36
    assert weight_blocks("ecp5", 32, 32, 1) == 8
    # teacher: 295,680 bytes; rows 128: 2,310 words of 128 bytes, 32 x 5 blocks as 512 x 36
    assert weight_blocks("ecp5", 128, 128, 2) == 160
    assert weight_blocks("ice40", 8, 32, 1) == 8 * 2              # 792 words, 512 x 8 each


def test_the_teacher_is_costed_by_dsps_and_weight_memory():
    board = BOARDS["ulx3s-85f"]
    lite = ResourceModel(synthetic_reports(), "ecp5")
    cost = StackedCost(lite, 128, 2)
    assert cost.predict(64, 2, 2) == {"luts": None, "dsp": lite.predict(64, 2, 2)["dsp"],
                                      "bram": weight_blocks("ecp5", 64, 128, 2)}
    entry = evaluate(board, cost, 64, 1, 2, hidden=128, layers=2)
    assert entry["fits"] and entry["luts"] is None
    assert entry["cycles_per_pixel"] == simulate(
        CoreConfig(rows=64, batch=1, slots=2), hidden=128, layers=2)["cycles_per_pixel"]
    assert not evaluate(board, cost, 128, 2, 1, hidden=128, layers=2)["fits"]   # 256+ DSPs
    assert [type(m) for m in cost_models(board, 128, 2)] == [StackedCost, StackedCost]
    assert [type(m) for m in cost_models(board)] == [ResourceModel, ResourceModel]
