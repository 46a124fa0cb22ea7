"""The histogrammer: photon events of random frames (flyback photons, photons outside the window,
a saturating bin) histogrammed exactly as :func:`golden.events.histogram_events` does, one
event per clock, with random stalls on its output; markers wait for the readout, nothing is
lost."""
import numpy as np
import pytest
from amaranth.sim import Simulator

from golden.events import EventKind, bin_table, histogram_events
from golden.fixed import FixedSpec
from golden.physics import Acquisition
from rtl.histogrammer import Histogrammer

BINS = 20
ACQ = Acquisition(bins=BINS, bin_width_ns=0.5, period_ns=12.5)
TABLE = bin_table(ACQ, tdc_lsb_ns=0.05, micro_bits=8, start_ns=-1.0)


def frame_events(rng, lines, width, photons):
    """Kinds and micro-times of a frame: ``photons`` (mean) per pixel, a few flyback photons
    before each LINE marker."""
    kinds, micro = [], []
    for _ in range(lines):
        for _ in range(width):
            n = rng.poisson(photons)
            kinds += [EventKind.PHOTON] * n + [EventKind.PIXEL]
            micro += list(rng.integers(0, 256, n)) + [0]
        n = rng.poisson(3)
        kinds += [EventKind.PHOTON] * n + [EventKind.LINE]
        micro += list(rng.integers(0, 256, n)) + [0]
    return kinds[:-1] + [EventKind.FRAME], micro


def run(dut, kinds, micro, rng, stall):
    beats, clock, got, taken = [], [0], {}, []

    async def producer(ctx):
        for kind, code in zip(kinds, micro):
            ctx.set(dut.events.payload, {"kind": int(kind), "micro": int(code)})
            ctx.set(dut.events.valid, 1)
            await ctx.tick().until(dut.events.ready)
            taken.append(clock[0])
        ctx.set(dut.events.valid, 0)

    async def consumer(ctx):
        frames = sum(k == EventKind.FRAME for k in kinds)
        while sum(b[3] for b in beats) < frames:
            ready = bool(rng.random() >= stall)
            ctx.set(dut.out.ready, ready)
            _, _, valid, p = await ctx.tick().sample(dut.out.valid, dut.out.payload)
            clock[0] += 1
            if valid and ready:
                beats.append((p.tag, p.count, p.last, p.flush))
        got["outside"], got["saturated"] = ctx.get(dut.outside), ctx.get(dut.saturated)

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(producer)
    sim.add_testbench(consumer)
    sim.run()
    pixels, frames, counts = [], [], []
    for tag, count, last, flush in beats:
        if flush:
            frames.append(len(pixels))
            continue
        counts.append(count)
        if last:
            pixels.append((tag, counts))
            counts = []
    return {"pixels": pixels, "frames": frames, "outside": got["outside"],
            "saturated": got["saturated"]}, taken


def as_lists(result):
    return {**result, "pixels": [(t, list(map(int, c))) for t, c in result["pixels"]]}


@pytest.mark.parametrize("stall", [0.0, 0.3])
def test_frames_are_histogrammed_like_the_reference(rng, stall):
    """Two frames of 3 x 4 pixels, 30 photons a pixel on average."""
    events = [frame_events(rng, 3, 4, 30) for _ in range(2)]
    kinds = [k for e in events for k in e[0]]
    micro = [c for e in events for c in e[1]]
    dut = Histogrammer(table=TABLE, bins=BINS, spec=FixedSpec())
    got, _ = run(dut, kinds, micro, rng, stall)
    want = histogram_events(kinds, micro, TABLE, BINS)
    assert want["outside"] > 0 and len(want["pixels"]) == 24 and want["frames"] == [12, 24]
    assert as_lists(got) == as_lists(want)


