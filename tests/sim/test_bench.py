"""The benchmark suite: accuracy against photons, throughput, board projections, the CLI."""
import json

import numpy as np
import pytest

from boards.bench import record
from golden.benchmarks import render as render_benchmarks
from golden.cli_eval import load_models
from sim.__main__ import main
from sim.bench import accuracy, boards, grid_size, photon_set, throughput
from sim.bench_report import render, throughput_rows

from fakes import build_entry


@pytest.fixture(scope="module")
def models():
    return load_models(with_teacher=False)


def test_photon_set_has_exactly_the_photons_asked_for():
    data = photon_set(300, 20, seed=1)
    assert np.all(data["photons"] == pytest.approx(300))
    assert data["counts"].shape == (20, 135)


def test_accuracy_improves_with_photons(models):
    acc = accuracy(models, ["phasor", "lite_int"], photons=(100, 10000), n=300, f_pixels=100)
    for method in ("phasor", "lite_int"):
        mae = acc[method]["tau_m_mae_ns"]
        assert mae["10000"] < 0.75 * mae["100"]
        assert all(0 < f < 10 for f in acc[method]["f_value"].values())
        assert acc[method]["undefined_share"]["10000"] == 0


def test_throughput_times_every_method(models):
    counts = photon_set(1000, 200, seed=2)["counts"]
    speed = throughput(models, ["flimlib_rld", "lite_float"], counts)
    assert set(speed) == {"flimlib_rld", "lite_float"} and all(v > 0 for v in speed.values())


def test_boards_project_the_sweep_and_the_recorded_build(tmp_path):
    results = tmp_path / "results"
    record(build_entry("ulx3s-85f", 52.5), "python -m boards build ulx3s-85f", results=results)
    ticks = []
    out = boards(bins=135, networks=("lite",), max_batch=1, max_slots=1, results=results,
                 advance=lambda: ticks.append(1))
    assert len(ticks) == grid_size(("lite",), 1, 1) == 30
    assert out["icebreaker"]["built"] is None
    built = out["ulx3s-85f"]["built"]
    assert built["fmax_mhz"] == 52.5 and built["pixels_per_s"] == pytest.approx(40e6 / 8908.3)
    lite = out["ulx3s-85f"]["explore"]["lite"]
    assert lite["best"]["fits"] and lite["speedup_vs_sequential"] > lite["speedup"] >= 1
    labels = [row[0] for row in throughput_rows({"throughput": {}, "boards": out})]
    # with one slot and one pixel per slot the iCEBreaker's best is its baseline
    ice = out["icebreaker"]["explore"]["lite"]
    assert ice["best"]["fits"] and ice["speedup"] == 1.0
    assert labels == ["icebreaker best explored (Lite)", "ulx3s-85f built",
                      "ulx3s-85f best explored (Lite)"]


def test_cli_writes_json_plots_and_the_section(tmp_path):
    out = tmp_path / "bench"
    argv = ["bench", "--out", str(out), "--n", "40", "--f-pixels", "20",
            "--throughput-pixels", "100", "--photons", "300", "3000", "--methods", "phasor",
            "lite_int", "--networks", "lite", "teacher", "--max-batch", "1", "--max-slots", "1",
            "--no-benchmarks"]
    assert main(argv) == 0
    results = json.loads((out / "bench.json").read_text())
    assert set(results["accuracy"]) == {"phasor", "lite_int"}
    assert set(results["boards"]) == {"icebreaker", "ulx3s-85f"}
    assert set(results["boards"]["ulx3s-85f"]["explore"]) == {"lite", "teacher"}
    assert (out / "accuracy.png").stat().st_size > 10_000
    assert (out / "throughput.png").stat().st_size > 10_000
    assert main(argv) == 2                              # exists, no --force
    render(results, results["command"], directory=tmp_path / "results")
    render_benchmarks(tmp_path / "results", tmp_path / "B.md")
    text = (tmp_path / "B.md").read_text()
    assert "| Seq2SeqLite 8-bit (intref) |" in text and "3000 photons" in text
    assert "| ulx3s-85f | teacher |" in text
    assert f"Produced by `{results['command']}`" in text
