"""The datapath widths: derived from the model's bounds, checked by the integer reference."""
import dataclasses

import pytest

from golden import intref
from golden.export import golden_counts
from golden.pipeline import load_default
from golden.preprocess import preprocess
from golden.widths import check_fits, datapath_widths


def test_widths_of_the_shipped_model():
    q = load_default()
    widths = datapath_widths(q, 135)
    H = q.hidden_size
    assert widths.acc == (H * 128 * 128).bit_length() + 1          # |W_hh h| <= H * 2**14
    assert widths.sum == q.spec.output_bits - 1 + 8                 # 135 steps of 15 bits
    assert widths.first == q.spec.output_bits - 1
    assert widths.lut_frac == min(q.encoder[0].acc_frac, q.decoder[0].acc_frac)
    assert widths.pre > widths.acc and widths.head > 2 * q.spec.bits


def test_check_fits_at_the_limits():
    check_fits("x", [-128, 127], 8)
    check_fits("x", [0, 255], 8, signed=False)
    with pytest.raises(OverflowError, match="^x reaches 128, outside the datapath's 8 signed"):
        check_fits("x", [0, 128], 8)
    with pytest.raises(OverflowError, match="^y reaches -1, outside the datapath's 8 unsigned"):
        check_fits("y", [-1], 8, signed=False)


@pytest.mark.parametrize("field, name", [("acc", "W_hh h"), ("pre", "r and z pre-activations"),
                                         ("head", "head accumulator"),
                                         ("sum", "running integrals")])
def test_the_reference_checks_its_intermediates(monkeypatch, field, name):
    q = load_default()
    x = preprocess(golden_counts(8, 40, seed=2))[0]
    intref.run_network(q, x)                                         # fits the real widths
    narrow = lambda qmodel, bins: dataclasses.replace(datapath_widths(qmodel, bins),
                                                      **{field: 4})
    monkeypatch.setattr(intref, "datapath_widths", narrow)
    with pytest.raises(OverflowError, match=f"^{name} reaches"):
        intref.run_network(q, x)