def test_a_full_counter_saturates_and_counts(rng):
    """4-bit counters: 40 photons in one bin, one a clock, hold it at 15 and count 25
    saturated."""
    code = TABLE.index(7)
    kinds = [EventKind.PHOTON] * 40 + [EventKind.PIXEL, EventKind.FRAME]
    micro = [code] * 40 + [0, 0]
    dut = Histogrammer(table=TABLE, bins=BINS, spec=FixedSpec(count_bits=4))
    got, taken = run(dut, kinds, micro, rng, 0.0)
    want = histogram_events(kinds, micro, TABLE, BINS, count_bits=4)
    assert want["saturated"] == 25 and want["pixels"][0][1][7] == 15
    assert taken[40] - taken[0] == 40       # the photons and the PIXEL marker, a clock each
    assert as_lists(got) == as_lists(want)


def test_photons_crowded_into_two_bins_count_right(rng):
    """Photons of two bins in random order, one a clock: each reads the count a photon one or
    two clocks ahead of it has just made (forwarded, or through the transparent read port)."""
    codes = [TABLE.index(3), TABLE.index(4)]
    kinds, micro = [], []
    for _ in range(6):
        n = int(rng.integers(1, 40))
        kinds += [EventKind.PHOTON] * n + [EventKind.PIXEL]
        micro += [codes[b] for b in rng.integers(0, 2, n)] + [0]
    kinds[-1] = EventKind.FRAME
    dut = Histogrammer(table=TABLE, bins=BINS, spec=FixedSpec())
    got, _ = run(dut, kinds, micro, rng, 0.0)
    assert as_lists(got) == as_lists(histogram_events(kinds, micro, TABLE, BINS))


def test_the_table_must_suit_the_histogram():
    with pytest.raises(ValueError, match="power-of-two length of at least 2, not 3"):
        Histogrammer(table=[0, 1, 2], bins=BINS, spec=FixedSpec())
    with pytest.raises(ValueError, match=r"every bin of the table must be in 0 \.\. 19"):
        Histogrammer(table=[0, 20], bins=BINS, spec=FixedSpec())


def test_photons_to_lifetimes_bit_exact_with_tags(rng):
    """Events of a 2 x 3 frame, 1,500 photons a pixel drawn from decays, through the
    histogrammer into a core of two lanes and one slot (the frame's last, odd pixel starts at
    the flush token): every result equals the integer reference of the pixel's reference
    histogram, under its tag."""
    from amaranth import Module
    from amaranth.lib import wiring

    from golden.export import golden_counts
    from golden.pipeline import load_default
    from rtl.config import CoreConfig
    from rtl.multipixel import MultiPixelCore
    from sim.rtl_backend import by_tag, result_record, stream_through
    from sim.run import expected_records

    q = load_default()
    shapes = golden_counts(9, BINS, seed=7)[3:].astype(float)      # decays on the model's T
    inside = [code for code, b in enumerate(TABLE) if b is not None]
    by_bin = {b: [c for c in inside if TABLE[c] == b] for b in range(BINS)}
    kinds, micro = [], []
    for k, shape in enumerate(shapes):
        bins = rng.choice(BINS, size=1500, p=shape / shape.sum())
        kinds += [EventKind.PHOTON] * len(bins) + [EventKind.PIXEL]
        micro += [int(rng.choice(by_bin[b])) for b in bins] + [0]
        if k % 3 == 2:
            kinds.append(EventKind.LINE if k < 5 else EventKind.FRAME)
            micro.append(0)
    want = histogram_events(kinds, micro, TABLE, BINS)
    m = Module()
    m.submodules.hist = hist = Histogrammer(table=TABLE, bins=BINS, spec=q.spec)
    m.submodules.core = core = MultiPixelCore(qmodel=q, bins=BINS,
                                              config=CoreConfig(rows=32, batch=2, slots=1))
    wiring.connect(m, hist.out, core.inp)
    events = [{"kind": int(k), "micro": int(c)} for k, c in zip(kinds, micro)]
    timed = stream_through(m, hist.events, events, core.out, len(want["pixels"]), rng=rng,
                           put=lambda ctx, e: ctx.set(hist.events.payload, e), stall=0.3,
                           take=lambda ctx, p: result_record(p))
    got = by_tag([record for _, record in timed])
    counts = np.array([c for _, c in want["pixels"]])
    assert sorted(got) == list(range(6))
    assert [got[tag] for tag, _ in want["pixels"]] == expected_records(q, counts)
