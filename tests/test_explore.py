"""Design-space exploration: the fitted resource model, the sweep and the CLI report."""
import json

import pytest

from sim.__main__ import main
from sim.explore import BOARDS, ResourceModel, baseline_entry, configurations, evaluate


def synthetic_reports(family="ecp5"):
    """Cell counts that are exactly linear in the model's features."""
    return [{"family": family, "rows": r, "batch": b, "slots": s,
             "cells": {"LUT4": 1000 + 20 * r * b + 300 * b + 50 * s,
                       "MULT18X18D": r * b + 10 * b, "DP16KD": 5 + 4 * b}}
            for r, b, s in ((4, 1, 2), (8, 1, 2), (16, 2, 2), (32, 2, 3), (8, 3, 1))]


def test_resource_model_recovers_a_linear_cost():
    model = ResourceModel(synthetic_reports(), "ecp5")
    assert model.predict(24, 4, 2) == {"luts": 1000 + 20 * 96 + 1200 + 100, "dsp": 136,
                                       "bram": 21}


def test_resource_model_needs_reports_of_its_family():
    with pytest.raises(ValueError, match="need at least 2 synthesis reports for ice40 with "
                                         "DSP gates, have 0"):
        ResourceModel(synthetic_reports(), "ice40")


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
    base = baseline_entry(board, model)
    assert (base["batch"], base["slots"]) == (1, 1)
    assert base["pixels_per_s"] < entry["pixels_per_s"]
    assert not evaluate(board, model, 32, 8, 2)["fits"]          # 336 DSPs


def test_cli_report_and_plot(tmp_path):
    """On the stored synthesis reports (``sim/resources.json``)."""
    out = tmp_path / "ulx3s.json"
    assert main(["explore", "--board", "ulx3s-85f", "--json", str(out), "--max-batch", "2",
                 "--max-slots", "2", "--no-benchmarks"]) == 0
    report = json.loads(out.read_text())
    keys = {"lanes", "multipliers", "cycles_per_pixel", "pixels_per_s", "dsp_efficiency",
            "fits"}
    assert all(keys <= set(entry) for entry in report["configurations"])
    assert report["best"]["fits"] and report["speedup"] > 1
    assert (tmp_path / "ulx3s.png").stat().st_size > 10_000
