import json

import numpy as np

from golden.__main__ import main
from golden.datasets import make_dataset, save_dataset
from golden.export import load_export
from golden.intref import run_network
from golden.models import save_weights
from golden.quantize import load_quantized


def test_quantize_qat_export(tmp_path, lite_model):
    float_path = tmp_path / "lite.pt"
    save_weights(lite_model, float_path, {"command": "fixture"})
    ptq = tmp_path / "ptq.npz"
    assert main(["quantize", "--float", str(float_path), "--bits", "6", "--out", str(ptq)]) == 0
    assert load_quantized(ptq).spec.bits == 6
    data = tmp_path / "d.npz"
    save_dataset(data, make_dataset(120, seed=2))
    qat = tmp_path / "qat.npz"
    assert main(["qat", "--float", str(float_path), "--data", str(data), "--epochs", "1",
                 "--out", str(qat)]) == 0
    q = load_quantized(qat)
    assert q.meta["method"] == "qat" and q.meta["acquisition"]["bins"] == 135
    out = tmp_path / "export"
    assert main(["export", "--weights", str(qat), "--vectors", "12", "--out", str(out)]) == 0
    back, vectors = load_export(out)
    assert np.array_equal(run_network(back, vectors["x"])["outputs"], vectors["outputs"])
    assert main(["export", "--weights", str(qat), "--out", str(out)]) == 2   # exists
    assert json.loads((out / "spec.json").read_text())["vectors"]["pixels"] == 12
