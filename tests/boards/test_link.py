"""The protocol engine: receiver against the :class:`boards.protocol.Parser` model, transmitter
against the encoder, and the whole top level (UART pins, core) against the integer reference."""
import dataclasses

import numpy as np
import pytest
from amaranth.sim import Simulator

from boards import protocol
from boards.host import Host
from boards.link import FrameReceiver, FrameTransmitter
from boards.protocol import Command, Error, Frame, Parser, Status
from boards.simulation import CLOCK_PERIOD, SimulatedPort
from boards.top import LinkTop
from boards.uart import BITS_PER_BYTE
from golden.export import golden_counts
from golden.fixed import FixedSpec
from golden.intref import run_counts
from golden.pipeline import load_default
from rtl.config import CoreConfig
from rtl.multipixel import MultiPixelCore

RESULT_KEYS = ("tau_q", "fraction_q", "tau_defined", "fraction_defined", "valid")
SPACING = 3                     # cycles between bytes offered to the receiver


@pytest.fixture(scope="module")
def qmodel():
    return load_default()


def test_receiver_checks_its_arguments():
    with pytest.raises(ValueError, match=r"^bins must be a positive integer, not 0$"):
        FrameReceiver(bins=0, timeout=10, spec=FixedSpec())
    with pytest.raises(ValueError, match=r"^timeout must be a positive integer, not 2.5$"):
        FrameReceiver(bins=20, timeout=2.5, spec=FixedSpec())
    with pytest.raises(ValueError, match=r"^the frames carry 16-bit tags and 16-bit counts, not "
                                         r"12 and 16$"):
        FrameReceiver(bins=20, timeout=10, spec=FixedSpec(tag_bits=12))


def test_transmitter_checks_its_arguments(qmodel):
    with pytest.raises(ValueError, match=r"^bins must be a positive integer, not '20'$"):
        FrameTransmitter(bins="20", lanes=1, spec=qmodel.spec)
    with pytest.raises(ValueError, match=r"^lanes must be an integer in 1 .. 65535, not 0$"):
        FrameTransmitter(bins=20, lanes=0, spec=qmodel.spec)
    with pytest.raises(ValueError, match=r"^quotient_bits must be at most 16 for RESULT frames, "
                                         r"not 17$"):
        FrameTransmitter(bins=20, lanes=1, spec=dataclasses.replace(qmodel.spec, quotient_bits=17))


# ---- receiver: a script of bytes, idle gaps and framing errors, for the RTL and the model

def run_receiver(script, *, bins, timeout, ready_after=0, sources=1, final_source=None):
    """Returns ``(pixels, reports)``: ``[(tag, counts)]`` with ``"flush"`` for flush tokens and
    ``("events", words)`` for the words of EVENTS frames (each frame's run of words, in
    order), and ``[(code, tag)]`` (code ``"counters"`` for a COUNTER answer); the pixel and
    event streams are ready after ``ready_after`` cycles (never if None). ``final_source``: a
    list that gets the receiver's ``source`` at the end."""
    dut = FrameReceiver(bins=bins, timeout=timeout, spec=FixedSpec(), sources=sources)
    beats, reports = [], []

    async def producer(ctx):
        for kind, value in script:
            if kind == "bytes":
                for byte in value:
                    ctx.set(dut.inp.payload, byte)
                    ctx.set(dut.inp.valid, 1)
                    await ctx.tick().until(dut.inp.ready)
                    ctx.set(dut.inp.valid, 0)
                    await ctx.tick().repeat(SPACING)
            elif kind == "idle":
                await ctx.tick().repeat(timeout + SPACING)
            else:
                ctx.set(dut.lost, 1)
                await ctx.tick()
                ctx.set(dut.lost, 0)
                await ctx.tick().repeat(SPACING)
        await ctx.tick().repeat(4 * bins + (ready_after or 0))
        if final_source is not None:
            final_source.append(ctx.get(dut.source))

    async def pixel_consumer(ctx):
        if ready_after is None:
            return
        for _ in range(ready_after):
            await ctx.tick()
        ctx.set(dut.pixels.ready, 1)
        if sources > 1:
            ctx.set(dut.events.ready, 1)
        while True:
            _, _, valid, p = await ctx.tick().sample(dut.pixels.valid, dut.pixels.payload)
            if valid:
                beats.append((p.tag, p.count, p.last, p.flush))
            if sources > 1 and ctx.get(dut.events.valid):
                beats.append(("events", ctx.get(dut.events.payload)))

    async def status_consumer(ctx):
        ctx.set(dut.status.ready, 1)
        while True:
            _, _, valid, p = await ctx.tick().sample(dut.status.valid, dut.status.payload)
            if valid:
                reports.append(("counters" if sources > 1 and p.counters else p.code, p.tag))

    sim = Simulator(dut)
    sim.add_clock(CLOCK_PERIOD)
    sim.add_testbench(producer)
    sim.add_testbench(pixel_consumer, background=True)
    sim.add_testbench(status_consumer, background=True)
    sim.run()
    pixels, counts = [], []
    for beat in beats:
        if beat[0] == "events":
            if not pixels or pixels[-1][0] != "events":
                pixels.append(("events", []))
            pixels[-1][1].append(beat[1])
            continue
        tag, count, last, flush = beat
        if flush:
            pixels.append("flush")
            continue
        counts.append(count)
        if last:
            pixels.append((tag, counts))
            counts = []
    assert counts == [] and all(len(p[1]) == bins for p in pixels if p != "flush"
                                and p[0] != "events")
    return pixels, reports


