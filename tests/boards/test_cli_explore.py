"""``python -m boards explore``: the report and plot of a board's sweep."""
import json

from boards.__main__ import main


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


def test_cli_teacher_report(tmp_path):
    out = tmp_path / "teacher.json"
    assert main(["explore", "--board", "ulx3s-85f", "--model", "teacher", "--json", str(out),
                 "--max-batch", "1", "--max-slots", "2", "--no-benchmarks"]) == 0
    report = json.loads(out.read_text())
    assert (report["hidden"], report["layers"]) == (128, 2)
    assert report["baseline"]["rows"] == 128 and report["sequential"]["rows"] == 1
    assert report["speedup_vs_sequential"] > report["speedup"] > 1
    assert (tmp_path / "teacher.png").stat().st_size > 10_000
