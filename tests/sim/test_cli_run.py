import json
import subprocess
import sys

import numpy as np
import pytest
import tifffile
from formats import WRITERS

from golden.export import golden_counts
from sim.__main__ import main


def _run(capsys, *args):
    code = main(["run", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err.strip().splitlines()


def test_phantom_golden_writes_maps_plots_and_report(tmp_path, capsys):
    out = tmp_path / "o"
    code, printed, _ = _run(capsys, "phantom", "--size", 8, "--out", out)
    assert code == 0 and f"outputs in {out}" in printed
    assert sorted(p.name for p in out.iterdir()) == ["lifetimes.tif", "phasor.png",
                                                     "report.json", "tau_m.png"]
    assert tifffile.imread(out / "lifetimes.tif").shape == (5, 8, 8)
    report = json.loads((out / "report.json").read_text())
    assert report["backend"] == "golden" and report["pixels"] == 64
    assert report["shift_ns"] == 0 and report["input_notes"] == []
    assert 0 < report["tau_m_mae_ns"] < 0.5
    assert report["pixels_per_s"] > 0 and report["seconds"] > 0 and "rtl" not in report
    assert sum(report["photon_histogram"]["pixels"]) == 64
    assert report["dim_pixels"] == int((tifffile.imread(out / "lifetimes.tif")[4] < 50).sum())
    stats = report["lifetimes"]["tau_m"]
    assert stats["q1"] <= stats["median"] <= stats["q3"]


def test_rtl_on_finer_bins_rebins_and_verifies_every_pixel(tmp_path, capsys):
    """A one-pixel .npy at 0.045 ns with a longer window: rebinned, then through the RTL."""
    pixel = golden_counts(6, 135, seed=2)[5]
    fine = np.concatenate([np.repeat(pixel, 2) // 2, np.ones(6, int)])
    np.save(tmp_path / "fine.npy", fine.reshape(1, 1, -1).astype(np.uint16))
    out = tmp_path / "o"
    code, printed, _ = _run(capsys, tmp_path / "fine.npy", "--bin-width-ns", 0.045,
                            "--backend", "rtl", "--clock-mhz", 50, "--out", out)
    note = "276 bins of 0.045 ns (data in bins 0-275) resampled to 135 of 0.09 ns"
    assert code == 0 and f"note: {note}" in printed
    report = json.loads((out / "report.json").read_text())
    assert report["input_notes"][0].startswith(note) and "tau_m_mae_ns" not in report
    assert report["rtl"]["pixels_verified"] == 1 and report["rtl"]["matched"] is True
    assert report["rtl"]["assumed_clock_mhz"] == 50
    assert report["rtl"]["projected_pixels_per_s"] == pytest.approx(
        50e6 / report["rtl"]["cycles_per_pixel"], rel=1e-3)


def test_map_brightness_follows_photons_unless_asked_not_to(tmp_path, capsys):
    plain, weighted = tmp_path / "plain", tmp_path / "weighted"
    assert _run(capsys, "phantom", "--size", 8, "--out", weighted)[0] == 0
    assert _run(capsys, "phantom", "--size", 8, "--out", plain,
                "--no-intensity-weighted")[0] == 0
    assert (plain / "tau_m.png").read_bytes() != (weighted / "tau_m.png").read_bytes()
    assert tifffile.imread(plain / "lifetimes.tif").tobytes() == \
        tifffile.imread(weighted / "lifetimes.tif").tobytes()


def test_teacher_maps_on_the_golden_backend_only(tmp_path, capsys):
    out = tmp_path / "o"
    code, _, _ = _run(capsys, "phantom", "--size", 8, "--model", "teacher", "--out", out)
    report = json.loads((out / "report.json").read_text())
    assert code == 0 and (report["model"], report["weights"]) == ("teacher", "teacher.pt")
    assert report["map_by"] == "teacher (torch float)" and 0 < report["tau_m_mae_ns"] < 0.5
    code, _, err = _run(capsys, "phantom", "--model", "teacher", "--backend", "rtl", "--out",
                        tmp_path / "r")
    assert code == 2 and err == ["error: --model teacher runs on the golden backend only (torch "
                                 "float); the rtl backend computes the 8-bit Lite network"]
    assert not (tmp_path / "r").exists()


def _damage(suffix, how):
    def make(path):
        WRITERS[suffix](path, np.ones((2, 2, 135), int), 0.09)
        data = bytearray(path.read_bytes())
        if how == "truncate":
            data = data[:len(data) // 2]
        else:
            data[8:40] = b"\xff" * 32
        path.write_bytes(bytes(data))
    return make


def _npy(array):
    return lambda path: np.save(path, array)


@pytest.mark.parametrize("name, make, message", [
    *[(f"in{s}", _damage(s, how), f"in{s}") for s in (".sdt", ".ptu", ".tif")
      for how in ("truncate", "garble")],
    ("in.npy", _npy(np.ones((2, 2, 135), bool)), "counts must be numeric, not dtype bool"),
    ("in.npy", _npy(np.ones((2, 2, 2, 135))), "counts must have shape (H, W, T)"),
    ("in.npy", _npy(np.full((2, 2, 135), np.nan)), "counts contain 540 NaN values"),
    ("in.npy", _npy(-np.ones((2, 2, 135))), "counts contain 540 negative values"),
    ("in.npy", _npy(np.ones((2, 0, 135))), "counts are empty"),
    ("in.npy", _npy(np.ones((2, 2, 100))), "the summed decay has no rising edge"),
    ("in.npy", _npy(np.full((2, 2, 135), 70000)), "counts exceed the 16-bit counter range"),
    ("in.xyz", lambda p: p.write_text("1"), "unknown input type '.xyz'"),
])
def test_bad_input_one_line_exit_2_nothing_left(tmp_path, capsys, name, make, message):
    make(tmp_path / name)
    code, _, err = _run(capsys, tmp_path / name, "--bin-width-ns", 0.045, "--out",
                        tmp_path / "o")
    assert code == 2 and len(err) == 1 and err[0].startswith("error: ") and message in err[0]
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_missing_input_and_unwritable_output(tmp_path, capsys):
    code, _, err = _run(capsys, tmp_path / "none.ptu", "--out", tmp_path / "o")
    assert code == 2 and err == [f"error: input {tmp_path / 'none.ptu'} does not exist"]
    (tmp_path / "file").write_text("not a directory")
    code, _, err = _run(capsys, "phantom", "--size", 8, "--out", tmp_path / "file" / "o")
    assert code == 2 and len(err) == 1 and err[0].startswith(f"error: cannot write to "
                                                             f"{tmp_path / 'file'}")
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_existing_output_needs_force(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code, _, err = _run(capsys, "phantom", "--size", 8, "--out", out)
    assert code == 2 and err == [f"error: output directory {out} exists; pass --force to "
                                 f"replace it"]
    assert (out / "keep.txt").read_text() == "mine"
    # checked before the input is read: no work is done only to be refused
    assert _run(capsys, tmp_path / "missing.sdt", "--out", out)[2] == err
    assert _run(capsys, "phantom", "--size", 8, "--out", out, "--force")[0] == 0
    assert not (out / "keep.txt").exists() and (out / "phasor.png").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["o"]


def test_command_line_entry_point(tmp_path):
    """The real process: one line on stderr, exit code 2."""
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(tmp_path / "x.sdt"), "--out",
                           str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"error: input {tmp_path / 'x.sdt'} does not exist"]


def test_sample_must_be_positive(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "phantom", "--sample", "0", "--out", str(tmp_path / "o")])
    assert info.value.code == 2
    assert "--sample: invalid positive_int value: '0'" in capsys.readouterr().err


def test_phantom_too_small(tmp_path, capsys):
    assert main(["run", "phantom", "--size", "4", "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.strip() == \
        "error: phantom: size must be an integer of at least 8, not 4"
    assert not (tmp_path / "o").exists()


def test_the_integer_path_starts_without_torch_or_other_commands(tmp_path):
    """A map of the integer reference imports neither torch nor the other commands' modules
    (they cost seconds at every start)."""
    code = (f"import sys; from sim.__main__ import main; "
            f"assert main(['run', 'phantom', '--size', '8', '--out', {str(tmp_path / 'o')!r}]) "
            f"== 0; print(sorted(m for m in ('torch', 'sim.cli_validate', 'sim.cli_cycles') "
            f"if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.splitlines()[-1] == "[]"


def test_an_instrument_model_maps_its_recording_on_the_rtl(tmp_path, capsys, instrument_model):
    """The model ``golden calibrate`` made for a 64-bin instrument reads its recording on the
    recording's own axis (no resampling, no shift) and its core, built for 64 bins, is
    bit-exact to its integer reference."""
    recording, model = instrument_model
    out = tmp_path / "o"
    code, _, _ = _run(capsys, recording, "--bin-width-ns", 0.15, "--weights", model,
                      "--backend", "rtl", "--sample", 1, "--rows", 4, "--batch", 1,
                      "--slots", 1, "--out", out)
    report = json.loads((out / "report.json").read_text())
    assert code == 0 and report["weights"] == model.name
    assert (report["shift_ns"], report["input_notes"]) == (0.0, [])
    assert report["rtl"]["pixels_verified"] == 1 and report["rtl"]["matched"] is True


def test_a_core_that_cannot_run_the_model_is_refused_first(tmp_path, capsys, instrument_model):
    """The instrument model's 40 units need rows dividing 120: the default 32 rows are refused
    before anything is read or written."""
    recording, model = instrument_model
    out = tmp_path / "o"
    code, _, err = _run(capsys, recording, "--bin-width-ns", 0.15, "--weights", model,
                        "--backend", "rtl", "--out", out)
    assert (code, err) == (2, [f"error: core for {model.name}: rows must divide 120 and be at "
                               f"most 40, not 32"])
    assert not out.exists()
