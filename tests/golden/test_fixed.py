import numpy as np
import pytest
from fixedpoint import FixedPoint
from hypothesis import given, settings, strategies as st

from golden.fixed import FixedSpec, align, build_lut, lut_error, lut_index, round_shift, saturate


def _fixedpoint(value, shift, bits):
    """fixedpoint's own rounding ('nearest' = half up) and clamping: the integer ``value`` read
    with ``shift`` fraction bits, resized to a ``bits``-wide integer."""
    fp = FixedPoint(value / 2 ** shift, signed=True, m=64, n=shift, rounding="nearest",
                    overflow="clamp", overflow_alert="ignore")
    fp.resize(bits, 0)
    return int(fp.bits) - (1 << bits) * (int(fp.bits) >> (bits - 1))


@settings(max_examples=300, deadline=None)
@given(st.integers(-2 ** 40, 2 ** 40), st.integers(1, 20), st.integers(2, 24))
def test_round_then_saturate_matches_fixedpoint(value, shift, bits):
    ours = int(saturate(round_shift(value, shift), bits))
    assert ours == _fixedpoint(value, shift, bits)


def test_random_values_against_fixedpoint(rng):
    values = rng.integers(-2 ** 30, 2 ** 30, 2000)
    ours = saturate(round_shift(values, 9), 16)
    theirs = [_fixedpoint(int(v), 9, 16) for v in values]
    assert ours.tolist() == theirs


def test_left_shift_and_align_are_exact():
    assert round_shift(-3, -4) == -48
    assert align(5, 3, 7) == 80
    with pytest.raises(ValueError, match="^cannot align fraction 7 down to 3 exactly$"):
        align(5, 7, 3)


def test_saturate_never_wraps():
    assert saturate(np.array([300, -300, 5]), 8).tolist() == [127, -128, 5]
    assert saturate(np.array([300, -3]), 8, signed=False).tolist() == [255, 0]


def test_lut_index_then_clamp():
    spec = FixedSpec()
    assert spec.lut_in_frac("sigmoid") == 6 and spec.lut_in_frac("tanh") == 7
    pre = np.array([-10 ** 9, -1, 0, 2 ** 20, 10 ** 9])   # at 20 fraction bits
    assert lut_index(pre, 20, spec, "sigmoid").tolist() == [0, 511, 512, 576, 1023]


@pytest.mark.parametrize("bits", [4, 8, 16])
def test_tables(bits):
    spec = FixedSpec(bits=bits)
    sig, tanh = build_lut("sigmoid", spec), build_lut("tanh", spec)
    assert sig.shape == tanh.shape == (1024,)
    assert sig.min() >= 0 and sig.max() <= 2 ** bits - 1
    assert np.all(np.diff(sig) >= 0) and np.all(np.diff(tanh) >= 0)
    assert tanh.min() >= -2 ** (bits - 1) and tanh.max() <= 2 ** (bits - 1) - 1
    sig_max, _ = lut_error("sigmoid", spec)
    tanh_max, _ = lut_error("tanh", spec)
    # Error: half an input step times the slope (<= 1/256) plus output rounding/saturation.
    assert sig_max <= 1 / 256 + 2 ** -bits + 1e-9   # 1.0 itself saturates to 1 - LSB
    assert tanh_max <= 1 / 256 + 2 ** -(bits - 1) + 1e-9


@pytest.mark.parametrize("kwargs, message", [
    ({"bits": 1}, "bits must be an integer of at least 2, not 1"),
    ({"lut_index_bits": "10"}, "lut_index_bits must be an integer of at least 2, not '10'"),
    ({"tanh_range": 3.0}, "tanh_range must be a power of two, not 3.0"),
])
def test_spec_messages(kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        FixedSpec(**kwargs)
