"""``golden calibrate``: a model for a recording's instrument, with its provenance; clear errors
that leave nothing behind."""
import pytest

from golden.__main__ import main
from golden.calibrate import COMPARED, FRET_KEYS, OUTPUT_SPAN_TAUS
from golden.cli_calibrate import section_body
from golden.datasets import Instrument
from golden.pipeline import load_model

from conftest import TINY_BINS, TINY_WIDTH_NS


def test_the_model_holds_its_instrument_and_how_it_was_made(instrument_model):
    recording, model = instrument_model
    q = load_model(model)
    instrument = Instrument.of(q)
    assert (instrument.acq.bins, instrument.acq.bin_width_ns) == (TINY_BINS, TINY_WIDTH_NS)
    assert instrument.acq.period_ns == pytest.approx(12.5)
    assert instrument.irf.fwhm_ns == pytest.approx(0.3, abs=0.05)
    assert instrument.irf.offset_ns == pytest.approx(2.0, abs=0.05)
    lo, hi = instrument.prange.irf_offset_ns
    assert lo < instrument.irf.offset_ns < hi and instrument.prange.tau_ns[1] == 5.0
    # 64 bins of 0.15 ns are 9.6 ns: the outputs reach 30 ns
    assert instrument.step_ns == pytest.approx(OUTPUT_SPAN_TAUS * 5.0 / TINY_BINS)
    assert q.meta["command"].startswith(f"python -m golden calibrate --like {recording} ")
    assert q.meta["pixels"] <= 400 and q.meta["wall_seconds"] > 0
    assert [len(q.meta["history"][phase]) for phase in ("float", "qat")] == [1, 1]
    assert (q.spec.input_bits, q.spec.bits, q.spec.weight_bits) == (10, 10, 8)


def test_its_accuracy_beside_a_fit_is_measured_and_rendered(instrument_model):
    """The model's meta holds the accuracy table (integer and float model, FLIMLib LMA, the
    photon counts asked for, F-values, the FRET-like set's errors), which the calibrations
    section renders."""
    _, model = instrument_model
    meta = load_model(model).meta
    found = meta["accuracy"]
    assert set(found) == set(COMPARED) and meta["test_pixels"] == 60
    for method in COMPARED:
        assert list(found[method]["tau_m_mae_ns"]) == ["100", "1500"]
        assert all(v > 0 for v in found[method]["tau_m_mae_ns"].values())
        assert found[method]["f_value"] > 1
        assert list(found[method]["fret"]) == list(FRET_KEYS)
        assert all(v > 0 for v in found[method]["fret"].values())
    run = {k: meta[k] for k in ("like", "command", "pixels", "wall_seconds", "acquisition",
                                "irf", "notes", "accuracy", "test_pixels", "output_step_ns")}
    run.update(input_bits=10, bits=10, weight_bits=8, hidden=40)
    text = section_body({"runs": {model.name: run}})
    assert text.startswith(f"### `{model.name}`, for `tiny.npy`")
    assert "| lite_int |" in text and "| lite_float |" in text and "| flimlib_lma |" in text
    assert ("network input Q0.10, 40 GRU units of 10-bit states and 8-bit weights, outputs "
            "0.4688 ns apart." in text)
    assert "| FRET tau1 MAE (ns) @ 1000 |" in text
    assert "| method | tau_m MAE (ns) @ 100 | tau_m MAE (ns) @ 1500 | F @ 1000 |" in text
    del run["output_step_ns"]
    assert "outputs a bin apart (measured before the output step" in section_body(
        {"runs": {model.name: run}})


@pytest.mark.parametrize("extra, message", [
    (["--irf-offset-ns", "1"], "--irf-offset-ns goes with --irf-fwhm-ns"),
    (["--irf-fwhm-ns", "0.3"], "--irf-fwhm-ns needs --irf-offset-ns (the IRF's centre in ns)"),
    (["--fret", "--tau-max-ns", "4"],
     "--fret trains on FRET-like lifetimes: it takes no --tau-max-ns"),
    (["--hidden", "16"], "--hidden must be at least the shipped network's 32 units, not 16"),
    (["--bits", "1"], "bits must be an integer of at least 2, not 1"),
])
def test_bad_irf_arguments(tmp_path, capsys, instrument_model, extra, message):
    recording, _ = instrument_model
    out = tmp_path / "m.npz"
    assert main(["calibrate", "--like", str(recording), "--bin-width-ns", "0.15", "--out",
                 str(out), *extra]) == 2
    assert capsys.readouterr().err.strip() == f"error: {message}"
    assert not out.exists()


def test_an_existing_model_needs_force(tmp_path, capsys, instrument_model):
    recording, model = instrument_model
    before = model.read_bytes()
    assert main(["calibrate", "--like", str(recording), "--out", str(model)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {model} exists; pass --force to replace it"
    assert model.read_bytes() == before
