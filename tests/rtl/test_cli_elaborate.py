import json

from rtl.__main__ import main


def test_elaborate_writes_the_multipixel_core(tmp_path):
    assert main(["elaborate", "--out", str(tmp_path), "--rows", "16", "--batch", "2"]) == 0
    text = (tmp_path / "tauflow_core.v").read_text()
    assert "module tauflow_core(" in text and "out__payload" in text
    meta = json.loads((tmp_path / "tauflow_core.json").read_text())
    assert (meta["rows"], meta["lanes"], meta["matmul_multipliers"]) == (16, 4, 32)


def test_bad_row_count(tmp_path, capsys):
    assert main(["elaborate", "--out", str(tmp_path), "--rows", "48"]) == 2
    assert capsys.readouterr().err.strip() == \
        "error: rows must divide 96 and be at most 32, not 48"
    assert not (tmp_path / "tauflow_core.v").exists()
