import numpy as np

from golden.__main__ import main
from golden.models import load_weights


def test_dataset_then_train_and_distill(tmp_path):
    data = tmp_path / "d.npz"
    assert main(["dataset", "--n", "300", "--seed", "3", "--out", str(data)]) == 0
    with np.load(data) as f:
        assert f["counts"].shape == (300, 135) and f["counts"].dtype == np.uint16
    teacher = tmp_path / "t.pt"
    assert main(["train", "--model", "lite", "--data", str(data), "--epochs", "1",
                 "--out", str(teacher)]) == 0
    student = tmp_path / "s.pt"
    assert main(["train", "--model", "lite", "--data", str(data), "--epochs", "1", "--teacher",
                 str(teacher), "--init", str(teacher), "--limit", "200",
                 "--out", str(student)]) == 0
    model, meta = load_weights(student)
    assert meta["command"].startswith("python -m golden ") and meta["pixels"] <= 200
    assert meta["init"]["pixels"] > meta["pixels"] and len(meta["history"]) == 1
