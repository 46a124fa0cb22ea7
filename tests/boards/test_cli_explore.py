"""``python -m boards explore``: the report and plot of a board's sweep."""
import json

from boards.__main__ import main
from boards.cli_explore import section_body
from rtl.config import CoreConfig
from sim.des import simulate


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


def test_an_instrument_models_own_size_is_explored(tmp_path, instrument_model):
    """The instrument model (40 units, 64 bins): only rows dividing 120, its cycles from the
    discrete-event model at its own T and H, and its section named after it."""
    _, model = instrument_model
    out = tmp_path / "m.json"
    assert main(["explore", "--board", "ulx3s-85f", "--weights", str(model), "--json", str(out),
                 "--max-batch", "1", "--max-slots", "1", "--no-benchmarks"]) == 0
    report = json.loads(out.read_text())
    assert (report["hidden"], report["layers"]) == (40, 1)
    assert {e["rows"] for e in report["configurations"]} == {r for r in range(1, 41)
                                                             if 120 % r == 0}
    entry = report["configurations"][0]
    assert entry["cycles_per_pixel"] == simulate(
        CoreConfig(rows=entry["rows"], batch=1, slots=1, gate_luts=entry["gate_luts"],
                   gate_dsps=entry["gate_dsps"]), bins=64, hidden=40)["cycles_per_pixel"]


def test_instrument_weights_are_a_lite_model(tmp_path, capsys, instrument_model):
    _, model = instrument_model
    assert main(["explore", "--board", "ulx3s-85f", "--model", "teacher", "--weights",
                 str(model), "--json", str(tmp_path / "m.json")]) == 2
    assert capsys.readouterr().err.strip() == ("error: --weights is a Lite model: it cannot go "
                                               "with --model teacher")


def test_wider_widths_are_flagged_as_costed_at_8_bits(tmp_path, capsys, monkeypatch,
                                                     instrument_model):
    """The instrument model's 10-bit states: the command and the section say they were costed
    as 8-bit ones."""
    _, model = instrument_model
    recorded = {}
    monkeypatch.setattr("boards.cli_explore.update_section",
                        lambda name, title, command, data, renderer: recorded.update(data))
    assert main(["explore", "--board", "ulx3s-85f", "--weights", str(model), "--json",
                 str(tmp_path / "m.json"), "--max-batch", "1", "--max-slots", "1"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert ("note: this model's 10-bit states and 8-bit weights are costed as 8-bit and 8-bit "
            "ones" in out)
    assert (recorded["bits"], recorded["weight_bits"]) == (10, 8)
    assert "Note: this model's 10-bit states" in section_body(recorded)
