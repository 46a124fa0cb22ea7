import numpy as np
import pytest
import torch

from golden.floatref import gru_step, seq2seq
from golden.models import Seq2Seq, build, lite, load_weights, save_weights, teacher, widen


def test_parameter_counts():
    n_teacher = sum(p.numel() for p in teacher().parameters())
    n_lite = sum(p.numel() for p in lite().parameters())
    assert n_teacher == 299_139 and n_lite == 6_819
    assert n_lite / n_teacher <= 0.025


@pytest.mark.parametrize("kwargs, message", [
    ({"hidden_size": 0, "num_layers": 1}, "hidden_size must be a positive integer, not 0"),
    ({"hidden_size": 8, "num_layers": 1.5}, "num_layers must be a positive integer, not 1.5"),
])
def test_constructor_messages(kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        Seq2Seq(**kwargs)


def test_build_message():
    with pytest.raises(ValueError, match=r"^model must be one of \['lite', 'teacher'\], not 'x'$"):
        build("x")


def test_gru_equations_match_torch(rng):
    """Gate order r, z, n; reset after the recurrent matmul; both biases."""
    torch.manual_seed(1)
    gru = torch.nn.GRU(3, 5, batch_first=True)
    with torch.no_grad():
        for p in gru.parameters():
            p.uniform_(-1, 1)      # large biases so each one matters
    x = rng.normal(size=(4, 1, 3))
    h = rng.uniform(-1, 1, (4, 5))
    expected = gru(torch.tensor(x, dtype=torch.float32),
                   torch.tensor(h[None], dtype=torch.float32))[1][0].detach().numpy()
    w = {n: getattr(gru, f"{n}_l0").detach().double().numpy()
         for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    got = gru_step(x[:, 0], h, w["weight_ih"], w["weight_hh"], w["bias_ih"], w["bias_hh"])
    np.testing.assert_allclose(got, expected, atol=1e-6)
    # Reset-before would differ: b_hn scaled by r is what distinguishes the conventions.
    w_no_bhn = dict(w, bias_hh=np.concatenate([w["bias_hh"][:10], np.zeros(5)]))
    other = gru_step(x[:, 0], h, w_no_bhn["weight_ih"], w_no_bhn["weight_hh"],
                     w_no_bhn["bias_ih"], w_no_bhn["bias_hh"])
    assert np.abs(other - expected).max() > 1e-3


@pytest.mark.parametrize("factory", [lite, lambda: Seq2Seq(hidden_size=6, num_layers=2)])
def test_torch_model_matches_float_reference(factory, rng):
    """Tolerance 1e-5: float32 torch vs float64 numpy over 2 x 135 recurrent steps."""
    torch.manual_seed(2)
    model = factory().eval()
    x = rng.integers(0, 256, (8, 135)) / 256
    with torch.no_grad():
        expected = model(torch.tensor(x, dtype=torch.float32)).numpy()
    params = {k: v.double().numpy() for k, v in model.state_dict().items()}
    np.testing.assert_allclose(seq2seq(params, x), expected, atol=1e-5)


def test_save_load_round_trip(tmp_path, lite_model):
    save_weights(lite_model, tmp_path / "m.pt", {"command": "test"})
    model, meta = load_weights(tmp_path / "m.pt")
    assert meta == {"command": "test"}
    x = torch.rand(2, 135)
    with torch.no_grad():
        assert torch.equal(model(x), lite_model(x))


def test_a_widened_model_starts_where_it_was(lite_model):
    """The wider model is the same function, and its new units learn at once (their head
    weights get gradients, since the units are active)."""
    x = torch.rand(4, 135)
    wide = widen(lite_model, 48)
    assert wide.hidden_size == 48 and wide.num_layers == 1
    with torch.no_grad():
        assert torch.allclose(wide(x), lite_model(x), atol=1e-6)
    wide.train()
    wide(x).square().sum().backward()
    assert wide.head.weight.grad[:, 32:].abs().min() > 1e-4


def test_widen_is_seeded_and_leaves_the_callers_generator_alone(lite_model):
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    first = widen(lite_model, 40, seed=1)
    assert torch.equal(torch.rand(3), expected)
    assert torch.equal(widen(lite_model, 40, seed=1).encoder.weight_hh_l0,
                       first.encoder.weight_hh_l0)


@pytest.mark.parametrize("hidden, layers", [(16, 1), (64, 2)])
def test_widen_refuses_a_narrower_or_deeper_model(hidden, layers):
    with pytest.raises(ValueError, match="^widen makes a one-layer model wider"):
        widen(Seq2Seq(hidden_size=32, num_layers=layers), hidden)
