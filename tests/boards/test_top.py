import re

import numpy as np
import pytest

from boards.host import Host, LinkError
from boards.photons import PhotonPath
from boards.protocol import Source, Status
from boards.simulation import CLOCK_PERIOD, SimulatedPort
from boards.top import LinkTop
from golden.datasets import Instrument
from golden.events import histogram_events, image_events
from golden.intref import run_counts
from golden.pipeline import load_default
from golden.readers import input_arguments, read_for_model
from rtl.config import CoreConfig
from rtl.multipixel import MultiPixelCore
from fakes import drive_event_pins
from recordings import DATA, needs_data

#: A small scene for simulation: two lifetimes in three columns, two lines, 40 slots a pixel.
SCENE = PhotonPath(lifetimes_ns=(0.3, 1.0), stripes=(0, 1, 1), lines=2, dwell=40, rate=120,
                   records=4, tally=16)


@pytest.mark.parametrize("kwargs, message", [
    ({"clk_freq": 0}, "clk_freq must be a positive number, not 0"),
    ({"baud": "fast"}, "baud must be a positive number, not 'fast'"),
    ({"baud": 1.4e6}, "clk_freq / baud must be at least 4, not 2.85714"),
    ({"baud": 1.1e6}, "baud 1.1e+06 is 9.1% off the nearest rate clk_freq / 4; "
                      "the UART needs 2%"),
    ({"timeout_bytes": 1}, "timeout_bytes must be an integer of at least 2, not 1"),
    ({"photons": "onchip"}, "photons must be a PhotonPath or None, not 'onchip'"),
])
def test_arguments_are_checked(kwargs, message):
    args = {"core": MultiPixelCore(qmodel=load_default(), bins=135,
                                   config=CoreConfig(rows=32, slots=1)),
            "clk_freq": 4e6, "baud": 1e6, **kwargs}
    with pytest.raises((ValueError, TypeError), match=f"^{re.escape(message)}$"):
        LinkTop(**args)


def test_onchip_photons_to_result_records_bit_exact():
    """The photon path through the UART pins (T = 20, two slots of two lanes): PING, SOURCE
    ONCHIP, then the board's own RESULTS records for two frames of the on-chip scene. Each is
    the integer reference of the reference histogrammer's pixel of the reference source's
    events, with its tag and its photons; COUNTERS reports the photons outside the window and
    no dropped pixel; SOURCE of an input the board lacks is refused."""
    qmodel, bins = load_default(), 20
    _, _, host = small_board(qmodel, bins)
    assert host.ping()["lanes"] == 4
    with pytest.raises(LinkError, match="^the board has no input 4: build it with a photon path"):
        host.source(4)
    host.source(Source.ONCHIP)
    ref = SCENE.reference(qmodel, bins, frames=2)
    got = records(host, len(ref["pixels"]))
    assert ref["frames"] == [6, 12] and len(got) == 12
    assert_records_are_the_reference(got, ref, qmodel)
    counters = host.counters(tag=5)
    assert counters["outside"] >= ref["outside"] > 0
    assert counters["saturated"] == counters["dropped"] == counters["lost"] == 0
    assert [error.code for error in host.errors] == [Status.NO_SOURCE]


def test_divisor_and_timeout_from_clock_and_baud():
    """12 MHz / 115200 baud -> 104 clocks per bit (0.2 % fast); 64 byte times of timeout."""
    core = MultiPixelCore(qmodel=load_default(), bins=135, config=CoreConfig(rows=32, slots=1))
    top = LinkTop(core=core, clk_freq=12e6, baud=115200)
    assert (top.divisor, top.receiver.timeout) == (104, 64 * 10 * 104)


def image_of_photons(rng, qmodel, bins):
    """Events of a 3 x 2 image's photons (numpy's, some outside the window) in scan order, and
    what the reference histogrammer makes of them."""
    table = SCENE.bin_table(qmodel, bins)
    inside = [code for code, b in enumerate(table) if b is not None]
    photons = 150
    pixel = rng.integers(0, 6, photons)
    codes = np.where(rng.random(photons) < 0.9, rng.choice(inside, photons),
                     rng.integers(0, len(table), photons))
    kinds, micro = image_events(pixel, codes, (2, 3))
    return kinds, micro, histogram_events(kinds, micro, table, bins,
                                          count_bits=qmodel.spec.count_bits)


def assert_records_are_the_reference(got, ref, qmodel):
    """Each record is the integer reference of the reference's pixel, with its tag and photons."""
    want = run_counts(qmodel, np.array([counts for _, counts in ref["pixels"]]))
    assert len(got) == len(ref["pixels"])
    for k, ((tag, result, photons), (want_tag, counts)) in enumerate(zip(got, ref["pixels"])):
        assert (tag, photons) == (want_tag, counts.sum())
        for key, value in result.items():
            assert np.array_equal(value, want[key][k]), (k, key)


