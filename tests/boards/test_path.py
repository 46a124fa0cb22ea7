"""The photon path's discrete-event model against the board top in RTL simulation."""
import numpy as np
import pytest

from boards.cli_pins import compare, small_case
from boards.path import instrument_events, measure_path, measure_pins_path, \
    records_not_matching, simulate_path, simulate_pins_path
from golden.events import histogram_events
from golden.export import golden_counts
from golden.intref import run_counts
from boards.photons import PhotonPath
from boards.protocol import COUNTER_NAMES
from golden.pipeline import load_default
from rtl.config import CoreConfig

SCENE = dict(lifetimes_ns=(0.3, 1.0), stripes=(0, 1, 1, 0), lines=2, rate=120, records=4,
             tally=16)


@pytest.fixture(scope="module")
def small_top():
    """T = 12, two slots of two lanes, a 4 x 2 scene at 40 slots a pixel, 4 clocks per UART
    bit (the core is the bottleneck), measured over 16 records in Amaranth's simulator."""
    config, path = CoreConfig(rows=32, batch=2, slots=2), PhotonPath(dwell=40, **SCENE)
    case = dict(bins=12, divisor=4, pixels=16)
    return config, path, case, measure_path(load_default(), config, path, **case)


def test_the_model_predicts_the_board_top_within_2_percent(small_top):
    """The records are the scene's pixels in order; the model's rate and latency within 2 %."""
    config, path, case, rtl = small_top
    des = simulate_path(config, path, **case)
    assert [tag for tag, *_ in rtl["records"]] == list(range(8)) * 2
    assert des["cycles_per_pixel"] == pytest.approx(rtl["cycles_per_pixel"], rel=0.02)
    assert des["latency"] == pytest.approx(rtl["latency"], rel=0.02)


def test_verilator_measures_the_board_top_as_amaranth_does(small_top, tmp_path):
    """The same top converted to Verilog under Verilator (the full-size measurement's
    simulator): the same records, in order, with their photons; rate and latency within 0.5 %
    (Amaranth's are counted in UART byte times, Verilator's to the cycle)."""
    config, path, case, rtl = small_top
    fast = measure_path(load_default(), config, path, **case, verilator=tmp_path)
    assert fast["records"][:len(rtl["records"])] == rtl["records"]
    assert fast["cycles_per_pixel"] == pytest.approx(rtl["cycles_per_pixel"], rel=0.005)
    assert fast["latency"] == pytest.approx(rtl["latency"], rel=0.005)


@pytest.mark.parametrize("dwell, divisor, bound", [
    (4000, 4, "source"), (40, 40, "link")])
def test_the_bottleneck_sets_the_rate(dwell, divisor, bound):
    """A long dwell makes the source the bottleneck (a pixel per dwell + 1 clocks, and a LINE
    marker per line); a slow UART the link (full RESULTS frames, byte by byte)."""
    config, path = CoreConfig(rows=32, batch=2, slots=2), PhotonPath(dwell=dwell, **SCENE)
    des = simulate_path(config, path, bins=20, divisor=divisor, pixels=48)
    core = simulate_path(config, PhotonPath(dwell=40, **SCENE), bins=20, divisor=4,
                         pixels=48)["cycles_per_pixel"]
    if bound == "source":
        expected = (dwell + 1) + 1 / len(SCENE["stripes"])
    else:
        expected = (9 / SCENE["records"] + 14) * 10 * divisor
    assert des["cycles_per_pixel"] > core
    assert des["cycles_per_pixel"] == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize("queue, photons, gap", [(1024, 20, 0), (32, 40, 12000)])
def test_the_model_predicts_the_pins_path_and_its_losses(queue, photons, gap):
    """An instrument scanning two 4 x 2 frames on the event pins, a toggle every 3 clocks, in
    RTL simulation of the board top: with a queue that never fills, every pixel arrives in
    order and none is lost; with a 32-event queue, the first pixels of each frame overflow it.
    Either way the model loses exactly the events the board's counter counts, predicts the
    records that arrive, and its rate within 2 %."""
    found = compare(load_default(), queue, photons, gap, frames=2)
    rtl, des = found["rtl"], found["des"]
    assert rtl["lost"] == des["lost"] and (rtl["lost"] > 50) == (queue == 32)
    assert rtl["records"] == des["records"] and (rtl["records"] == 16) == (queue == 1024)
    assert des["cycles_per_pixel"] == pytest.approx(rtl["cycles_per_pixel"], rel=0.02)


def test_verilator_drives_the_event_pins(tmp_path):
    """The pins case with a queue that never fills, under Verilator (the full-size
    measurement's simulator): every pixel's record, in order, is the events' own histogram
    through the integer reference, with its photons; the board's counters, asked over the
    link afterwards, are all zero; the model's rate within 2 %."""
    q = load_default()
    config, path, events, measure = small_case(q, 1024, 20, 0, frames=2)
    fast = measure_pins_path(q, config, path, events, **measure, verilator=tmp_path)
    _, kinds, micro = zip(*events)
    reference = histogram_events(kinds, micro, path.bin_table(q, measure["bins"]),
                                 measure["bins"])["pixels"]
    assert len(fast["records"]) == measure["pixels"] == len(reference)
    assert records_not_matching(q, fast["records"], reference) == 0
    assert fast["counters"] == dict.fromkeys(COUNTER_NAMES, 0)
    des = simulate_pins_path(config, path, [(c, k) for c, k, _ in events],
                             bins=measure["bins"], divisor=measure["divisor"],
                             pixels=measure["pixels"])
    assert des["cycles_per_pixel"] == pytest.approx(fast["cycles_per_pixel"], rel=0.02)


def test_a_frames_flush_token_starts_its_last_batch():
    """One frame of five pixels on a one-slot core of two lanes, the model told to expect more
    pixels: the frame's FRAME marker (its flush token) starts the last batch, partly filled,
    as it does on the board, so all five records arrive, none lost."""
    q = load_default()
    path = PhotonPath(**SCENE)
    codes = [c for c, b in enumerate(path.bin_table(q, 12)) if b is not None]
    events = instrument_events(codes, shape=(1, 5), frames=1, photons=10, apart=3, gap=0,
                               start=160, rng=np.random.default_rng(0))
    des = simulate_pins_path(CoreConfig(rows=32, batch=2, slots=1), path,
                             [(c, k) for c, k, _ in events], bins=12, divisor=4, pixels=8)
    assert (des["records"], des["lost"]) == (5, 0)


def test_records_are_checked_by_tag_photons_and_result():
    """Records made from the reference itself all match; a wrong tag, a photon too many and
    a changed lifetime are each one record that does not."""
    q = load_default()
    counts = golden_counts(4, 135, seed=2)
    reference = list(enumerate(counts))
    want = run_counts(q, counts)
    keys = ("tau_q", "fraction_q", "tau_defined", "fraction_defined", "valid")
    records = [(k, {key: want[key][k] for key in keys}, int(c.sum())) for k, c in reference]
    assert records_not_matching(q, records, reference) == 0
    changed = {**records[3][1], "tau_q": records[3][1]["tau_q"] + 1}
    records = [(9, *records[0][1:]), (1, records[1][1], records[1][2] + 1), records[2],
               (3, changed, records[3][2])]
    assert records_not_matching(q, records, reference) == 3
