import numpy as np
import pytest

from golden.fixed import FixedSpec
from golden.intref import run_network
from golden.models import Seq2Seq
from golden.quantize import quantize_model
from rtl.gru import GRULayer
from streams import simulate_streams


def simulate(dut, steps, rng, stall=0.0):
    """Drive ``steps`` (list of (x, h_in or None)); return the states and the cycle count."""
    def put(ctx, step):
        x, h_in = step
        ctx.set(dut.step.payload.x, int(x))
        ctx.set(dut.step.payload.load, h_in is not None)
        for i, v in enumerate(h_in if h_in is not None else []):
            ctx.set(dut.step.payload.h_in[i], int(v))

    states, cycles = simulate_streams(
        dut, dut.step, steps, dut.out, len(steps), rng=rng, stall=stall, put=put,
        take=lambda ctx, p: [p[i] for i in range(dut.hidden_size)])
    return np.array(states), cycles


@pytest.fixture(scope="module")
def small_model():
    torch = pytest.importorskip("torch")
    torch.manual_seed(4)
    model = Seq2Seq(hidden_size=8, num_layers=1)
    return quantize_model(model, FixedSpec())


@pytest.mark.parametrize("multipliers", [1, 4, 24])
def test_encoder_and_decoder_steps_match_the_integer_reference(small_model, multipliers, rng):
    T = 12
    x = rng.integers(0, 256, (1, T))
    ref = run_network(small_model, x, record=True)
    enc = GRULayer(layer=small_model.encoder[0], multipliers=multipliers)
    steps = [(x[0, 0], np.zeros(8))] + [(v, None) for v in x[0, 1:T]]
    got, _ = simulate(enc, steps, rng, stall=0.3)
    assert np.array_equal(got, ref["encoder"][0]["h"][:T, 0])
    dec = GRULayer(layer=small_model.decoder[0], multipliers=multipliers)
    steps = [(0, got[-1])] + [(0, None)] * (T - 1)
    got_dec, _ = simulate(dec, steps, rng, stall=0.3)
    assert np.array_equal(got_dec, ref["decoder"][0]["h"][:T, 0])


def test_shipped_lite_layer_over_a_real_decay(rng):
    """The shipped 32-unit encoder on a simulated histogram, 20 steps, 8 multipliers."""
    from golden.export import golden_counts
    from golden.pipeline import load_default
    from golden.preprocess import preprocess
    q = load_default()
    x, _ = preprocess(golden_counts(6, 135, seed=2)[5:6])
    ref = run_network(q, x, record=True)["encoder"][0]["h"][:20, 0]
    steps = [(x[0, 0], np.zeros(32))] + [(v, None) for v in x[0, 1:20]]
    got, cycles = simulate(GRULayer(layer=q.encoder[0], multipliers=8), steps, rng)
    assert np.array_equal(got, ref)
    assert cycles / 20 <= 96 / 8 * 32 + 32 + 12     # matmul + gates + pipeline and handshakes