def small_board(qmodel, bins):
    """The board top at T = ``bins`` (two slots of two lanes) and a host on its UART pins."""
    core = MultiPixelCore(qmodel=qmodel, bins=bins, config=CoreConfig(rows=32, batch=2, slots=2))
    top = LinkTop(core=core, clk_freq=4e6, baud=1e6, timeout_bytes=4, photons=SCENE)
    port = SimulatedPort(top, timeout=4 * (400 * bins + 600))
    return top, port, Host(port, bins=bins)


def records(host, count, got=()):
    """``got`` and the board's records until there are ``count``."""
    got = list(got)
    for batch in host.records():
        got += batch
        if len(got) >= count:
            return got


def test_replayed_events_to_result_records_bit_exact(rng):
    """Photon events from the host (T = 20): SOURCE EVENTS, then EVENTS frames of a 3 x 2
    image's photons in scan order, through the UART pins. Every record is the integer reference
    of the reference histogrammer's pixel of the same events, with its tag and its photons; the
    photons outside the window are counted."""
    qmodel, bins = load_default(), 20
    _, _, host = small_board(qmodel, bins)
    host.ping()
    kinds, micro, ref = image_of_photons(rng, qmodel, bins)
    got = records(host, 6, [r for batch in host.replay(kinds, micro, window=3) for r in batch])
    assert ref["outside"] > 0
    assert_records_are_the_reference(got, ref, qmodel)
    assert host.counters()["outside"] == ref["outside"]
    assert host.errors == []


def test_events_on_the_pins_to_result_records_bit_exact(rng):
    """Photon events on the event pins (T = 20): SOURCE PINS, then a 3 x 2 image's events
    driven at random phases of the clock (:func:`fakes.drive_event_pins`). Every record is the
    reference's, no event is lost, and the events offered before SOURCE PINS are not taken."""
    qmodel, bins = load_default(), 20
    top, port, host = small_board(qmodel, bins)
    kinds, micro, ref = image_of_photons(rng, qmodel, bins)
    start = []

    async def pins(ctx):
        await drive_event_pins(ctx, top.pins, [(0, 0)] * 3, rng, period=CLOCK_PERIOD)
        while not start:
            await ctx.tick()
        await drive_event_pins(ctx, top.pins, zip(kinds, micro), rng, period=CLOCK_PERIOD)

    port.sim.add_testbench(pins, background=True)
    host.ping()
    host.source(Source.PINS)
    start.append(True)
    got = records(host, 6)
    assert_records_are_the_reference(got, ref, qmodel)
    counters = host.counters()
    assert (counters["outside"], counters["lost"]) == (ref["outside"], 0)
    assert host.errors == []


@needs_data
def test_a_real_ptu_replayed_through_the_board_is_sim_runs_map():
    """A real PicoHarp T3 image (hazelnut_z10.ptu, 5 frames): its photons as ``sim run``
    prepares them (:func:`golden.readers.read_for_model`: each photon's TDC code on the event
    input), six of its pixels (2 x 3, the brightest corner of the crop) replayed through the
    board's UART pins at T = 20: every record is the integer reference of ``sim run``'s own
    histogram of that pixel (its first 20 bins), with its photons."""
    qmodel, bins = load_default(), 20
    prepared = read_for_model(input_arguments(DATA / "hazelnut_z10.ptu"), Instrument.of(qmodel))
    photons, codes = prepared.recording.photons, prepared.codes
    width = photons.shape[1]
    y0, x0 = np.unravel_index(np.argmax(prepared.counts[:-1, :-2].sum(axis=-1)),
                              (photons.shape[0] - 1, width - 2))
    y, x = np.divmod(photons.pixel, width)
    crop = (y >= y0) & (y < y0 + 2) & (x >= x0) & (x < x0 + 3)
    pixel = (y[crop] - y0) * 3 + (x[crop] - x0)
    kinds, micro = image_events(pixel, codes[crop], (2, 3))
    _, _, host = small_board(qmodel, bins)
    host.ping()
    got = records(host, 6, [r for batch in host.replay(kinds, micro) for r in batch])
    histograms = prepared.counts[y0:y0 + 2, x0:x0 + 3, :bins].reshape(6, bins)
    want = run_counts(qmodel, histograms)
    assert [tag for tag, *_ in got] == list(range(6)) and histograms.sum(axis=1).min() > 20
    for k, (tag, result, n) in enumerate(got):
        assert n == histograms[k].sum()
        for key, value in result.items():
            assert np.array_equal(value, want[key][k]), (k, key)
    assert host.errors == []
