"""The boards' half of the benchmark suite: the sweep's best per board beside the recorded build."""
import pytest

from boards.bench import grid_size, projections
from boards.bench_report import throughput_rows
from boards.builds import record

from fakes import build_entry


def test_boards_project_the_sweep_and_the_recorded_build(tmp_path):
    results = tmp_path / "results"
    record(build_entry("ulx3s-85f", 52.5), "python -m boards build ulx3s-85f", results=results)
    ticks = []
    out = projections(bins=135, networks=("lite",), max_batch=1, max_slots=1, results=results,
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
