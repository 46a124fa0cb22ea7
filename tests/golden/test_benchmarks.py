from golden.__main__ import main
from golden.benchmarks import (BENCHMARKS, RESULTS, load_section, render, table,
                               update_section)


def test_sections_are_recorded_and_rendered_in_order(tmp_path):
    results, path = tmp_path / "results", tmp_path / "B.md"
    update_section("real-recordings", "Last", "zwei", "cmd r", results=results)
    update_section("golden-eval", "First", "one", "cmd a", results=results)
    update_section("zz", "Other", "two", "cmd b", data={"x": 1}, results=results)
    update_section("golden-eval", "First", "uno", "cmd a2", results=results)
    assert load_section("zz", results)["data"] == {"x": 1} and load_section("no", results) is None
    render(results, path)
    text = path.read_text()
    assert text.count("## First") == 1 and "uno" in text and "one" not in text
    assert text.index("## First") < text.index("## Last") < text.index("## Other")
    assert "Produced by `cmd a2`" in text and '"x": 1' in text


def test_benchmarks_md_is_rendered_from_the_recorded_results(tmp_path):
    """Every figure of BENCHMARKS.md is one recorded in results/: after measuring, run
    ``python -m golden report``."""
    out = tmp_path / "B.md"
    assert main(["report", "--out", str(out)]) == 0
    assert out.read_text() == BENCHMARKS.read_text(), \
        f"BENCHMARKS.md differs from {RESULTS}: run python -m golden report"


def test_table_formats_missing_cells():
    assert table(["a", "b"], [[1.23456, None]]) == "| a | b |\n|---|---|\n| 1.235 | – |"
