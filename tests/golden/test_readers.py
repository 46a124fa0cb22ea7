import numpy as np
import pytest
import tifffile
from formats import WRITERS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from golden.datasets import Instrument
from golden.validate import InputError
from golden.readers import Recording, input_arguments, read_for_model, read_input


@pytest.fixture
def counts(rng):
    return rng.poisson(3, (3, 4, 140))


@pytest.mark.parametrize("suffix", WRITERS)
def test_each_format_reads_back_exactly(tmp_path, counts, suffix):
    path = tmp_path / f"in{suffix}"
    WRITERS[suffix](path, counts, 0.045)
    rec = read_input(str(path), bin_width_ns=0.045)
    assert rec.counts.dtype == np.int64 and np.array_equal(rec.counts, counts)
    assert rec.layout.bin_width_ns == pytest.approx(0.045, rel=1e-6) and rec.tau_m is None
    assert rec.layout.bins == 140 and rec.layout.valid == (0, 140)


def test_files_state_their_own_bin_width(tmp_path, counts):
    for suffix in (".sdt", ".ptu"):
        WRITERS[suffix](tmp_path / f"in{suffix}", counts, 0.03)
        rec = read_input(str(tmp_path / f"in{suffix}"), bin_width_ns=0.09)
        assert rec.layout.bin_width_ns == pytest.approx(0.03, rel=1e-6)


def test_tiff_time_axis(tmp_path, counts):
    tifffile.imwrite(tmp_path / "t.tif", np.moveaxis(counts, -1, 0).astype(np.uint16))
    rec = read_input(str(tmp_path / "t.tif"), bin_width_ns=0.09, time_axis=0)
    assert np.array_equal(rec.counts, counts)
    with pytest.raises(InputError, match="--time-axis 3 is not an axis"):
        read_input(str(tmp_path / "t.tif"), bin_width_ns=0.09, time_axis=3)


def test_phantom_has_ground_truth():
    rec = read_input("phantom", size=8)
    assert rec.counts.shape == (8, 8, 135) and rec.tau_m.shape == (8, 8)
    assert rec.layout.bin_width_ns == 0.09 and rec.layout.laser_period_ns == 12.5
    assert 0.3 < np.nanmin(rec.tau_m) < np.nanmax(rec.tau_m) < 3


def test_laser_rate_from_the_file_or_the_user(tmp_path, counts):
    WRITERS[".ptu"](tmp_path / "in.ptu", counts, 0.05)        # laser period = its window
    assert read_input(str(tmp_path / "in.ptu"), laser_mhz=80).layout.laser_period_ns == \
        pytest.approx(140 * 0.05)
    WRITERS[".sdt"](tmp_path / "in.sdt", counts, 0.05)        # .sdt headers do not state it
    assert read_input(str(tmp_path / "in.sdt")).layout.laser_period_ns is None
    assert read_input(str(tmp_path / "in.sdt"), laser_mhz=80).layout.laser_period_ns == 12.5


def test_tac_cut_bins_lie_outside_the_data(tmp_path, counts):
    counts[..., :5] = 0
    counts[..., -7:] = 0
    WRITERS[".sdt"](tmp_path / "in.sdt", counts, 0.05)
    assert read_input(str(tmp_path / "in.sdt")).layout.valid == (5, 133)


def test_read_for_model_puts_a_file_on_the_models_axis(tmp_path, rng, capsys):
    """A file of 0.045-ns bins maps to 135 bins of 0.09 ns, every photon kept."""
    from golden.physics import IRF, Acquisition, simulate_counts
    acq = Acquisition(bins=270, bin_width_ns=0.045)
    decays = simulate_counts(np.full(12, 2.0), 2.0, 1.0, 2000, acq=acq, irf=IRF(), rng=rng)
    WRITERS[".sdt"](tmp_path / "in.sdt", decays.reshape(3, 4, 270), 0.045)
    prepared = read_for_model(input_arguments(tmp_path / "in.sdt"), Instrument())
    assert prepared.counts.shape == (3, 4, 135) and prepared.shift_ns == 0
    assert prepared.codes is None
    assert np.array_equal(prepared.counts.sum(axis=-1), decays.sum(axis=-1).reshape(3, 4))
    assert "270 bins of 0.045 ns (data in bins 0-269) resampled to 135 of 0.09 ns" in \
        prepared.notes[0]
    assert capsys.readouterr().out.startswith("note: 270 bins of 0.045 ns")


def test_a_t3_image_is_binned_photon_by_photon(tmp_path, rng):
    """A PicoQuant T3 image of 0.045-ns bins: each photon's TDC code on the event input lies
    in its own bin of the file (shifted by nothing); the model's histograms are those codes'
    bins, counted per pixel, and hold every photon the table keeps; the file's own counts and
    phasors stay on its axis."""
    from golden.events import MICRO_BITS, bin_table, code_bins, tdc_lsb_ns
    from golden.physics import IRF, Acquisition, simulate_counts
    acq = Acquisition(bins=270, bin_width_ns=0.045)
    decays = simulate_counts(np.full(12, 2.0), 2.0, 1.0, 2000, acq=acq, irf=IRF(), rng=rng)
    WRITERS[".ptu"](tmp_path / "in.ptu", decays.reshape(3, 4, 270), 0.045)
    prepared = read_for_model(input_arguments(tmp_path / "in.ptu"), Instrument())
    photons = prepared.recording.photons
    assert prepared.shift_ns == 0 and photons.shape == (3, 4)
    assert np.array_equal(np.bincount(photons.pixel, minlength=12), decays.sum(axis=-1))
    model = Instrument().acq
    lsb = tdc_lsb_ns(model.period_ns)
    codes = prepared.codes
    assert codes.shape == photons.dtime.shape and codes.min() >= 0
    start = photons.dtime * photons.bin_width_ns          # each photon's bin in the file
    assert np.all((start - lsb < codes * lsb) & (codes * lsb < start + photons.bin_width_ns))
    bins = code_bins(codes, bin_table(model, tdc_lsb_ns=lsb, micro_bits=MICRO_BITS))
    want = np.zeros((12, 135), np.int64)
    np.add.at(want, (photons.pixel[bins >= 0], bins[bins >= 0]), 1)
    assert np.array_equal(prepared.counts.reshape(12, 135), want)
    assert (bins < 0).sum() < 0.01 * bins.size
    assert "photons binned one by one into 135 bins of 0.09 ns through 4 ps TDC codes" in \
        prepared.notes[0]