def model(script, bins, sources=1):
    """What the receiver must do, from the :class:`Parser`: ``(pixels, reports, source)``;
    EVENTS frames taken in their sequence (from 0 at a SOURCE), the others answered with the
    number expected."""
    return run_model(script, bins, sources)[:3]


def run_model(script, bins, sources):
    """:func:`model`, and the EVENTS frame number expected next."""
    parser = Parser(lengths=protocol.board_commands(bins, sources=sources))
    pixels, reports, source, expected = [], [], 0, 0
    for kind, value in script:
        events = {"bytes": lambda: parser.feed(value), "idle": parser.idle,
                  "framing": parser.lost}[kind]()
        for event in events:
            if isinstance(event, Error):
                reports.append((event.code, event.tag))
            elif event.command == Command.PING:
                reports.append((Status.OK, event.tag))
            elif event.command == Command.FLUSH:
                pixels.append("flush")
            elif event.command == Command.COUNTERS:
                reports.append(("counters", event.tag))
            elif event.command == Command.SOURCE:
                known = event.payload[0] < sources
                reports.append((Status.OK if known else Status.NO_SOURCE, event.tag))
                source = event.payload[0] if known else source
                expected = 0 if known else expected
            elif event.command == Command.EVENTS:
                if source != protocol.Source.EVENTS:
                    reports.append((Status.NO_SOURCE, event.tag))
                    continue
                if event.tag != expected:
                    reports.append((Status.SEQUENCE, expected))
                    continue
                reports.append((Status.OK, event.tag))
                expected = (expected + 1) % 2 ** 16
                words = np.frombuffer(event.payload, "<u2").tolist()
                if pixels and pixels[-1][0] == "events":
                    pixels[-1][1].extend(words)
                else:
                    pixels.append(("events", words))
            else:
                pixels.append((event.tag, np.frombuffer(event.payload, "<u2").tolist()))
    return pixels, reports, source, expected


def random_script(rng, bins, pieces, sources=1):
    """Good HISTOGRAMs, PINGs and FLUSHes (and, with ``sources``, SOURCE and COUNTERS), frames
    with one corrupted byte, frames cut by an idle gap or a framing error, noise (sync bytes
    included), idle gaps and framing errors."""
    script = []

    def events():
        """An EVENTS frame, most often numbered as the receiver expects."""
        number = (run_model(script, bins, sources)[3] if rng.random() < 0.8
                  else int(rng.integers(0, 4)))
        size = int(rng.integers(1, bins + 1))
        return protocol.events(number, rng.integers(0, 4, size),
                               rng.integers(0, 2 ** protocol.EVENT_CODE_BITS, size))

    for _ in range(pieces):
        tag = int(rng.integers(0, 2 ** 16))
        kinds = [lambda: protocol.histogram(tag, rng.integers(0, 2 ** 16, bins)),
                 lambda: protocol.ping(tag), lambda: protocol.flush(tag),
                 lambda: protocol.source(int(rng.integers(0, sources + 1)) if rng.random() < 0.4
                                         else protocol.Source.EVENTS, tag),
                 lambda: protocol.counters(tag), events]
        p = [0.6, 0.2, 0.2, 0, 0, 0] if sources == 1 else [0.3, 0.1, 0.1, 0.1, 0.1, 0.3]
        frame = rng.choice(kinds, p=p)()
        kind = rng.choice(["good", "corrupt", "truncated", "noise", "idle", "framing"],
                          p=[0.45, 0.2, 0.1, 0.15, 0.05, 0.05])
        if kind == "corrupt":
            frame = bytearray(frame)
            frame[rng.integers(0, len(frame))] ^= int(rng.integers(1, 256))
            script.append(("bytes", bytes(frame)))
        elif kind == "truncated":
            script += [("bytes", frame[:rng.integers(1, len(frame))]),
                       (str(rng.choice(["idle", "framing"])), None)]
        elif kind == "noise":
            noise = rng.choice([0xA5, 0x5A, 0x01, 0x02, 0x00, 0xFF], rng.integers(1, 8))
            script.append(("bytes", bytes(noise.tolist())))
        elif kind in ("idle", "framing"):
            script.append((kind, None))
        else:
            script.append(("bytes", frame))
    return script


