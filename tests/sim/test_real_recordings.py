"""``python -m sim run`` on recordings made on real instruments by others
(``../shared/data/flim/``, its README says what each is): every image and the point measurement
map with the defaults; T2 and ``.ht3`` files are refused with one line and leave nothing."""
import json

import numpy as np
import pytest
import tifffile

from sim.__main__ import main
from recordings import DATA, needs_data

pytestmark = needs_data

#: file -> (mapped image shape, extra arguments): hazelnut_z1 holds 2.3 photons per pixel, so
#: it is binned as a user would (5 x 5)
IMAGES = {"bigger_beads_2.1ns.sdt": ((256, 256), ()),
          "Neutrophils-021_NADH.sdt": ((256, 256), ()), "Tcells-002.sdt": ((256, 256), ()),
          "Panc1_30s_summed.sdt": ((256, 256), ()), "hazelnut_z1.ptu": ((256, 256), ("--bin", "2")),
          "hazelnut_z10.ptu": ((256, 256), ()), "tttrlib_HH400_beads.ptu": ((50, 50), ()),
          "pqsample_hydraharp_v20_t3.ptu": ((1, 1), ())}
REFUSED = {"pqsample_hydraharp_v20_t2.ptu": "is a T2 recording",
           "pqsample_hydraharp_v20.ht3": "older PicoQuant format: save the measurement as .ptu"}


def _run(name, out, *extra):
    return main(["run", str(DATA / name), "--out", str(out), *extra])


@pytest.mark.parametrize("name", IMAGES)
def test_every_image_maps(name, tmp_path):
    (height, width), extra = IMAGES[name]
    assert _run(name, tmp_path / "out", *extra) == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["shape"] == [height, width, 135] and report["pixels"] == height * width
    planes = tifffile.imread(tmp_path / "out" / "lifetimes.tif")   # tau1 tau2 fraction tau_m N
    tau_m, photons = planes[3], planes[4]
    bright = (photons >= 100) & np.isfinite(tau_m)
    assert bright.any(), "no pixel with 100 photons got a lifetime"
    assert 0.2 < np.median(tau_m[bright]) < 6, np.median(tau_m[bright])
    assert (tmp_path / "out" / "tau_m.png").stat().st_size > 0


def test_beads_have_their_nominal_lifetime(tmp_path):
    """Beads of nominal 2.1 ns: median tau_m of the pixels with >= 200 photons within
    2.1 +- 0.15 ns with the defaults."""
    assert _run("bigger_beads_2.1ns.sdt", tmp_path / "out") == 0
    planes = tifffile.imread(tmp_path / "out" / "lifetimes.tif")
    tau_m, photons = planes[3], planes[4]
    bright = (photons >= 200) & np.isfinite(tau_m)
    assert bright.sum() > 1000
    assert abs(np.median(tau_m[bright]) - 2.1) <= 0.15, np.median(tau_m[bright])


def test_the_point_measurement_maps_as_one_decay(tmp_path, capsys):
    assert _run("pqsample_hydraharp_v20_t3.ptu", tmp_path / "out") == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["pixels"] == 1 and report["valid_pixels"] == 1
    assert "a point measurement: mapped as a 1 x 1 image" in report["input_notes"]
    assert report["input_layout"]["laser_period_ns"] == pytest.approx(200, rel=1e-3)


@pytest.mark.parametrize("name", REFUSED)
def test_what_holds_no_histograms_is_refused_in_one_line(name, tmp_path, capsys):
    assert _run(name, tmp_path / "out") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: ") and REFUSED[name] in err[-1]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["Neutrophils-021_IRF.asc", "irf_40xW_02_dec2017_IRF.asc"])
def test_the_measured_irfs_read_on_the_recordings_axis(name):
    from golden.phasors import read_irf
    counts, width = read_irf(DATA / name)
    assert counts.shape == (256,) and width == pytest.approx(0.0390887, rel=1e-4)
    assert counts.sum() > 0
