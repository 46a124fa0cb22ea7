import json

from rtl.__main__ import main


def test_elaborate_writes_verilog(tmp_path):
    assert main(["elaborate", "--out", str(tmp_path), "--multipliers", "24"]) == 0
    text = (tmp_path / "tauflow_core.v").read_text()
    assert "module tauflow_core(" in text and "out__payload" in text
    assert json.loads((tmp_path / "tauflow_core.json").read_text())["multipliers"] == 24


def test_bad_multiplier_count(tmp_path, capsys):
    assert main(["elaborate", "--out", str(tmp_path), "--multipliers", "7"]) == 2
    assert capsys.readouterr().err.strip() == \
        "error: multipliers must be a positive divisor of 96 rows, not 7"
    assert not (tmp_path / "tauflow_core.v").exists()
