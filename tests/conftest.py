import numpy as np
import pytest
import torch

from golden.fixed import FixedSpec
from golden.models import lite
from golden.quantize import quantize_model


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def lite_model():
    """A randomly initialised (seeded) Seq2SeqLite: structure tests need no training."""
    torch.manual_seed(0)
    return lite().eval()


@pytest.fixture(scope="session")
def qlite(lite_model):
    q = quantize_model(lite_model, FixedSpec())
    q.meta = {"acquisition": {"bins": 135, "bin_width_ns": 0.09}}
    return q
