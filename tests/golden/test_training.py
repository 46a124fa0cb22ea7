import numpy as np
import pytest
import torch

from golden.datasets import make_dataset
from golden.lifetimes import lifetimes_from_sequences
from golden.physics import decay_components
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


def test_the_integral_term_is_the_lifetimes_relative_error():
    """The integral term is the squared relative error of each present channel's integral over
    its first value, times that first value (an absent component, fraction 0 or 1, is not
    weighed), so a prediction whose lifetimes are 10 % long adds about 0.01 times its weight for
    the full decay, and an exact one nothing."""
    target = torch.as_tensor(decay_components([0.5, 1.0], [2.0, 1.0], [0.3, 1.0]))
    longer = torch.as_tensor(decay_components([0.55, 1.1], [2.2, 1.1], [0.3, 1.0]))
    assert float(sequence_loss(target, target, 1.0)) == 0
    plain = float(sequence_loss(longer, target))
    extra = float(sequence_loss(longer, target, 1.0)) - plain
    found = lifetimes_from_sequences(longer.numpy(), 0.09)
    truth = lifetimes_from_sequences(target.numpy(), 0.09)
    relative = {k: (found[k] + 0.045) / (truth[k] + 0.045) - 1 for k in ("tau_m", "tau1", "tau2")}
    assert np.all((relative["tau_m"] > 0.09) & (relative["tau_m"] < 0.1))
    # pixel 0: all three channels, first values 1, 0.3, 0.7; pixel 1: no long part
    weighted = np.array([relative["tau_m"][0], 0.3 * relative["tau1"][0],
                         0.7 * relative["tau2"][0], relative["tau_m"][1], relative["tau1"][1]])
    assert extra == pytest.approx(np.mean(weighted ** 2), rel=1e-4)
    assert np.isfinite(plain)


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
