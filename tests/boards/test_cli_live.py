"""``python -m boards live``: frames of the on-chip photon source through a simulated ULX3S-like
top (UART pins, photon source, histogrammer, multi-pixel core) against the source's reference,
the frame assembly's accounting, the window's fallback and the one-line errors."""
import copy
import dataclasses
import json

import numpy as np
import ptufile
import pytest
import tifffile

import boards.cli_live
import boards.cli_run
from boards import platforms
from boards.__main__ import main
from boards.cli_live import FrameAssembler, LiveWindow, open_window, \
    stripe_medians
from boards.photons import PhotonPath
from boards.simulation import CLOCK_PERIOD, SimulatedPort
from boards.top import LinkTop
from golden.datasets import Instrument
from golden.events import code_bins, histogram_events, image_events
from golden.physics import Acquisition, IRF, simulate_counts
from golden.intref import run_counts, to_physical
from golden.pipeline import MAP_KEYS, load_default
from golden.readers import input_arguments, read_for_model
from rtl.config import CoreConfig
from rtl.multipixel import MultiPixelCore
from fakes import ClosingFakeBoard, drive_event_pins

BINS = 20
PATH = PhotonPath(lifetimes_ns=(0.3, 1.0), stripes=(0, 1, 1), lines=2, dwell=40, rate=120,
                  records=4, tally=16)


@pytest.fixture(scope="module")
def qmodel():
    return load_default()


