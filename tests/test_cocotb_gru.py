"""GRULayer as Verilog under Icarus: states bit-exact to the integer reference."""
import numpy as np

from golden.intref import run_network
from golden.pipeline import load_default
from rtl.gru import GRULayer
from sim.cocotb_run import run_cocotb


def test_icarus_encoder_steps_with_stalls(tmp_path, rng):
    q = load_default()
    x = rng.integers(0, 256, (1, 6))
    expected = run_network(q, x, record=True)["encoder"][0]["h"][:6, 0]
    tests, failed = run_cocotb(
        GRULayer(layer=q.encoder[0], multipliers=8), name="gru", test_module="sim.cocotb_gru",
        build_dir=tmp_path,
        vectors={"x": x[0], "h0": np.zeros(32, int), "expected": expected, "bits": 8,
                 "input_bits": 8, "seed": 3, "stall": 0.3})
    assert (tests, failed) == (1, 0), (tmp_path / "test.log").read_text()[-2000:]
