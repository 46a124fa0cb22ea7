import numpy as np
from formats import WRITERS

from golden.physics import IRF, Acquisition, simulate_counts
from sim.__main__ import main


def test_each_recording_of_a_folder_maps_or_is_refused(tmp_path, rng, capsys):
    acq = Acquisition(bins=270, bin_width_ns=0.045)
    decays = simulate_counts(np.full(16, 2.0), 2.0, 1.0, 500, acq=acq, irf=IRF(), rng=rng)
    WRITERS[".ptu"](tmp_path / "image.ptu", decays.reshape(4, 4, 270), 0.045)
    (tmp_path / "old.ht3").write_bytes(b"HydraHarp")
    assert main(["recordings", "--data", str(tmp_path), "--large-side", "8",
                 "--no-benchmarks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("image.ptu: median tau_m ") for line in lines)
    assert "old.ht3: refused: unknown input type '.ht3'" in "\n".join(lines)
    assert lines[-1].startswith("8 x 8 x 256 simulated T3 image: ")


def test_a_missing_folder_is_one_line(tmp_path, capsys):
    assert main(["recordings", "--data", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err.strip() == f"error: no recordings at {tmp_path / 'none'}: " \
                                              f"pass --data DIR"
