import json
import sys
import types

import pytest

from golden.__main__ import main
from golden.benchmarks import (BENCHMARKS, RESULTS, load_section, render, section_body, table,
                               update_section)


@pytest.fixture
def renderer(monkeypatch):
    """A renderer module: the body lists the data's keys and values."""
    module = types.ModuleType("fake_renderer")
    module.section_body = lambda data: "; ".join(f"{k}={v}" for k, v in data.items())
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return module.__name__


def test_sections_are_recorded_and_rendered_in_order(tmp_path, renderer):
    results, path = tmp_path / "results", tmp_path / "B.md"
    update_section("real-recordings", "Last", "cmd r", {"n": 2}, renderer=renderer,
                   results=results)
    update_section("golden-eval", "First", "cmd a", {"n": 1}, renderer=renderer,
                   results=results)
    update_section("zz", "Other", "cmd b", {"x": 1}, renderer=renderer, results=results)
    update_section("golden-eval", "First", "cmd a2", {"n": 3}, renderer=renderer,
                   results=results)
    assert load_section("zz", results)["data"] == {"x": 1} and load_section("no", results) is None
    render(results, path)
    text = path.read_text()
    assert text.count("## First") == 1 and "n=3" in text and "n=1" not in text
    assert text.index("## First") < text.index("## Last") < text.index("## Other")
    assert "Produced by `cmd a2`" in text and '"x": 1' in text


@pytest.mark.parametrize("path", sorted(RESULTS.glob("*.json")), ids=lambda p: p.stem)
def test_each_recorded_section_is_data_and_its_renderer(path):
    """No Markdown is stored: a record holds its data and names the module that renders it."""
    record = json.loads(path.read_text())
    assert set(record) == {"name", "title", "command", "renderer", "data"}
    assert record["name"] == path.stem and section_body(record).strip()


def test_benchmarks_md_is_rendered_from_the_recorded_results(tmp_path):
    """Every figure of BENCHMARKS.md is one recorded in results/: after measuring, run
    ``python -m golden report``."""
    out = tmp_path / "B.md"
    assert main(["report", "--out", str(out)]) == 0
    assert out.read_text() == BENCHMARKS.read_text(), \
        f"BENCHMARKS.md differs from {RESULTS}: run python -m golden report"


def test_table_formats_missing_cells():
    assert table(["a", "b"], [[1.23456, None]]) == "| a | b |\n|---|---|\n| 1.235 | – |"
