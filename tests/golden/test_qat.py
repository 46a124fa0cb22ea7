import numpy as np
import pytest
import torch

from golden.fixed import FixedSpec
from golden.intref import run_network
from golden.models import Seq2Seq
from golden.qat import FakeQuantSeq2Seq
from golden.quantize import quantize_model


@pytest.mark.parametrize("bits, weight_bits, layers", [
    (4, 4, 1), (8, 8, 1), (8, 8, 2), (12, 12, 1), (10, 8, 1), (8, 10, 2)])
def test_float64_forward_is_bit_exact_to_integer_reference(bits, weight_bits, layers, rng):
    torch.manual_seed(bits)
    model = Seq2Seq(hidden_size=12, num_layers=layers).double()
    spec = FixedSpec(bits=bits, weight_bits=weight_bits)
    x = rng.integers(0, 256, (40, 135))
    with torch.no_grad():
        fake = FakeQuantSeq2Seq(model, spec)(torch.tensor(x / 256.0)).numpy()
    ints = run_network(quantize_model(model, spec), x)["outputs"]
    assert np.array_equal(fake * 2 ** spec.output_frac, ints)


def test_gradients_flow_through_every_parameter():
    """Every parameter but the decoder's input weights (which only ever see zeros) learns."""
    model = Seq2Seq(hidden_size=8, num_layers=1)
    fake = FakeQuantSeq2Seq(model)
    fake(torch.rand(4, 20)).square().mean().backward()
    for name, p in model.named_parameters():
        if name == "decoder.weight_ih_l0":
            assert p.grad is None or not p.grad.any()
        else:
            assert p.grad is not None and p.grad.abs().sum() > 0, name