def one_line_error(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
    return err[0]


def simulated_board(qmodel, small, monkeypatch):
    """The ULX3S-like top at T = 20 behind ``--port sim`` (the ports opened are listed), its
    model ``small``."""
    core = MultiPixelCore(qmodel=qmodel, bins=BINS, config=CoreConfig(rows=32, batch=2, slots=2))
    top = LinkTop(core=core, clk_freq=4e6, baud=1e6, timeout_bytes=4, photons=PATH)
    port = SimulatedPort(top, timeout=4 * (400 * BINS + 600))
    port.close = lambda: None
    opened = []
    monkeypatch.setattr(boards.cli_run, "open_port",
                        lambda name, baud: opened.append((name, baud)) or port)
    monkeypatch.setattr(boards.cli_live, "load_model", lambda path: small)
    monkeypatch.setitem(platforms.BOARDS, "ulx3s-85f",
                        dataclasses.replace(platforms.BOARDS["ulx3s-85f"], photons=PATH))
    return top, port, opened


def small_model(qmodel):
    small = copy.copy(qmodel)
    small.meta = {"acquisition": {**qmodel.meta["acquisition"], "bins": BINS}}
    return small


def test_live_frames_equal_the_source_reference(tmp_path, qmodel, monkeypatch, capsys):
    """Two frames of a 3 x 2 scene at T = 20, bit by bit on the UART pins: every plane of
    frames.tif is the integer reference's of the source's own histograms, exactly."""
    small = small_model(qmodel)
    top, port, opened = simulated_board(qmodel, small, monkeypatch)
    out = tmp_path / "o"
    assert main(["live", "ulx3s-85f", "--port", "sim", "--out", str(out), "--frames", "2",
                 "--no-window"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["frames.tif", "report.json", "tau_m.png"]
    assert opened == [("sim", 3_000_000)]

    ref = PATH.reference(qmodel, BINS, frames=2)
    assert ref["frames"] == [6, 12]
    counts = np.stack([c for _, c in ref["pixels"]])
    maps = to_physical(run_counts(qmodel, counts), Instrument.of(small).step_ns, qmodel.spec)
    maps["photons"] = counts.sum(axis=1)
    want = np.stack([maps[k] for k in MAP_KEYS]).astype(np.float32)     # (5, 12)
    want = want.reshape(5, 2, 2, 3).transpose(1, 0, 2, 3)               # frames, planes, y, x
    got = tifffile.imread(out / "frames.tif")
    assert got.shape == (2, 5, 2, 3) and got.dtype == np.float32
    np.testing.assert_array_equal(got, want)

    report = json.loads((out / "report.json").read_text())
    assert (report["frames"], report["pixels"], report["pixels_per_frame"]) == (2, 12, 6)
    assert (report["width"], report["lines"]) == (3, 2)
    assert (report["missing_pixels"], report["duplicated_pixels"],
            report["skipped_pixels"]) == (0, 0, 0)
    assert report["counters"]["dropped"] == 0
    assert report["counters"]["saturated"] == ref["saturated"] == 0
    assert report["counters"]["outside"] >= ref["outside"]   # the source ran on a little
    assert report["photons"] == counts.sum()
    for key, value in (("frames_per_s", 2), ("pixels_per_s", 12),
                       ("photons_per_s", counts.sum())):
        assert report[key] == pytest.approx(value / report["seconds"], rel=0.01)
    assert report["board_status"]["bins"] == BINS and report["link_errors"] == 0
    assert report["command"] == (f"python -m boards live ulx3s-85f --port sim --out {out} "
                                 f"--frames 2 --no-window")
    assert report["stripes"] == stripe_medians(got[:, MAP_KEYS.index("tau_m")], PATH)
    assert [s["columns"] for s in report["stripes"]] == [[0], [1, 2]]
    assert port.framing_errors == 0 and "outputs in" in capsys.readouterr().out


def test_live_frames_of_the_event_pins(tmp_path, qmodel, monkeypatch):
    """``--source pins --size 2 2``: an instrument on the event pins repeats one 2 x 2 frame of
    photons from the start, at a frame rate the core keeps up with; the board takes them from the first FRAME after SOURCE PINS, and
    both frames read are the integer reference's of that frame's histograms; nothing lost."""
    small = small_model(qmodel)
    top, port, _ = simulated_board(qmodel, small, monkeypatch)
    rng = np.random.default_rng(7)
    table = PATH.bin_table(qmodel, BINS)
    inside = [code for code, b in enumerate(table) if b is not None]
    kinds, micro = image_events(rng.integers(0, 4, 100), rng.choice(inside, 100), (2, 2))
    ref = histogram_events(kinds, micro, table, BINS)

    async def instrument(ctx):
        while True:
            await drive_event_pins(ctx, top.pins, zip(kinds, micro), rng, period=CLOCK_PERIOD)
            await ctx.delay(4 * 2500 * CLOCK_PERIOD)    # a frame rate the core keeps up with

    port.sim.add_testbench(instrument, background=True)
    out = tmp_path / "o"
    assert main(["live", "ulx3s-85f", "--port", "sim", "--out", str(out), "--frames", "2",
                 "--source", "pins", "--size", "2", "2", "--no-window"]) == 0
    counts = np.stack([c for _, c in ref["pixels"]])
    maps = to_physical(run_counts(qmodel, counts), Instrument.of(small).step_ns, qmodel.spec)
    maps["photons"] = counts.sum(axis=1)
    want = np.stack([maps[k] for k in MAP_KEYS]).astype(np.float32).reshape(5, 2, 2)
    got = tifffile.imread(out / "frames.tif")
    assert got.shape == (2, 5, 2, 2)
    np.testing.assert_array_equal(got, np.stack([want, want]))
    report = json.loads((out / "report.json").read_text())
    assert report["source"] == "pins" and "scene" not in report and "stripes" not in report
    assert report["counters"]["lost"] == 0 and report["missing_pixels"] == 0


def write_scan(path, frames, rng):
    """A PicoHarp-like T3 image by ``ptufile.imwrite``: ``frames`` frames of 2 lines x 3
    pixels, 138 bins of 0.09 ns at 80 MHz, decays of 0.4-2 ns rising at 0.9 ns, 25 photons a
    pixel."""
    acq = Acquisition(bins=138, bin_width_ns=0.09, period_ns=12.5)
    n = frames * 6
    counts = simulate_counts(rng.uniform(0.4, 2, n), np.full(n, 2.0), np.ones(n), 25, acq=acq,
                             irf=IRF(0.2, 0.9), rng=rng)
    ptufile.imwrite(path, counts.reshape(frames, 2, 3, 138).astype(np.uint16), 12.5e-9,
                    0.09e-9, has_frames=True)
    return path


def test_live_frames_of_a_replayed_recording(tmp_path, qmodel, monkeypatch):
    """``--source replay FILE``: a T3 image of 3 frames written by ptufile, its photons as
    ``sim run`` prepares them streamed into the board's event input, frame after frame, at
    T = 20: every frame is the integer reference of that frame's own histograms (the photons
    whose codes fall in the board's 20 bins), and each pixel's photon count is its frame's."""
    small = small_model(qmodel)
    simulated_board(qmodel, small, monkeypatch)
    recording = write_scan(tmp_path / "scan.ptu", 3, np.random.default_rng(3))
    out = tmp_path / "o"
    assert main(["live", "ulx3s-85f", "--port", "sim", "--out", str(out), "--source", "replay",
                 str(recording), "--no-window"]) == 0
    prepared = read_for_model(input_arguments(recording), Instrument.of(small))
    photons = prepared.recording.photons
    bins = code_bins(prepared.codes, PATH.bin_table(qmodel, BINS))
    held = bins >= 0
    counts = np.bincount((photons.frame * 6 + photons.pixel)[held] * BINS + bins[held],
                         minlength=3 * 6 * BINS).reshape(18, BINS)
    maps = to_physical(run_counts(qmodel, counts), Instrument.of(small).step_ns, qmodel.spec)
    maps["photons"] = counts.sum(axis=1)
    want = np.stack([maps[k] for k in MAP_KEYS]).astype(np.float32)     # (5, 18)
    want = want.reshape(5, 3, 2, 3).transpose(1, 0, 2, 3)               # frames, planes, y, x
    np.testing.assert_array_equal(tifffile.imread(out / "frames.tif"), want)
    report = json.loads((out / "report.json").read_text())
    assert report["source"] == "replay" and report["frames"] == 3
    assert report["replay"]["file"] == "scan.ptu" and report["replay"]["frames_in_file"] == 3
    assert report["replay"]["pixels_with_other_photon_counts"] == 0
    assert report["counters"]["outside"] == (~held).sum() and counts.sum() > 100
    assert (report["missing_pixels"], report["duplicated_pixels"]) == (0, 0)


def record(tag):
    return tag, {"tag": tag}, 10


def test_frames_are_cut_where_the_tags_go_down():
    """A frame under way at the start is skipped; a lost pixel, a duplicate, a lost last pixel
    (the next frame ends it) are counted per frame."""
    assembler = FrameAssembler(4)
    done = []
    for tag in [2, 3, 0, 1, 2, 3, 0, 2, 2, 0, 1, 2, 0]:
        done += assembler.feed(*record(tag))
    assert assembler.skipped == 2
    assert [(sorted(f.results), f.missing, f.duplicated) for f in done] == [
        ([0, 1, 2, 3], 0, 0), ([0, 2], 2, 1), ([0, 1, 2], 1, 0)]
    with pytest.raises(boards.cli_live.LinkError, match="pixel 4 of a frame of 4"):
        assembler.feed(*record(4))
    single = FrameAssembler(1)
    assert [len(single.feed(*record(0))) for _ in range(3)] == [1, 1, 1]


def test_live_window_draws_and_survives_being_closed():
    """The window's drawing (on Agg: no display here); closed by the user, frames go on."""
    import matplotlib.pyplot as plt
    window = LiveWindow(plt, (2, 3), (0.0, 1.5), "test")
    window.update(np.array([[np.nan, 1, 2], [0.3, 0.5, 1]]), "frame 1 of 2")
    assert window.ax.get_title() == "test\nframe 1 of 2"
    plt.close(window.fig)
    window.update(np.zeros((2, 3)), "frame 2 of 2")
    window.close()
    assert plt.get_fignums() == [] and plt.get_backend().lower() == "agg"


def test_no_display_falls_back_with_a_note(monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(boards.cli_live.sys, "platform", "linux")
    assert open_window((2, 3), (0.0, 1.5), "test") is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("note: no display")


def test_bad_input_and_a_board_without_a_photon_path(tmp_path, qmodel, monkeypatch, capsys):
    """No --port, a catalogued board without a photon path, --source pins without --size, a
    --size that is not the on-chip scene's (exit 2), a bitstream without one
    (the board refuses SOURCE: exit 1); nothing written."""
    monkeypatch.chdir(tmp_path)
    assert main(["live", "ulx3s-85f", "--out", "x"]) == 2
    assert one_line_error(capsys) == ("error: --port is required: the board's serial device, "
                                      "e.g. /dev/ttyUSB0")
    assert main(["live", "icebreaker", "--port", "/dev/fake", "--out", "x"]) == 2
    assert one_line_error(capsys).startswith("error: the icebreaker has no on-chip photon "
                                             "source")
    assert main(["live", "ulx3s-85f", "--port", "/dev/fake", "--out", "x", "--source",
                 "pins"]) == 2
    assert one_line_error(capsys) == ("error: --size WIDTH LINES is required with --source "
                                      "pins: the shape of the instrument's frames")
    assert main(["live", "ulx3s-85f", "--port", "/dev/fake", "--out", "x", "--size", "4",
                 "4"]) == 2
    assert one_line_error(capsys) == ("error: --size 4 4 is not the on-chip scene's 32 x 32: "
                                      "leave it out")
    for source, message in [
            (["replay"], "--source replay takes one FILE (a T3 .ptu); onchip and pins take none"),
            (["pins", "x.ptu"], "--source replay takes one FILE (a T3 .ptu); onchip and pins "
                                "take none"),
            (["camera"], "--source is onchip, pins or replay FILE, not 'camera'")]:
        assert main(["live", "ulx3s-85f", "--port", "/dev/fake", "--out", "x", "--source",
                     *source]) == 2
        assert one_line_error(capsys) == f"error: {message}"
    scan = write_scan(tmp_path / "scan.ptu", 2, np.random.default_rng(0))
    for extra, message in [(["--frames", "3"], "the recording holds 2 frames, not 3"),
                           (["--size", "2", "3"], "--size 2 3 is not scan.ptu's 3 x 2: leave "
                                                  "it out")]:
        assert main(["live", "ulx3s-85f", "--port", "/dev/fake", "--out", "x", "--source",
                     "replay", str(scan), *extra]) == 2
        assert one_line_error(capsys) == f"error: {message}"
    board = ClosingFakeBoard(qmodel)
    monkeypatch.setattr(boards.cli_run, "open_port", lambda name, baud: board)
    assert main(["live", "ulx3s-85f", "--port", "/dev/fake", "--out", "x", "--no-window"]) == 1
    assert one_line_error(capsys) == ("error: the board has no input ONCHIP: build it with a "
                                      "photon path (boards/PHOTONS.md)")
    assert board.closed and not (tmp_path / "x").exists()