def test_receiver_matches_the_parser(rng):
    """200 random pieces: the RTL's pixels and status reports equal the model's, in order."""
    bins = 20
    script = random_script(rng, bins, 200) + [("idle", None)]
    got = run_receiver(script, bins=bins, timeout=30)
    *want, _ = model(script, bins)
    assert len(want[0]) > 50 and len({code for code, _ in want[1]}) == 7
    assert want[0].count("flush") > 10
    assert got == tuple(want)


def test_receiver_with_sources_matches_the_parser(rng):
    """A photon path's receiver (its inputs), 200 random pieces with SOURCE (of an input it
    has or not), COUNTERS and EVENTS frames (in sequence or not) among them: pixels, event
    words, reports and the chosen input as the model says; a board without sources calls them
    unknown commands."""
    bins, sources = 20, len(protocol.Source)
    script = random_script(rng, bins, 200, sources=sources) + [("idle", None)]
    final = []
    got = run_receiver(script, bins=bins, timeout=30, sources=sources, final_source=final)
    pixels, reports, source = model(script, bins, sources=sources)
    codes = {code for code, _ in reports}
    assert {Status.NO_SOURCE, Status.SEQUENCE, "counters", Status.OK} <= codes
    assert sum(len(p[1]) for p in pixels if p[0] == "events") > 50
    assert got == (pixels, reports) and final == [source]
    tagged = [("bytes", protocol.source(1, 4)), ("bytes", protocol.counters(5)),
              ("bytes", protocol.events(0, [0], [1]))]
    assert run_receiver(tagged, bins=bins, timeout=30)[1] == [
        (Status.UNKNOWN_COMMAND, 4), (Status.UNKNOWN_COMMAND, 5), (Status.UNKNOWN_COMMAND, 0)]


def test_receiver_reports_busy_when_both_buffers_are_full(rng):
    """With the core not taking pixels, the third good HISTOGRAM is refused as BUSY; a FLUSH
    never is."""
    script = [("bytes", protocol.histogram(tag, rng.integers(0, 2 ** 16, 20)))
              for tag in (1, 2, 3)] + [("bytes", protocol.flush(4))]
    assert run_receiver(script, bins=20, timeout=30, ready_after=None) == ([],
                                                                          [(Status.BUSY, 3)])


def test_a_flush_follows_the_histograms_before_it(rng):
    """Histograms and FLUSHes while the core takes nothing, then all of it: every token comes
    after the histograms accepted before its FLUSH, before those after it (the third HISTOGRAM
    finds both buffers full, and a FLUSH right after another merges with it)."""
    h = {tag: rng.integers(0, 2 ** 16, 20).tolist() for tag in (1, 2, 3, 5)}
    frames = [protocol.histogram(1, h[1]), protocol.flush(7), protocol.histogram(2, h[2]),
              protocol.histogram(3, h[3]), protocol.flush(8), protocol.flush(9)]
    script = [("bytes", frame) for frame in frames]
    pixels, reports = run_receiver(script, bins=20, timeout=30, ready_after=800)
    assert pixels == [(1, h[1]), "flush", (2, h[2]), "flush"]
    assert reports == [(Status.BUSY, 3)]
    late = script + [("bytes", protocol.histogram(5, h[5])), ("bytes", protocol.flush(6))]
    assert run_receiver(late, bins=20, timeout=30)[0] == [
        (1, h[1]), "flush", (2, h[2]), (3, h[3]), "flush", "flush", (5, h[5]), "flush"]


# ---- transmitter

def random_results(rng, count):
    return [{"tag": int(rng.integers(0, 2 ** 16)), "tau_q": rng.integers(0, 2 ** 16, 3),
             "fraction_q": int(rng.integers(0, 2 ** 16)), "tau_defined": rng.integers(0, 2, 3),
             "fraction_defined": int(rng.integers(2)), "valid": int(rng.integers(2)),
             "photons": int(rng.integers(0, 2 ** 24))} for _ in range(count)]


