import numpy as np
import pytest
import torch

from golden.datasets import make_dataset
from golden.models import Seq2Seq
from golden.training import network_inputs, network_targets, predict, sequence_loss, train


@pytest.fixture(scope="module")
def tiny_data():
    data = make_dataset(600, seed=5)
    x, valid = network_inputs(data["counts"])
    data = {k: v[valid] for k, v in data.items()}
    return x[valid], network_targets(data)


def _loss(model, x, y):
    return float(sequence_loss(torch.as_tensor(predict(model, x)), torch.as_tensor(y)))


def test_tiny_training_run_reduces_the_loss(tiny_data):
    x, y = tiny_data
    torch.manual_seed(0)
    model = Seq2Seq(hidden_size=8, num_layers=1)
    before = _loss(model, x, y)
    history = train(model, x, y, epochs=4, batch_size=64, lr=1e-2, log=lambda *_: None)
    after = _loss(model, x, y)
    assert len(history) == 4
    assert after < 0.5 * before


def test_distillation_pulls_towards_the_teacher(tiny_data):
    x, y = tiny_data
    teacher_y = np.zeros_like(y)
    torch.manual_seed(0)
    model = Seq2Seq(hidden_size=8, num_layers=1)
    train(model, x, y, epochs=3, batch_size=64, lr=1e-2, teacher_y=teacher_y, kd_alpha=1.0,
          log=lambda *_: None)
    assert np.abs(predict(model, x)).mean() < 0.05


def test_resume_continues_from_checkpoint(tiny_data, tmp_path):
    x, y = tiny_data
    ckpt = tmp_path / "c.ckpt"
    torch.manual_seed(0)
    first = train(Seq2Seq(hidden_size=4, num_layers=1), x, y, epochs=2, batch_size=128,
                  checkpoint=ckpt, max_minutes=0, log=lambda *_: None)
    assert len(first) == 1      # budget used up after the first epoch
    lines = []
    resumed = train(Seq2Seq(hidden_size=4, num_layers=1), x, y, epochs=2, batch_size=128,
                    checkpoint=ckpt, log=lines.append)
    assert lines[0] == f"resumed from {ckpt} at epoch 1"
    assert len(resumed) == 2 and resumed[0] == first[0]


def test_train_messages(tiny_data):
    x, y = tiny_data
    with pytest.raises(ValueError, match="^epochs must be a positive integer, not 0$"):
        train(Seq2Seq(hidden_size=4, num_layers=1), x, y, epochs=0)
    with pytest.raises(ValueError, match="^inputs and targets differ in length: 3 != 2$"):
        train(Seq2Seq(hidden_size=4, num_layers=1), x[:3], y[:2], epochs=1)
