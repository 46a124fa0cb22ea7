"""``golden agree``: a model's tau_m on a recording's bright pixels beside FLIMLib's
reconvolution fit, on a real recording with its measured IRF and on a calibrated model's own
instrument; clear errors that leave nothing behind."""
import json

import numpy as np
import pytest
import sdtfile

from golden.__main__ import main
from golden.cli_agree import section_body

from conftest import TINY_WIDTH_NS
from recordings import DATA, needs_data


@needs_data
def test_neutrophils_with_their_measured_irf(tmp_path, capsys):
    """The neutrophil NADH image with its measured IRF, pixels of >= 600 photons: every one
    of them (counted here from sdtfile) is compared, the IRF's shift lies inside the range
    searched, and the figure and record are written."""
    recording = DATA / "Neutrophils-021_NADH.sdt"
    out = tmp_path / "agree"
    assert main(["agree", str(recording), "--laser-mhz", "80", "--irf",
                 str(DATA / "Neutrophils-021_IRF.asc"), "--bright", "600", "--out", str(out),
                 "--no-benchmarks"]) == 0
    record = json.loads((out / "agreement.json").read_text())
    photons = sdtfile.SdtFile(recording).data[0].sum(axis=-1)
    assert record["bright_pixels"] == int((photons >= 600).sum()) > 500
    assert record["pixels"] > 0.95 * record["bright_pixels"]
    assert -6 < record["irf_shift_bins"] < 6
    assert 0 < record["median_fit_ns"] < 5 and 0 < record["median_model_ns"] < 5
    assert (out / "agreement.png").stat().st_size > 10_000
    assert "IRF (Neutrophils-021_IRF.asc) fits the summed decay best moved" in \
        capsys.readouterr().out
    text = section_body({"runs": {"x": record}})
    assert "| Neutrophils-021_NADH.sdt | lite_int.npz | Neutrophils-021_IRF.asc (" in text


def test_a_calibrated_model_on_its_own_instrument(tmp_path, instrument_model):
    """No IRF file: the fit takes the model's fitted IRF, which needs no shift (under a bin) on
    the recording it was fitted to, and recovers the recording's true tau_m (1.74 ns, 500 to
    3,000 photons) within 8 % in the median of 64 pixels (a bi-exponential fit's tau_m error
    at 1,000 photons is ~0.25 ns a pixel; an IRF two bins off moves the median by ~40 %)."""
    recording, model = instrument_model
    out = tmp_path / "agree"
    assert main(["agree", str(recording), "--bin-width-ns", str(TINY_WIDTH_NS), "--laser-mhz",
                 "80", "--weights", str(model), "--bright", "1", "--out", str(out),
                 "--no-benchmarks"]) == 0
    record = json.loads((out / "agreement.json").read_text())
    assert record["irf"] == "the model's fitted IRF" and abs(record["irf_shift_bins"]) < 1
    assert record["bright_pixels"] == 64
    assert record["median_fit_ns"] == pytest.approx(0.4 * 0.6 + 0.6 * 2.5, rel=0.08)


def test_an_irf_of_another_axis_is_refused_before_any_output(tmp_path, capsys, instrument_model):
    recording, model = instrument_model
    irf = tmp_path / "irf.asc"
    np.savetxt(irf, np.column_stack([np.arange(32) * 0.3, np.ones(32)]))
    out = tmp_path / "agree"
    assert main(["agree", str(recording), "--bin-width-ns", str(TINY_WIDTH_NS), "--laser-mhz",
                 "80", "--weights", str(model), "--irf", str(irf), "--out", str(out)]) == 2
    assert "error: the IRF has 32 bins of 0.3 ns, the recording 64 of 0.15 ns" in \
        capsys.readouterr().err
    assert not out.exists()
