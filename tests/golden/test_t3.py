"""``golden.t3``: photons of real PicoQuant T3 recordings (``../shared/data/flim/``, its README
says what each is) land exactly where ptufile puts them: per pixel and TDC code the photons of
each channel equal ``PtuFile.decode_image(frame=-1, channel=None, dtime=0, keepdims=False)``
(``decode_histogram(dtime=0)`` for the point measurement). Copies of two recordings, written to
``tmp_path`` with their records cut or a header value changed, cover what the recordings do
not: incomplete first and last frames, lines past ``ImgHdr_PixY``, other pixel times,
bidirectional and sinusoidal scans."""
import logging
import struct

import numpy as np
import ptufile
import pytest

from golden.t3 import T3Photons, read_t3_photons
from golden.validate import InputError
from recordings import DATA, needs_data

pytestmark = needs_data

#: T3 images: file -> (height, width, channels, frames summed)
IMAGES = {"hazelnut_z1.ptu": (256, 256, 1, 5), "hazelnut_z10.ptu": (256, 256, 1, 5),
          "tttrlib_HH400_beads.ptu": (50, 50, 2, 1)}
POINT = "pqsample_hydraharp_v20_t3.ptu"


@pytest.fixture(autouse=True)
def _quiet_ptufile():
    """ptufile logs an error for a missing frame marker tag (tttrlib's file) and for header
    tags out of order (the point measurement); neither matters here."""
    logger = logging.getLogger("ptufile")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def _histograms(photons, frame=None):
    """``(H, W, bins)`` counts of ``photons`` (of one ``frame``, if given)."""
    height, width = photons.shape
    of = slice(None) if frame is None else photons.frame == frame
    flat = np.bincount(photons.pixel[of] * photons.bins + photons.dtime[of],
                       minlength=height * width * photons.bins)
    return flat.reshape(height, width, photons.bins)


def _ptufile_image(path, frame=-1):
    """ptufile's ``(H, W, C, bins)`` image of ``frame`` (-1: frames summed; uint32: no counter
    wraps)."""
    with ptufile.PtuFile(path) as ptu:
        return ptu.decode_image(frame=frame, channel=None, dtime=0, keepdims=False,
                                dtype=np.uint32)


def _assert_same_as_ptufile(path):
    """Every channel of ``path`` as ptufile decodes it, frames summed and frame by frame; the
    photons of each channel."""
    image = _ptufile_image(path)
    photons = [read_t3_photons(path, c) for c in range(image.shape[2])]
    for c, p in enumerate(photons):
        assert p.pixel.dtype == p.dtime.dtype == p.frame.dtype == np.int64
        assert p.pixel.shape == p.dtime.shape == p.frame.shape
        assert np.array_equal(_histograms(p), image[:, :, c]), f"channel {c} of {path.name}"
    for f in range(photons[0].frames if photons[0].frames > 1 else 0):
        frame = _ptufile_image(path, f)
        for c, p in enumerate(photons):
            assert np.array_equal(_histograms(p, f), frame[:, :, c]), (path.name, c, f)
    return photons


def _copy(name, dst, keep=slice(None), rename=None, **tags):
    """``DATA / name`` written to ``dst`` with only its records ``keep``, the tag
    ``rename[0]`` renamed ``rename[1]`` and the header values ``tags`` (each an existing
    8-byte tag) changed."""
    src = DATA / name
    with ptufile.PtuFile(src) as ptu:
        offset = ptu.record_offset
    data = src.read_bytes()
    header = bytearray(data[:offset])
    records = np.frombuffer(data[offset:], np.uint32)[keep]
    if rename:
        at = header.find(rename[0].encode() + b"\0")
        assert at >= 0 and at % 8 == 0 and len(rename[1]) < 32, rename
        header[at:at + 32] = rename[1].encode().ljust(32, b"\0")
    for key, value in {**tags, "TTResult_NumberOfRecords": records.size}.items():
        at = header.find(key.encode() + b"\0")
        assert at >= 0 and at % 8 == 0, key      # a 48-byte tag: ident, index, type, value
        kind = struct.unpack_from("<I", header, at + 36)[0]
        struct.pack_into("<d" if kind == 0x20000008 else "<q", header, at + 40, value)
    dst.write_bytes(bytes(header) + records.tobytes())
    return dst


def _markers(name):
    """Record indices of the markers of ``DATA / name``."""
    with ptufile.PtuFile(DATA / name) as ptu:
        return np.flatnonzero(ptu.decode_records()["marker"] > 0)


