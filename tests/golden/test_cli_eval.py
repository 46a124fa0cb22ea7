import json

from golden.__main__ import main


def test_eval_small_set_without_touching_benchmarks(tmp_path):
    out = tmp_path / "e.json"
    assert main(["eval", "--json", str(out), "--n", "40", "--methods", "lite_float", "lite_int",
                 "phasor", "--no-benchmarks"]) == 0
    results = json.loads(out.read_text())
    assert set(results) == {"lite_float", "lite_int", "phasor", "lite_int_f_value", "command",
                            "provenance"}
    assert any(line.startswith("- `lite_int.npz`: ") for line in results["provenance"])
    assert results["lite_int"]["params"] == 6819

