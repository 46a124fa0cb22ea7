import numpy as np
from hypothesis import given, settings, strategies as st

from golden.fixed import FixedSpec
from golden.quantize import load_quantized, quantize_model, quantize_tensor, save_quantized, \
    weight_frac


@settings(max_examples=200, deadline=None)
@given(st.floats(1e-3, 100.0), st.integers(4, 16))
def test_weight_frac_is_the_largest_that_fits(peak, bits):
    frac = weight_frac(np.array([peak, -peak / 3]), bits)
    top = 2 ** (bits - 1) - 1
    assert peak * 2 ** frac <= top < peak * 2 ** (frac + 1)


def test_quantize_tensor_rounds_half_up_and_saturates():
    q = quantize_tensor([0.5 / 16, -0.5 / 16, 1.49 / 16, 100.0, -100.0], 4, 8)
    assert q.tolist() == [1, 0, 1, 127, -128]


def test_quantized_layout(lite_model):
    """Weights of ``weight_bits``, states of ``bits``."""
    q = quantize_model(lite_model, FixedSpec(bits=6, weight_bits=5))
    layer = q.encoder[0]
    assert layer.w_ih.shape == (96, 1) and layer.w_hh.shape == (96, 32)
    assert 8 <= np.abs(layer.w_hh).max() <= 15 and 8 <= np.abs(q.head_w).max() <= 15
    assert layer.in_frac == 8 and layer.state_frac == 5
    assert layer.acc_frac == max(layer.w_ih_frac + 8, layer.w_hh_frac + 5)
    assert q.parameter_count() == 6819


def test_save_load_round_trip(tmp_path, qlite):
    save_quantized(qlite, tmp_path / "q.npz")
    back = load_quantized(tmp_path / "q.npz")
    assert back.spec == qlite.spec and back.meta == qlite.meta
    assert back.head_w_frac == qlite.head_w_frac
    for a, b in zip(back.encoder + back.decoder, qlite.encoder + qlite.decoder):
        assert a.w_ih_frac == b.w_ih_frac and np.array_equal(a.w_hh, b.w_hh)
        assert np.array_equal(a.b_ih, b.b_ih) and np.array_equal(a.b_hh, b.b_hh)
