import json

from rtl.__main__ import main


def test_elaborate_writes_the_multipixel_core(tmp_path):
    assert main(["elaborate", "--out", str(tmp_path), "--rows", "16", "--batch", "2"]) == 0
    text = (tmp_path / "tauflow_core.v").read_text()
    assert "module tauflow_core(" in text and "out__payload" in text
    meta = json.loads((tmp_path / "tauflow_core.json").read_text())
    assert (meta["core"], meta["lanes"], meta["matmul_multipliers"]) == ("multipixel", 4, 32)


def test_elaborate_writes_the_single_pixel_core(tmp_path):
    assert main(["elaborate", "--out", str(tmp_path), "--core", "single", "--multipliers",
                 "24"]) == 0
    assert json.loads((tmp_path / "tauflow_core.json").read_text())["multipliers"] == 24


def test_bad_multiplier_count(tmp_path, capsys):
    assert main(["elaborate", "--out", str(tmp_path), "--core", "single", "--multipliers",
                 "7"]) == 2
    assert capsys.readouterr().err.strip() == \
        "error: multipliers must be a positive divisor of 96 rows, not 7"
    assert not (tmp_path / "tauflow_core.v").exists()


def test_bad_row_count(tmp_path, capsys):
    assert main(["elaborate", "--out", str(tmp_path), "--rows", "48"]) == 2
    assert capsys.readouterr().err.strip() == \
        "error: rows must divide 96 and be at most 32, not 48"
