"""``python -m boards bench``: the JSON, the plots and the section it records."""
import json

from boards.__main__ import main
from boards.bench_report import record
from golden.benchmarks import render as render_benchmarks


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
    record(results, results["command"], directory=tmp_path / "results")
    render_benchmarks(tmp_path / "results", tmp_path / "B.md")
    text = (tmp_path / "B.md").read_text()
    assert "| Seq2SeqLite 8-bit (intref) |" in text and "3000 photons" in text
    assert "| ulx3s-85f | teacher |" in text
    assert f"Produced by `{results['command']}`" in text
