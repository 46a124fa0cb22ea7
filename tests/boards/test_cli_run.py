"""``python -m boards run``: the maps glue against the golden pipeline, the whole path through
the simulated board (UART pins, multi-pixel core), and the command against a pure-Python
board."""
import copy
import json

import numpy as np
import pytest
import tifffile

import boards.cli_run
from boards import protocol
from boards.__main__ import main
from boards.host import Host
from boards.maps import board_maps
from boards.simulation import SimulatedPort
from boards.top import LinkTop
from boards.uart import BITS_PER_BYTE
from golden.export import golden_counts
from golden.intref import run_counts
from golden.physics import Acquisition, simulate_counts
from golden.pipeline import MAP_KEYS, MIN_PHOTONS, analyse, load_default, withhold_dim
from rtl.config import CoreConfig
from rtl.multipixel import MultiPixelCore
from boards.platforms import BOARDS
from fakes import ClosingFakeBoard, FakePhotonBoard
from formats import write_ptu
from sim.__main__ import main as sim_main


@pytest.fixture(scope="module")
def qmodel():
    return load_default()


def reference(qmodel):
    """``process`` from the integer reference, in ``Host.process``'s terms."""
    return lambda counts, first_tag: run_counts(qmodel, counts)


def assert_maps_equal(got, want):
    assert sorted(got) == sorted(want)
    for key in got:
        np.testing.assert_array_equal(got[key], want[key], err_msg=key)


def test_maps_equal_the_golden_pipeline(qmodel):
    """Decays, edge cases and a saturated pixel, ``(2, 3, T)``: the same maps as ``analyse``."""
    counts = golden_counts(6, 135, seed=2).reshape(2, 3, 135)
    counts[1, 2, 40] = 2 ** 16 - 1
    seen = []
    got = board_maps(counts, qmodel, reference(qmodel), progress=seen.append)
    assert_maps_equal(got, analyse(counts, qmodel))
    assert seen == [6] and got["saturated"][1, 2]


def test_through_the_simulated_board(qmodel):
    """Two pixels at T = 20 through LinkTop with a multi-pixel core (one per slot), bit by bit
    on the UART pins: the board's integer results are the reference's, and so are the maps."""
    bins = 20
    small = copy.copy(qmodel)
    small.meta = {"acquisition": {**qmodel.meta["acquisition"], "bins": bins}}
    core = MultiPixelCore(qmodel=qmodel, bins=bins, config=CoreConfig(rows=32, batch=1, slots=2))
    top = LinkTop(core=core, clk_freq=4e6, baud=1e6, timeout_bytes=4)
    port = SimulatedPort(top, timeout=4 * (500 * bins + (2 * bins + 9) * BITS_PER_BYTE * 4))
    counts = golden_counts(2, bins, seed=7).reshape(1, 2, bins)
    host = Host(port, bins=bins)
    results = []

    def process(flat, first_tag):
        results.append(host.process(flat, first_tag=first_tag))
        return results[-1]

    got = board_maps(counts, small, process)
    want = run_counts(qmodel, counts.reshape(2, bins))
    for key in ("tau_q", "fraction_q", "tau_defined", "fraction_defined", "valid"):
        np.testing.assert_array_equal(results[0][key], want[key], err_msg=key)
    assert_maps_equal(got, board_maps(counts, small, reference(qmodel)))
    assert host.errors == [] and port.framing_errors == 0


