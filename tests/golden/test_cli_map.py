import json
import subprocess
import sys

import numpy as np
import pytest
import tifffile

from golden.__main__ import main
from golden.quantize import save_quantized


@pytest.fixture
def weights(tmp_path, qlite):
    path = tmp_path / "w.npz"
    save_quantized(qlite, path)
    return path


def test_simulate_then_map(tmp_path, weights):
    sim = tmp_path / "sim.npz"
    assert main(["simulate", "--n", "20", "--photons", "2000", "--out", str(sim)]) == 0
    out = tmp_path / "maps"
    assert main(["map", str(sim), "--out", str(out), "--weights", str(weights)]) == 0
    stack = tifffile.imread(out / "lifetimes.tif")
    assert stack.shape == (5, 1, 20) or stack.shape == (5, 20)
    report = json.loads((out / "report.json").read_text())
    assert report["pixels"] == 20 and "tau_m_mae_ns" in report
    assert (out / "tau_m.png").stat().st_size > 1000


def test_phantom_map(tmp_path, weights):
    out = tmp_path / "p"
    assert main(["map", "phantom", "--size", "12", "--out", str(out), "--weights",
                 str(weights)]) == 0
    assert tifffile.imread(out / "lifetimes.tif").shape == (5, 12, 12)


def _run(args):
    proc = subprocess.run([sys.executable, "-m", "golden", *args], capture_output=True,
                          text=True)
    return proc.returncode, proc.stderr.strip().splitlines()


@pytest.mark.parametrize("make, message", [
    (lambda p: np.save(p, np.full((4, 4, 135), -1)), "counts contain 2160 negative values"),
    (lambda p: np.save(p, np.full((4, 4, 70), 1)), "histograms have 70 bins but the model"),
    (lambda p: np.save(p, np.full((4, 4, 135), np.nan)), "counts contain 2160 NaN values"),
    (lambda p: p.write_bytes(b"\x93NUMPY garbage"), "cannot read"),
])
def test_bad_inputs_exit_with_one_line_and_no_output(tmp_path, make, message):
    src = tmp_path / "in.npy"
    make(src)
    out = tmp_path / "out"
    code, lines = _run(["map", str(src), "--out", str(out), "--bin-width-ns", "0.09"])
    assert code == 2 and len(lines) == 1 and message in lines[0]
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["in.npy"]


def test_map_messages(tmp_path, weights):
    src = tmp_path / "in.npy"
    np.save(src, np.zeros((2, 2, 135)))
    code, lines = _run(["map", str(src), "--out", str(tmp_path / "o")])
    assert code == 2 and lines == [f"error: {src} does not state its bin width: pass "
                                   f"--bin-width-ns"]
    code, lines = _run(["map", str(tmp_path / "x.tif"), "--out", str(tmp_path / "o")])
    assert code == 2 and lines == [f"error: input {tmp_path / 'x.tif'} does not exist"]
    (tmp_path / "x.csv").write_text("1,2")
    code, lines = _run(["map", str(tmp_path / "x.csv"), "--out", str(tmp_path / "o")])
    assert lines == ["error: unknown input type '.csv': expected .npz or .npy"]


def test_existing_output_needs_force(tmp_path, weights, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    args = ["map", "phantom", "--size", "8", "--out", str(out), "--weights", str(weights)]
    assert main(args) == 2
    assert (out / "keep.txt").read_text() == "mine"
    assert main(["map", str(tmp_path / "missing.npy"), "--out", str(out)]) == 2
    assert capsys.readouterr().err.count("exists; pass --force") == 2   # before any reading
    assert main(args + ["--force"]) == 0
    assert (out / "lifetimes.tif").exists() and not (out / "keep.txt").exists()


def test_zero_photon_image_gives_no_lifetime(tmp_path, weights):
    src = tmp_path / "z.npy"
    np.save(src, np.zeros((3, 3, 135), np.uint16))
    out = tmp_path / "o"
    assert main(["map", str(src), "--out", str(out), "--bin-width-ns", "0.09", "--weights",
                 str(weights)]) == 0
    assert json.loads((out / "report.json").read_text())["valid_pixels"] == 0
    assert np.isnan(tifffile.imread(out / "lifetimes.tif")[3]).all()