def _npy(array):
    return lambda path: np.save(path, array)


@pytest.mark.parametrize("name, make, message", [
    ("a.npy", _npy(np.ones((2, 2, 9), complex)),
     "a.npy: counts must be numeric, not dtype complex128"),
    ("a.npy", _npy(np.ones((4, 9))), "a.npy: counts must have shape (H, W, T), not (4, 9)"),
    ("a.npy", _npy(np.full((2, 2, 9), np.nan)), "a.npy: counts contain 36 NaN values"),
    ("a.npy", _npy(-np.ones((2, 2, 9))), "a.npy: counts contain 36 negative values"),
    ("a.npy", _npy(np.ones((0, 2, 9))), "a.npy: counts are empty (shape (0, 2, 9))"),
    ("a.npy", _npy(np.ones((2, 2, 9), object)), "cannot read a.npy: "),
    ("a.csv", lambda p: p.write_text("1"), "unknown input type '.csv': expected 'phantom' or "
                                           "one of .sdt, .ptu, .tif, .tiff, .npy"),
    ("a.ht3", lambda p: p.write_text("1"), "unknown input type '.ht3': expected 'phantom' or "
                                           "one of .sdt, .ptu, .tif, .tiff, .npy (.ht3 is an "
                                           "older PicoQuant format: save the measurement as "
                                           ".ptu)"),
])
def test_bad_arrays_and_names(tmp_path, name, make, message):
    make(tmp_path / name)
    with pytest.raises(InputError) as info:
        read_input(str(tmp_path / name), bin_width_ns=0.09)
    assert str(info.value).startswith(message)


def test_missing_file_and_missing_bin_width(tmp_path, counts):
    with pytest.raises(InputError, match="input .*nothere.sdt does not exist"):
        read_input(str(tmp_path / "nothere.sdt"))
    WRITERS[".tif"](tmp_path / "a.tif", counts)
    with pytest.raises(InputError, match="a.tif does not state its bin width: pass "
                                         "--bin-width-ns"):
        read_input(str(tmp_path / "a.tif"))


@pytest.mark.parametrize("suffix", WRITERS)
@pytest.mark.parametrize("damage", ["truncate", "garble"])
def test_damaged_files_become_input_errors(tmp_path, counts, suffix, damage):
    path = tmp_path / f"in{suffix}"
    WRITERS[suffix](path, counts, 0.09)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[:len(data) // 3]
    else:
        data[:64] = bytes(range(64))
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=f"in{suffix}"):
        read_input(str(path), bin_width_ns=0.09)


@st.composite
def mutations(draw, size):
    """Byte replacements and an optional truncation of a ``size``-byte file."""
    edits = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, 255)),
                          min_size=1, max_size=8))
    cut = draw(st.one_of(st.none(), st.integers(0, size)))
    return edits, cut


@pytest.mark.parametrize("suffix", WRITERS)
def test_fuzzed_files_give_input_error_or_counts(tmp_path_factory, suffix):
    """200 mutated files per format: a one-line InputError or valid counts, nothing else."""
    path = tmp_path_factory.mktemp("fuzz") / f"f{suffix}"
    WRITERS[suffix](path, np.random.default_rng(1).poisson(2, (2, 3, 16)), 0.09)
    valid = path.read_bytes()

    @settings(max_examples=200, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(mutations(len(valid)))
    def check(mutation):
        edits, cut = mutation
        data = bytearray(valid)
        for at, value in edits:
            data[at] = value
        path.write_bytes(bytes(data[:cut]))
        try:
            rec = read_input(str(path), bin_width_ns=0.09)
        except InputError as err:
            assert "\n" not in str(err)
        else:
            assert isinstance(rec, Recording) and rec.counts.dtype == np.int64
            assert rec.counts.ndim == 3 and rec.counts.min() >= 0

    check()


def test_bins_past_the_counters_are_scaled_down_with_a_note(tmp_path, capsys):
    """Two 0.045-ns bins of 40,000 photons make one 0.09-ns bin of 80,000: past the core's
    16-bit counters, so the pixel is halved (its decay's shape kept)."""
    from golden.physics import IRF, Acquisition, expected_tpsf
    acq = Acquisition(bins=270, bin_width_ns=0.045)
    shape = expected_tpsf(2.0, 2.0, 1.0, acq=acq, irf=IRF())[0]
    decay = np.round(shape / shape.max() * 40000).astype(np.int64)
    np.save(tmp_path / "bright.npy", np.stack([decay, decay // 8]).reshape(1, 2, 270))
    _, mapped, _, notes, *_ = read_for_model(input_arguments(tmp_path / "bright.npy", "--bin-width-ns",
                                                  "0.045"), Instrument())
    assert notes[-1] == "1 pixels scaled down by up to 2^1 to fit the 65,536-count counters"
    assert np.array_equal(mapped[0, 0], decay.reshape(135, 2).sum(-1) >> 1)
    assert np.array_equal(mapped[0, 1], (decay // 8).reshape(135, 2).sum(-1))
