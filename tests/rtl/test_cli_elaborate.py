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


def test_an_instrument_model_elaborates_at_its_own_bins(tmp_path, instrument_model):
    _, model = instrument_model
    assert main(["elaborate", "--out", str(tmp_path), "--weights", str(model), "--rows",
                 "8"]) == 0
    meta = json.loads((tmp_path / "tauflow_core.json").read_text())
    assert (meta["bins"], meta["weights"], meta["rows"]) == (64, str(model), 8)


def test_a_file_that_is_no_model(tmp_path, capsys):
    (tmp_path / "x.npz").write_bytes(b"not a model")
    assert main(["elaborate", "--out", str(tmp_path / "o"), "--weights",
                 str(tmp_path / "x.npz")]) == 2
    assert capsys.readouterr().err.startswith(f"error: cannot read the model {tmp_path}/x.npz: ")
    assert not (tmp_path / "o").exists()