@pytest.mark.parametrize("name", IMAGES)
def test_every_channel_of_every_image_is_decode_image(name):
    height, width, channels, frames = IMAGES[name]
    photons = _assert_same_as_ptufile(DATA / name)
    assert len(photons) == channels
    with ptufile.PtuFile(DATA / name) as ptu:
        bins, res, rate = ptu.number_bins_in_period, ptu.tcspc_resolution, ptu.syncrate
    for p in photons:
        assert p.shape == (height, width) and p.frames == frames and p.bins == bins
        assert p.bin_width_ns == pytest.approx(res * 1e9)
        assert p.period_ns == pytest.approx(1e9 / rate)
        assert 0 <= p.dtime.min() and p.dtime.max() < p.bins


def test_the_point_measurement_is_decode_histogram():
    with ptufile.PtuFile(DATA / POINT) as ptu:
        histogram = ptu.decode_histogram(dtime=0)
    assert histogram.shape == (2, 3125)
    for c in range(2):
        p = read_t3_photons(DATA / POINT, c)
        assert isinstance(p, T3Photons) and p.shape == (1, 1) and p.frames == 1
        assert not p.pixel.any() and p.period_ns == pytest.approx(200, rel=1e-4)
        assert np.array_equal(_histograms(p)[0, 0], histogram[c])
    assert histogram.sum() == 77_883     # every photon of the file


def test_photons_past_the_period_and_outside_lines_are_dropped():
    """hazelnut_z10 holds 11 photons with TDC codes past its 132 bins; of the beads' 73,787
    photons about half arrive outside lines (retrace) and are not counted."""
    z10 = read_t3_photons(DATA / "hazelnut_z10.ptu", 0)
    assert z10.pixel.size == 726_942 - 11
    beads = [read_t3_photons(DATA / "tttrlib_HH400_beads.ptu", c) for c in (0, 1)]
    assert sum(p.pixel.size for p in beads) == 37_384


@pytest.mark.parametrize("cut, frames", [
    ((301, None), 4),           # begins mid first frame: the first frame is skipped
    ((None, 2252), 4),          # ends mid last frame: the last frame is dropped
    ((301, 2252), 3),           # both
    ((301, 813), 1),            # two incomplete frames: ptufile keeps the second one
    ((301, 450), 1),            # one incomplete frame: kept
    ((512, None), 4),           # begins just after the first frame's end marker
])
def test_incomplete_frames_are_dropped_as_ptufile_drops_them(tmp_path, cut, frames):
    """hazelnut_z1 cut at its markers (512 per frame, the frame marker last)."""
    markers = _markers("hazelnut_z1.ptu")
    first, last = (None if k is None else markers[k] for k in cut)
    path = _copy("hazelnut_z1.ptu", tmp_path / "cut.ptu", slice(first, last))
    (p,) = _assert_same_as_ptufile(path)
    assert p.frames == frames


@pytest.mark.parametrize("name, tags", [
    ("hazelnut_z1.ptu", {"ImgHdr_PixY": 200}),     # lines past PixY are not counted
    ("hazelnut_z1.ptu", {"ImgHdr_PixY": 258}),     # every frame incomplete: first, last dropped
    ("hazelnut_z1.ptu", {"ImgHdr_PixX": 100}),     # pixel time from the lines' duration
    ("hazelnut_z1.ptu", {"ImgHdr_PixX": 257}),     # 257 x 492 < 126,464: last ticks dropped
    ("hazelnut_z1.ptu", {"ImgHdr_BiDirect": 1}),
    ("hazelnut_z1.ptu", {"ImgHdr_SinCorrection": 70}),
    ("hazelnut_z1.ptu", {"ImgHdr_BiDirect": 1, "ImgHdr_SinCorrection": 50}),
    ("tttrlib_HH400_beads.ptu", {"ImgHdr_TimePerPixel": 0.8}),   # lines' ends cut off
    ("tttrlib_HH400_beads.ptu", {"ImgHdr_TimePerPixel": 1.3}),   # last columns empty
    ("tttrlib_HH400_beads.ptu", {"ImgHdr_BiDirect": 1}),
    ("tttrlib_HH400_beads.ptu", {"ImgHdr_BiDirect": 1, "ImgHdr_TimePerPixel": 0.8}),
])
def test_scan_layouts_match_ptufile(tmp_path, name, tags):
    _assert_same_as_ptufile(_copy(name, tmp_path / name, **tags))


