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


#: The tiny instrument of :func:`instrument_model`: 64 bins of 0.15 ns, laser 80 MHz.
TINY_BINS, TINY_WIDTH_NS = 64, 0.15


@pytest.fixture(scope="session")
def instrument_model(tmp_path_factory):
    """``(recording, model)``: an 8 x 8 ``.npy`` recording of a made-up instrument (64 bins of
    0.15 ns, an IRF of 0.3 ns FWHM at 2 ns) and the model ``golden calibrate`` makes for it
    in seconds (400 decays, one epoch of each phase), with a 10-bit network input, 40 GRU
    units and 10-bit states beside 8-bit weights (not the shipped model's 8 bits throughout
    and 32 units: every test of it tests the spec's widths and the network's size end to
    end), its accuracy measured at 100 and 1,500 photons."""
    from golden.__main__ import main
    from golden.physics import IRF, Acquisition, simulate_counts
    folder = tmp_path_factory.mktemp("instrument")
    acq = Acquisition(bins=TINY_BINS, bin_width_ns=TINY_WIDTH_NS, period_ns=12.5)
    gen = np.random.default_rng(1)
    counts = simulate_counts(np.full(64, 0.6), np.full(64, 2.5), np.full(64, 0.4),
                             gen.uniform(500, 3000, 64), acq=acq,
                             irf=IRF(fwhm_ns=0.3, offset_ns=2.0), rng=gen)
    recording, model = folder / "tiny.npy", folder / "tiny_model.npz"
    np.save(recording, counts.reshape(8, 8, TINY_BINS).astype(np.int64))
    assert main(["calibrate", "--like", str(recording), "--bin-width-ns", str(TINY_WIDTH_NS),
                 "--laser-mhz", "80", "--out", str(model), "--pixels", "400", "--epochs", "1",
                 "--qat-epochs", "1", "--test-pixels", "60", "--input-bits", "10",
                 "--hidden", "40", "--bits", "10", "--photons", "1500", "100",
                 "--no-benchmarks"]) == 0
    return recording, model
