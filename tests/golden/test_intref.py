import numpy as np
import pytest
import torch

from golden.fixed import FixedSpec
from golden.floatref import seq2seq
from golden.intref import divide, lifetimes, matmul_exact, run_counts, run_network, to_physical
from golden.lifetimes import lifetimes_from_sequences
from golden.models import Seq2Seq
from golden.physics import decay_components
from golden.quantize import quantize_model

WIDE = FixedSpec(bits=16, weight_bits=16, lut_index_bits=16, sigmoid_range=16.0, tanh_range=8.0, output_frac=14)


def test_matmul_exact(rng):
    a = rng.integers(-128, 128, (50, 33))
    w = rng.integers(-128, 128, (96, 33))
    assert np.array_equal(matmul_exact(a, w, 128), a @ w.T)
    a16, w16 = a * 256, w * 256        # bound beyond float32: float64 path
    assert np.array_equal(matmul_exact(a16, w16, 2 ** 15), a16 @ w16.T)
    with pytest.raises(OverflowError):
        matmul_exact(a16, w16 * 2 ** 20, 2 ** 15)


@pytest.mark.parametrize("layers", [1, 2])
def test_wide_integer_reference_tracks_float(layers, rng):
    """At 16 bits with fine tables the integer pipeline follows the float equations
    (tolerance 2e-3 on outputs of magnitude ~1)."""
    torch.manual_seed(3)
    model = Seq2Seq(hidden_size=16, num_layers=layers)
    x = rng.integers(0, 256, (64, 135))
    q = quantize_model(model, WIDE)
    ints = run_network(q, x)["outputs"] / 2 ** WIDE.output_frac
    params = {k: v.double().numpy() for k, v in model.state_dict().items()}
    np.testing.assert_allclose(ints, seq2seq(params, x / 256), atol=2e-3)


def test_eight_bit_reference_is_close_to_float(lite_model, qlite, rng):
    """Untrained weights at 8 bits: outputs within 0.1 of float (the QAT target is tighter)."""
    x = rng.integers(0, 256, (64, 135))
    params = {k: v.double().numpy() for k, v in lite_model.state_dict().items()}
    ints = run_network(qlite, x)["outputs"] / 2 ** 12
    assert np.abs(ints - seq2seq(params, x / 256)).max() < 0.1


def test_record_holds_every_intermediate(qlite, rng):
    x = rng.integers(0, 256, (3, 135))
    rec = run_network(qlite, x, record=True)
    enc, dec = rec["encoder"][0], rec["decoder"][0]
    assert set(enc) == {"r", "z", "n_pre", "n", "h"}
    assert enc["h"].shape == (135, 3, 32) and dec["z"].shape == (135, 3, 32)
    assert enc["r"].min() >= 0 and enc["r"].max() <= 255
    assert dec["h"].min() >= -128 and dec["h"].max() <= 127
    assert np.array_equal(rec["outputs"], run_network(qlite, x)["outputs"])


def test_divide():
    spec = FixedSpec()
    q = divide(np.array([10, 10, 5, 10 ** 6, 3]), np.array([4, 0, -2, 1, 3]), spec)
    assert q.tolist() == [640, 0, 0, 65535, 256]


def test_integer_lifetimes_match_float_formula():
    """Exact decays quantized to the output format: integer and float lifetimes agree to
    within the quotient LSB plus output rounding (0.005 ns)."""
    spec = FixedSpec()
    seq = decay_components([0.3, 1.0, 2.0], [2.5, 1.0, 2.9], [0.6, 1.0, 0.3])
    outputs = np.floor(seq * 2 ** 12 + 0.5).astype(np.int64)
    result = lifetimes(outputs.sum(axis=1), outputs[:, 0], spec)
    result["valid"] = np.ones(3, bool)
    ints = to_physical(result, 0.09, spec)
    floats = lifetimes_from_sequences(seq, 0.09)
    for key in ints:
        np.testing.assert_allclose(ints[key], floats[key], atol=5e-3)
    # mono-exponential: the long channel is all zeros -> its lifetime is undefined
    assert np.isnan(ints["tau2"][1]) and ints["fraction"][1] == 1.0


def test_zero_photons_give_no_lifetime(qlite):
    counts = np.zeros((2, 135), np.int64)
    counts[1, 20:30] = 50
    phys = to_physical(run_counts(qlite, counts), 0.09, qlite.spec)
    assert np.isnan(phys["tau_m"][0]) and np.isnan(phys["fraction"][0])