@pytest.mark.parametrize("bidirectional", [0, 1])
def test_a_sinusoidal_scan_with_lines_longer_than_its_line_time(tmp_path, bidirectional):
    """The beads' lines last 2.0 ms; at 0.8 ms per pixel ptufile's sine table covers 1.6 ms of
    each (the beads file has no ImgHdr_SinCorrection: an unused tag is renamed)."""
    path = _copy("tttrlib_HH400_beads.ptu", tmp_path / "sin.ptu",
                 rename=("ImgHdr_LearningTime", "ImgHdr_SinCorrection"),
                 ImgHdr_SinCorrection=60, ImgHdr_TimePerPixel=0.8, ImgHdr_BiDirect=bidirectional)
    with ptufile.PtuFile(path) as ptu:
        assert ptu.is_sinusoidal and ptu.global_line_time == 50 * 32_000
    _assert_same_as_ptufile(path)


def test_columns_past_the_last_are_dropped(tmp_path):
    """Without ImgHdr_TimePerPixel the line time is the lines' mean duration (126,464 sync
    periods in hazelnut_z10) and the pixel time that over PixX, rounded: at 1,992 pixels
    (63 periods each) the last 968 periods of a line fall past the last column."""
    markers = _markers("hazelnut_z10.ptu")
    path = _copy("hazelnut_z10.ptu", tmp_path / "wide.ptu", slice(None, markers[40]),
                 ImgHdr_PixX=1992, ImgHdr_PixY=20)       # the first 20 lines
    with ptufile.PtuFile(path) as ptu:
        assert (ptu.global_line_time, ptu.global_pixel_time) == (126_464, 63)
    (p,) = _assert_same_as_ptufile(path)
    assert p.shape == (20, 1992)


def test_lines_without_stop_markers_are_refused(tmp_path):
    """Without line stops ptufile measures each line up to its next marker: not supported."""
    with ptufile.PtuFile(DATA / "hazelnut_z1.ptu") as ptu:
        rec = ptu.decode_records()
    path = _copy("hazelnut_z1.ptu", tmp_path / "nostop.ptu", rec["marker"] != 2)
    with pytest.raises(InputError, match=r"nostop\.ptu: lines have no duration"):
        read_t3_photons(path, 0)


@pytest.mark.parametrize("name", ["tttrlib_HH400_beads.ptu", POINT])
def test_channels_are_numbered_from_the_first_with_photons(tmp_path, name):
    """Without its detector-0 photons a file has one channel, index 0: detector 1's."""
    with ptufile.PtuFile(DATA / name) as ptu:
        rec = ptu.decode_records()
    path = _copy(name, tmp_path / name, rec["channel"] != 0)
    only = read_t3_photons(path, 0)
    with pytest.raises(InputError, match="has 1 channel "):
        read_t3_photons(path, 1)
    assert only.pixel.size == read_t3_photons(DATA / name, 1).pixel.size > 0
    if name == POINT:
        with ptufile.PtuFile(path) as ptu:
            assert np.array_equal(_histograms(only)[0, 0], ptu.decode_histogram(dtime=0)[0])
    else:
        _assert_same_as_ptufile(path)


def test_a_t2_recording_is_refused():
    with pytest.raises(InputError, match=r"pqsample_hydraharp_v20_t2\.ptu is a T2 recording"):
        read_t3_photons(DATA / "pqsample_hydraharp_v20_t2.ptu", 0)


@pytest.mark.parametrize("name, channel", [("hazelnut_z1.ptu", 1), ("hazelnut_z1.ptu", -1),
                                           ("tttrlib_HH400_beads.ptu", 2), (POINT, 2)])
def test_a_channel_out_of_range_is_refused(name, channel):
    with pytest.raises(InputError, match=rf"{name} has \d channels? \(0-\d\), not channel "):
        read_t3_photons(DATA / name, channel)


def test_other_files_are_refused_naming_them():
    with pytest.raises(InputError, match=r"hazelnut_z1\.ptu: channel must be an integer"):
        read_t3_photons(DATA / "hazelnut_z1.ptu", 0.5)
    with pytest.raises(InputError, match=r"cannot read pqsample_hydraharp_v20\.ht3"):
        read_t3_photons(DATA / "pqsample_hydraharp_v20.ht3", 0)
    with pytest.raises(InputError, match="does not exist"):
        read_t3_photons(DATA / "absent.ptu", 0)