def test_run_command_writes_the_sim_run_outputs(tmp_path, qmodel, monkeypatch, capsys):
    """An ``.npy`` input (8 x 8 pixels at 0.045 ns: rebinned) through a pure-Python board on a
    fake port; the outputs ``python -m sim run`` writes, maps equal the golden pipeline's."""
    rng = np.random.default_rng(3)
    fine = simulate_counts(np.full(64, 2.0), 0.5, 0.6, 3000, rng=rng,
                           acq=Acquisition(bins=270, bin_width_ns=0.045)).reshape(8, 8, 270)
    np.save(tmp_path / "image.npy", fine.astype(np.uint16))
    board, opened = ClosingFakeBoard(qmodel), []
    monkeypatch.setattr(boards.cli_run, "open_port",
                        lambda name, baud: opened.append((name, baud)) or board)
    out = tmp_path / "out"
    assert main(["run", "ulx3s-85f", str(tmp_path / "image.npy"), "--port", "/dev/fake",
                 "--out", str(out), "--bin-width-ns", "0.045"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["lifetimes.tif", "phasor.png",
                                                     "report.json", "tau_m.png"]
    report = json.loads((out / "report.json").read_text())
    assert (report["backend"], report["pixels"], report["link_errors"]) == ("board", 64, 0)
    assert opened == [("/dev/fake", 3_000_000)] and report["baud"] == 3_000_000
    assert report["board_status"] == {"code": 0, "version": protocol.VERSION, "bins": 135,
                                      "lanes": 1}
    want = withhold_dim(analyse(fine.reshape(8, 8, 135, 2).sum(-1), qmodel), MIN_PHOTONS)
    np.testing.assert_array_equal(tifffile.imread(out / "lifetimes.tif"),
                                  np.stack([want[k] for k in MAP_KEYS]))
    assert board.closed and "resampled to 135 of 0.09 ns" in capsys.readouterr().out


def test_run_command_maps_the_phantom_at_the_baud_given(tmp_path, qmodel, monkeypatch):
    """The built-in phantom at ``--baud``: the report has that rate and the command as typed."""
    monkeypatch.setattr(boards.cli_run, "open_port", lambda name, baud: ClosingFakeBoard(qmodel))
    out = tmp_path / "o"
    assert main(["run", "icebreaker", "phantom", "--size", "8", "--port", "/dev/fake",
                 "--baud", "2000000", "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    assert (report["board"], report["pixels"], report["baud"]) == ("icebreaker", 64, 2_000_000)
    assert report["command"].startswith("python -m boards run icebreaker phantom")
    assert 0 < report["tau_m_mae_ns"] < 0.5


def _t3_image(path):
    """A small PicoHarp T3 image (3 x 4 pixels, 0.045-ns bins) of 2-ns decays."""
    rng = np.random.default_rng(5)
    acq = Acquisition(bins=270, bin_width_ns=0.045)
    counts = simulate_counts(np.full(12, 2.0), 2.0, 1.0, 1500, acq=acq, rng=rng)
    write_ptu(path, counts.reshape(3, 4, 270), 0.045)


def test_replayed_photons_map_as_sim_run(tmp_path, qmodel, monkeypatch):
    """``--events``: a T3 image's photons through a pure-Python photon-path board (one EVENTS
    frame corrupted on the way: the host sends it and those after it again); the maps equal
    ``python -m sim run``'s of the same file, bit for bit."""
    _t3_image(tmp_path / "in.ptu")
    table = BOARDS["ulx3s-85f"].photons.bin_table(qmodel, 135)
    board = FakePhotonBoard(qmodel, table=table, faults={4: "corrupt"})
    monkeypatch.setattr(boards.cli_run, "open_port", lambda name, baud: board)
    assert main(["run", "ulx3s-85f", str(tmp_path / "in.ptu"), "--port", "/dev/fake",
                 "--events", "--out", str(tmp_path / "board")]) == 0
    assert sim_main(["run", str(tmp_path / "in.ptu"), "--out", str(tmp_path / "sim")]) == 0
    got, want = (tifffile.imread(tmp_path / out / "lifetimes.tif") for out in ("board", "sim"))
    np.testing.assert_array_equal(got, want)
    assert np.isfinite(got[3]).sum() == 12 and board.closed
    report = json.loads((tmp_path / "board" / "report.json").read_text())
    assert report["map_by"].endswith("from the photons replayed into its histogrammer")
    assert report["link_errors"] > 0        # the corrupted frame's report, and SEQUENCE ones


@pytest.mark.parametrize("board, extra, message", [
    ("icebreaker", (), "--events: the icebreaker has no photon path (boards/PHOTONS.md)"),
    ("ulx3s-85f", ("--bin", "1"), "--events sends each pixel its own photons: --bin needs the "
                                  "histogram link"),
])
def test_replay_is_refused_where_it_cannot_be(tmp_path, qmodel, board, extra, message,
                                              monkeypatch, capsys):
    _t3_image(tmp_path / "in.ptu")
    monkeypatch.setattr(boards.cli_run, "open_port", lambda name, baud: ClosingFakeBoard(qmodel))
    assert main(["run", board, str(tmp_path / "in.ptu"), "--port", "/dev/fake", "--events",
                 "--out", str(tmp_path / "o"), *extra]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"error: {message}"
    assert not (tmp_path / "o").exists()


def test_replay_needs_single_photons(tmp_path, qmodel, monkeypatch, capsys):
    monkeypatch.setattr(boards.cli_run, "open_port", lambda name, baud: ClosingFakeBoard(qmodel))
    assert main(["run", "ulx3s-85f", "phantom", "--size", "8", "--port", "/dev/fake",
                 "--events", "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "error: only single photons can be replayed: a T3 .ptu recording holds them")
    assert not (tmp_path / "o").exists()