def set_result(ctx, p, r):
    ctx.set(p.tag, r["tag"])
    ctx.set(p.fraction, r["fraction_q"])
    ctx.set(p.fraction_defined, r["fraction_defined"])
    ctx.set(p.valid, r["valid"])
    ctx.set(p.tau_defined, sum(int(d) << k for k, d in enumerate(r["tau_defined"])))
    for k in range(3):
        ctx.set(p.tau[k], int(r["tau_q"][k]))


def run_transmitter(dut, rng, results, reports, *, put, pause, report_gap, cycles):
    """The bytes ``dut`` sends in ``cycles``, its output ready half the time: ``results`` set
    by ``put(ctx, result)``, ``pause(k)`` idle cycles after result ``k``; ``reports`` (dicts of
    its status fields), each followed by up to ``report_gap`` idle cycles."""
    sent = bytearray()

    async def result_producer(ctx):
        for k, r in enumerate(results):
            put(ctx, r)
            ctx.set(dut.results.valid, 1)
            await ctx.tick().until(dut.results.ready)
            ctx.set(dut.results.valid, 0)
            if gap := pause(k):
                await ctx.tick().repeat(gap)

    async def status_producer(ctx):
        for report in reports:
            ctx.set(dut.status.payload, report)
            ctx.set(dut.status.valid, 1)
            await ctx.tick().until(dut.status.ready)
            ctx.set(dut.status.valid, 0)
            await ctx.tick().repeat(int(rng.integers(1, report_gap)))

    async def consumer(ctx):
        while True:
            ready = bool(rng.random() < 0.5)
            ctx.set(dut.out.ready, ready)
            _, _, valid, byte = await ctx.tick().sample(dut.out.valid, dut.out.payload)
            if valid and ready:
                sent.append(byte)

    sim = Simulator(dut)
    sim.add_clock(CLOCK_PERIOD)
    sim.add_testbench(result_producer)
    sim.add_testbench(status_producer)
    sim.add_testbench(consumer, background=True)
    sim.run_until(cycles * CLOCK_PERIOD)
    return Parser(lengths=protocol.host_commands()).feed(sent)


def test_transmitter_frames(rng, qmodel):
    """Random results and status reports from two producers, output stalls: every frame is
    exactly what the encoder makes, and each stream keeps its order."""
    dut = FrameTransmitter(bins=135, lanes=6, spec=qmodel.spec)
    results = [{k: v for k, v in r.items() if k != "photons"} for r in random_results(rng, 12)]
    reports = [(Status(int(rng.integers(0, 8))), int(rng.integers(0, 2 ** 16))) for _ in range(12)]
    frames = run_transmitter(
        dut, rng, results, [{"code": code, "tag": tag} for code, tag in reports],
        put=lambda ctx, r: set_result(ctx, dut.results.payload, r),
        pause=lambda k: int(rng.integers(1, 40)), report_gap=40, cycles=4000)
    assert [f for f in frames if f.command == Command.RESULT] == [
        Frame(Command.RESULT, r["tag"], protocol.result(**r)[7:-2]) for r in results]
    assert [f for f in frames if f.command == Command.STATUS] == [
        Frame(Command.STATUS, tag, protocol.status(code, tag, 135, 6)[7:-2])
        for code, tag in reports]


