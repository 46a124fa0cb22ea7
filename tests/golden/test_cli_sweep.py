import json

from golden.__main__ import main
from golden.models import save_weights


def test_sweep_reports_every_width(tmp_path, lite_model):
    float_path = tmp_path / "lite.pt"
    save_weights(lite_model, float_path, {"command": "fixture"})
    out = tmp_path / "s.json"
    assert main(["sweep", "--float", str(float_path), "--n", "30", "--json", str(out),
                 "--no-benchmarks"]) == 0
    results = json.loads(out.read_text())
    assert [results[f"ptq_{b}bit"]["bits"] for b in (4, 6, 8, 10, 12, 16)] == [4, 6, 8, 10, 12,
                                                                              16]
    assert "qat_8bit (shipped)" in results and "float" in results
    assert results["ptq_16bit"]["sigmoid_lut_max_err"] < results["ptq_4bit"][
        "sigmoid_lut_max_err"]