def test_transmitter_records_and_counters(rng, qmodel):
    """A photon path's transmitter: results in bursts and alone, COUNTERS answers among status
    reports, output stalls. Every result leaves as a record of a RESULTS frame of at most
    ``records``, in order, with its photons; bursts fill frames; a counters report is a
    COUNTER_VALUES frame of the counters' values."""
    dut = FrameTransmitter(bins=135, lanes=6, spec=qmodel.spec, records=4)
    results = random_results(rng, 40)
    reports = [(Status.OK, 1, 0), (Status.BUSY, 2, 0), (Status.OK, 3, 1), (Status.OK, 4, 1)]
    values = {"outside": 0x12345678, "saturated": 7, "dropped": 0xFFFFFFFF, "lost": 3}

    def put(ctx, r):
        ctx.set(dut.counters, values)
        set_result(ctx, dut.results.payload.result, r)
        ctx.set(dut.results.payload.photons, r["photons"])

    frames = run_transmitter(
        dut, rng, results, [{"code": c, "tag": t, "counters": n} for c, t, n in reports],
        put=put, pause=lambda k: 800 if k % 10 == 9 else 0,     # bursts of ten, then a pause
        report_gap=300, cycles=12000)
    batches = [f for f in frames if f.command == Command.RESULTS]
    assert all(f.tag == len(protocol.decode_results(f.payload)) <= 4 for f in batches)
    assert max(f.tag for f in batches) == 4 and min(f.tag for f in batches) == 1
    records = [record for f in batches for record in protocol.results_of(f)]
    assert records == [(r["tag"], protocol.decode_result(protocol.result(**{
        k: v for k, v in r.items() if k != "photons"})[7:-2]), r["photons"]) for r in results]
    assert [f for f in frames if f.command in (Command.STATUS, Command.COUNTER_VALUES)] == [
        Frame(Command.STATUS, 1, protocol.status(Status.OK, 1, 135, 6)[7:-2]),
        Frame(Command.STATUS, 2, protocol.status(Status.BUSY, 2, 135, 6)[7:-2]),
        Frame(Command.COUNTER_VALUES, 3, protocol.counter_values(3, values)[7:-2]),
        Frame(Command.COUNTER_VALUES, 4, protocol.counter_values(4, values)[7:-2])]


# ---- the whole top level over its UART pins

def link(qmodel, bins, batch=2):
    """The top at 4 clocks per bit (a core of two slots of ``batch`` lanes), and a port that
    waits long enough for any result."""
    core = MultiPixelCore(qmodel=qmodel, bins=bins,
                          config=CoreConfig(rows=32, batch=batch, slots=2))
    top = LinkTop(core=core, clk_freq=4e6, baud=1e6, timeout_bytes=4)
    frame_cycles = (2 * bins + 9) * BITS_PER_BYTE * top.divisor
    return top, SimulatedPort(top, timeout=4 * (400 * bins + frame_cycles))


def expected(qmodel, counts):
    ref = run_counts(qmodel, counts)
    return {key: ref[key] for key in RESULT_KEYS}


def assert_results_equal(got, want):
    for key in RESULT_KEYS:
        assert np.array_equal(got[key], want[key]), key


@pytest.mark.parametrize("bins, rows", [
    (20, slice(None)), (135, [3, 10]), pytest.param(135, slice(None), marks=pytest.mark.slow)])
def test_pixels_bit_exact_through_the_uart(rng, qmodel, bins, rows):
    """Edge cases, simulated decays and uniformly random histograms (20 pixels; at T = 135 by
    default the maximum-counts edge case and a decay), sent by the host driver bit by bit on
    ``rx``, as one frame (two slots of two lanes: the FLUSH starts a partly filled one);
    results decoded from ``tx`` equal the integer reference."""
    counts = np.concatenate([golden_counts(16, bins, seed=bins),
                             rng.integers(0, 2 ** 16, (4, bins))])[rows]
    top, port = link(qmodel, bins)
    host = Host(port, bins=bins)
    assert host.ping(tag=77) == {"code": Status.OK, "version": protocol.VERSION, "bins": bins,
                                 "lanes": 4}
    assert_results_equal(host.process(counts, first_tag=65530), expected(qmodel, counts))
    assert host.errors == [] and port.framing_errors == 0


def test_errors_are_reported_and_the_link_resynchronises(rng, qmodel):
    """Each incident gives the model's status report, then a good frame's result arrives."""
    bins = 20
    top, port = link(qmodel, bins, batch=1)
    host = Host(port, bins=bins)
    good = protocol.histogram(9, golden_counts(5, bins, seed=3)[4])
    corrupted = bytearray(good)
    corrupted[20] ^= 0x10
    noise = rng.integers(0, 256, 30)
    incidents = [(bytes(corrupted), False), (good[:25], True),
                 (bytes(noise[noise != 0xA5].tolist()), False),
                 (protocol.encode(0x33, 5, b""), False),
                 (protocol.encode(Command.HISTOGRAM, 6, bytes(2 * bins + 2)), False)]
    counts = golden_counts(len(incidents), bins, seed=5)
    for (data, idle), pixel in zip(incidents, counts):
        parser = Parser(lengths=protocol.board_commands(bins))
        want = parser.feed(data) + (parser.idle() if idle else [])
        seen = len(host.errors)
        port.write(data)
        if idle:
            port.run(len(data) * BITS_PER_BYTE * top.divisor + 2 * top.receiver.timeout)
        assert_results_equal(host.process(pixel[None]), expected(qmodel, pixel[None]))
        assert host.errors[seen:] == want and len(want) == 1
