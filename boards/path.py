"""The whole photon path of a board top (``boards/PHOTONS.md``): the on-chip photon source (or
an instrument on the event pins), the histogrammer, the core and the RESULTS link; measured in
Amaranth simulation of :class:`boards.top.LinkTop` through its UART pins (:func:`measure_path`,
:func:`measure_pins_path`), and predicted by the discrete-event model of the core fed and
drained by models of the rest (:func:`simulate_path`, :func:`simulate_pins_path`).
"""
from collections import defaultdict
from pathlib import Path

import numpy as np
import simpy

from rtl.multipixel import MultiPixelCore
from sim.cocotb_run import run_cocotb
from sim.cocotb_uart import TIMED_BYTES
from sim.netlist import CELL_MODELS, DEFINES
from sim.des import CoreModel
from golden.events import EventKind, image_events
from golden.intref import run_counts

from .performance import CRC_BYTES
from .photons import PhotonPath
from .pins import SYNC_STAGES, pins_layout
from .protocol import (COUNTERS_BYTES, HEADER_BYTES, RECORD_BYTES, STATUS_BYTES, SYNC,
                       Command, Parser, Source, counters, decode_counters, host_commands,
                       results_of, source)
from .simulation import SimulatedPort
from .top import LinkTop
from .uart import BITS_PER_BYTE

__all__ = ["PathModel", "PinsPathModel", "simulate_path", "simulate_pins_path", "measure_path",
           "measure_pins_path", "instrument_events", "records_not_matching", "PINS_LATENCY"]

#: Cycles from a strobe's toggle to its event at the histogrammer: the synchroniser, the edge
#: detection and the queue's buffered output.
PINS_LATENCY = SYNC_STAGES + 3
#: Bytes of a COUNTER_VALUES frame, the answer to COUNTERS.
COUNTERS_FRAME = len(SYNC) + HEADER_BYTES + COUNTERS_BYTES + CRC_BYTES


class PathModel(CoreModel):
    """The core fed by the on-chip photon source through the histogrammer, its results sent as
    RESULTS frames (:class:`boards.top.LinkTop` with a photon path)."""

    def __init__(self, core, path, *, bins, hidden, pixels, byte, frame_pixels=None):
        super().__init__(core, bins=bins, hidden=hidden, layers=1, policy="round-robin",
                         pixels=pixels,
                         frame_pixels=frame_pixels or len(path.stripes) * path.lines)
        self.path, self.byte = path, byte
        self.offered = path.dwell + 4       # the first PIXEL marker (after the source's stages)
        self.bank_free = 0                  # the histogrammer's other bank is free from then
        self.queue = simpy.Store(self.env)  # the transmitter's record queue
        self.arrivals, self.sent = [], 0    # (cycle, records so far) at each frame's end
        self.markers = []                   # each pixel's marker, taken at this cycle
        self.env.process(self.link())

    def load(self, pixel):
        """The pixel's marker is taken once the source offers it and the other bank is free;
        its counts are read out at two cycles each (fetch, send) into the preprocessor. After
        a line's last pixel, the LINE (or FRAME) marker waits for that readout and clears the
        flyback bank (``T`` fetch/send pairs). The source's next marker comes ``dwell`` slots
        after the last marker taken."""
        T, env, path = self.bins, self.env, self.path
        marker = max(self.offered, self.bank_free)
        self.markers.append(marker)
        start = max(env.now, marker + 3)            # busy, then FETCH, then the first SEND
        yield env.timeout(start - env.now + 2 * T - 1)
        self.bank_free = env.now + 2                # the TOKEN state, then busy falls
        if (pixel + 1) % len(path.stripes):
            self.offered = marker + 1 + path.dwell
        else:
            line = max(marker + 1, self.bank_free)
            self.bank_free = line + 3 + 2 * T + 2
            self.offered = line + 1 + path.dwell
        return True

    def result(self, time):
        super().result(time)
        self.env.process(self._queued(time + 1))    # one cycle in the photon tally

    def _queued(self, time):
        yield self.env.timeout(time - self.env.now)
        yield self.queue.put(time)

    def link(self):
        """As many records as wait, up to ``records``, in each RESULTS frame; a frame's bytes at
        ``byte`` cycles each (the transmitter's queue is never full here: a link slower than
        the core would stall it, which the model does not)."""
        frame = len(SYNC) + HEADER_BYTES + CRC_BYTES
        while True:
            yield self.queue.get()
            count = min(1 + len(self.queue.items), self.path.records)
            for _ in range(count - 1):
                yield self.queue.get()
            yield self.env.timeout((frame + RECORD_BYTES * count) * self.byte)
            self.sent += count
            self.arrivals.append((self.env.now, self.sent))


class PinsPathModel(PathModel):
    """The core fed from the event pins (:class:`boards.pins.EventPins`) through the
    histogrammer: ``events``, each strobe toggle's ``(cycle, kind)`` in order, reach the queue
    :data:`PINS_LATENCY` cycles later; one that finds ``path.queue`` events waiting is
    ``lost``. The histogrammer takes an event a clock, a marker once the bank it swaps to is
    free: a ``PIXEL``'s after the core has read the previous pixel out, a ``LINE`` or
    ``FRAME``'s after that bank was cleared (``T`` fetch/send pairs), a ``FRAME``'s flush
    token then ending the core's batch: frames end where the markers taken say, so a lost
    marker moves them as on the board."""

    def __init__(self, core, path, events, *, bins, hidden, pixels, byte):
        super().__init__(core, path, bins=bins, hidden=hidden, pixels=pixels, byte=byte,
                         frame_pixels=pixels)
        self.events, self.lost, self.holding = events, 0, False
        self.fifo = simpy.Store(self.env)
        # the histogrammer's output, in order: (PIXEL, the cycle its marker was taken) and
        # (FRAME, the cycle its flush token reaches the core)
        self.out = simpy.Store(self.env)
        self.read_out = defaultdict(self.env.event)     # pixel -> its bank free again
        self.env.process(self.pins())
        self.env.process(self.histogrammer())

    def pins(self):
        for cycle, kind in self.events:
            yield self.env.timeout(cycle + PINS_LATENCY - self.env.now)
            if len(self.fifo.items) + self.holding >= self.path.queue:
                self.lost += 1
            else:
                self.fifo.put(kind)

    def histogrammer(self):
        env, pixel, free = self.env, 0, 0   # free: the other bank's readout, or a cycle
        while True:
            kind = yield self.fifo.get()
            self.holding = True
            if kind != EventKind.PHOTON:
                yield free if isinstance(free, simpy.Event) else env.timeout(
                    max(free - env.now, 0))
                if kind == EventKind.PIXEL:
                    self.out.put((kind, env.now))
                    free, pixel = self.read_out[pixel], pixel + 1
                else:
                    token = env.now + 2 + 2 * self.bins     # IDLE, FETCH, T fetch/send pairs
                    free = token + 3
                    if kind == EventKind.FRAME:
                        self.out.put((kind, token))
            yield env.timeout(1)
            self.holding = False

    def load(self, pixel):
        """The pixel's counts, read out (two cycles each) once its marker was taken; ``False``
        once a flush token reaches the core instead."""
        env = self.env
        kind, cycle = yield self.out.get()
        if kind == EventKind.FRAME:
            yield env.timeout(max(cycle - env.now, 0))
            return False
        self.markers.append(cycle)
        start = max(env.now, cycle + 3)
        yield env.timeout(start - env.now + 2 * self.bins - 1)
        env.process(self._succeed(self.read_out[pixel], 2))
        return True

    def _succeed(self, event, delay):
        yield self.env.timeout(delay)
        event.succeed()


def instrument_events(codes, *, shape, frames, photons, apart, gap, start, rng):
    """An instrument's scan on the event pins: ``frames`` frames of ``shape`` (lines, width),
    ``photons`` a pixel with TDC codes drawn from ``codes``, a toggle every ``apart`` cycles
    from cycle ``start`` and ``gap`` more cycles between frames (the FRAME that ends one
    starts the next): ``(cycle, kind, micro)`` of each event."""
    pixel = np.repeat(np.arange(shape[0] * shape[1]), photons)
    events, cycle = [], start
    for frame in range(frames):
        kinds, micro = image_events(pixel, rng.choice(codes, pixel.size), shape)
        for kind, code in list(zip(kinds, micro))[1 if frame else 0:]:
            events.append((cycle, int(kind), int(code)))
            cycle += apart
        cycle += gap
    return events


def simulate_pins_path(core, path, events, *, bins=135, hidden=32, divisor, pixels):
    """Predict the path of a board top fed on its event pins (``events``: each strobe toggle's
    ``(cycle, kind)``, from the cycle the pins became the input), otherwise as
    :func:`simulate_path`, over up to ``pixels`` results. Returns
    ``cycles_per_pixel`` and ``latency`` as :func:`simulate_path`, ``lost`` (events that
    found the queue full) and ``records`` (results sent: lost markers merge pixels)."""
    model = PinsPathModel(core, path, events, bins=bins, hidden=hidden, pixels=pixels,
                          byte=BITS_PER_BYTE * divisor)
    model.run()
    return {**_steady(model.arrivals, core.lanes), "lost": model.lost, "records": model.sent}


def simulate_path(core, path, *, bins=135, hidden=32, divisor, pixels=None):
    """Predict the photon path of a board top: core ``core`` (:class:`rtl.config.CoreConfig`),
    on-chip scene and RESULTS link ``path`` (:class:`boards.photons.PhotonPath`), ``divisor``
    clocks per UART bit, over ``pixels`` results (default: four rounds of the lanes).

    Returns ``cycles_per_pixel`` (steady state at the host: from the first RESULTS frame that
    ends after a round of the lanes to the last, per record) and ``latency`` (cycles to the
    first frame's end), as :func:`measure_path` measures them; and ``frame_latency``: for each
    complete scene frame among the pixels, cycles from its last pixel's marker (its last
    photon) to the end of the RESULTS frame holding its last result.
    """
    pixels = pixels or 4 * core.lanes
    model = PathModel(core, path, bins=bins, hidden=hidden, pixels=pixels,
                      byte=BITS_PER_BYTE * divisor)
    model.run()
    scene = len(path.stripes) * path.lines
    ends = [next(cycle for cycle, sent in model.arrivals if sent >= last)
            - model.markers[last - 1] for last in range(scene, pixels + 1, scene)]
    return {**_steady(model.arrivals, core.lanes), "frame_latency": ends}


def measure_path(qmodel, config, path, *, bins, divisor, pixels, verilator=None):
    """Switch the board top (core ``config``, photon path ``path``, ``divisor`` clocks per
    UART bit) to its on-chip source and read ``pixels`` results off its ``tx`` pin: in
    Amaranth's simulator, or, with ``verilator`` (a build folder), the top converted to
    Verilog under Verilator and cocotb (:func:`sim.cocotb_uart.timed_bytes_through_the_pins`).

    Returns ``cycles_per_pixel`` (steady state: from the first RESULTS frame that ends after a
    round of the core's lanes to the last, per record; cycles are counted in UART byte times),
    ``latency`` (cycles from the SOURCE frame's end to the first frame's end) and ``records``
    (``(tag, result, photons)`` in arrival order, as :func:`boards.protocol.results_of`).
    """
    if not isinstance(path, PhotonPath):
        raise TypeError(f"path must be a PhotonPath, not {path!r}")
    core = MultiPixelCore(qmodel=qmodel, bins=bins, config=config)
    top = LinkTop(core=core, clk_freq=divisor * 1e6, baud=1e6, photons=path)
    command = source(Source.ONCHIP)
    if verilator:
        timed, _ = _verilator_bytes(top, command, verilator, divisor=divisor, pixels=pixels,
                                    family=config.family)
    else:
        timed = _amaranth_bytes(_port(top), command, pixels=pixels)
    return _records(timed, pixels, config.lanes)


def records_not_matching(qmodel, records, reference):
    """How many of ``records`` (``(tag, result, photons)`` in arrival order) are not the
    ``reference`` pixel in their place (``(tag, counts)``, as
    :func:`golden.events.histogram_events` lists them): its tag, its photons, and the integer
    reference's result of its counts."""
    if not records:
        return 0
    want = run_counts(qmodel, np.array([counts for _, counts in reference[:len(records)]]))
    return int(sum(
        (tag, photons) != (reference[k][0], reference[k][1].sum())
        or any(not np.array_equal(value, want[key][k]) for key, value in result.items())
        for k, (tag, result, photons) in enumerate(records)))


def _records(timed, pixels, lanes):
    """:func:`_steady`'s figures and the ``records`` of the RESULTS frames among the ``(cycle,
    byte)`` pairs ``timed``, up to ``pixels`` records."""
    parser = Parser(lengths=host_commands())
    frames, records = [], []                    # (cycle, records so far) at each frame's end
    for cycle, byte in timed:
        for frame in parser.feed(bytes([byte])):
            if frame.command == Command.RESULTS:
                records += results_of(frame)
                frames.append((cycle, len(records)))
        if len(records) >= pixels:
            break
    return {**_steady(frames, lanes), "records": records}


def measure_pins_path(qmodel, config, path, events, *, bins, divisor, pixels, idle_limit,
                      verilator=None):
    """Switch the board top (as :func:`measure_path`) to its event pins and drive ``events``
    (``(cycle, kind, micro)`` of each strobe toggle, cycles from the SOURCE frame's end; the
    event's bits set a cycle before) on them, reading up to ``pixels`` records off its ``tx``
    pin (fewer, if lost markers merged pixels: until the link is idle for ``idle_limit``
    cycles), then asking for its counters (a COUNTERS frame, as the host asks): in Amaranth's
    simulator, or with ``verilator`` (a build folder) as :func:`measure_path` runs it. Returns
    :func:`measure_path`'s figures, ``counters`` (the board's COUNTER_VALUES,
    :data:`boards.protocol.COUNTER_NAMES`) and ``lost``, its count of the events its pins
    could not queue."""
    core = MultiPixelCore(qmodel=qmodel, bins=bins, config=config)
    top = LinkTop(core=core, clk_freq=divisor * 1e6, baud=1e6, photons=path)
    command, ask = source(Source.PINS), counters()
    if verilator:
        timed, answer = _verilator_bytes(top, command, verilator, divisor=divisor,
                                         pixels=pixels, family=config.family,
                                         events=_pin_words(events, path),
                                         idle_limit=idle_limit, after=ask)
        found = _records(timed, pixels, config.lanes)
    else:
        async def instrument(ctx):
            now, strobe = -len(command) * BITS_PER_BYTE * divisor, 0
            for cycle, kind, micro in events:
                if cycle - 1 > now:
                    await ctx.tick().repeat(cycle - 1 - now)
                ctx.set(top.pins.kind, int(kind))
                ctx.set(top.pins.micro, int(micro))
                await ctx.tick()
                strobe ^= 1
                ctx.set(top.pins.strobe, strobe)
                now = cycle

        port = _port(top)
        port.sim.add_testbench(instrument, background=True)
        found = _records(_amaranth_bytes(port, command, pixels=pixels, idle_limit=idle_limit),
                         pixels, config.lanes)
        port.write(ask)
        port.run((len(ask) + 2 * COUNTERS_FRAME) * BITS_PER_BYTE * divisor)
        answer = port.read(2 * COUNTERS_FRAME)
    values = _counters_in(answer)
    return {**found, "counters": values, "lost": values["lost"]}


def _counters_in(answer):
    """The counters of the COUNTER_VALUES frame among the bytes ``answer``."""
    for frame in Parser(lengths=host_commands()).feed(answer):
        if getattr(frame, "command", None) == Command.COUNTER_VALUES:
            return decode_counters(frame.payload)
    raise RuntimeError(f"the board did not answer COUNTERS: received {answer.hex()}")


def _port(top):
    """A :class:`boards.simulation.SimulatedPort` onto ``top`` whose reads wait a byte time."""
    return SimulatedPort(top, timeout=BITS_PER_BYTE * top.divisor)


def _amaranth_bytes(port, command, *, pixels, idle_limit=None):
    """``(cycle, byte)`` of what the top behind ``port`` sends after ``command``, in
    Amaranth's simulator, cycles from the command's end; enough for ``pixels`` records, or
    until the link was idle for ``idle_limit`` cycles."""
    port.write(command)
    port.run(len(command) * BITS_PER_BYTE * port.dut.divisor)
    began = port.cycles
    for _ in range(_bytes_for(pixels)):
        idle = port.cycles
        while not (data := port.read(1)):       # the board computes; the link is idle
            if idle_limit is not None and port.cycles - idle > idle_limit:
                return
        yield port.cycles - began, data[0]


def _pin_words(events, path):
    """``events`` (as :func:`measure_pins_path` takes them) as :func:`_verilator_bytes`
    takes them: ``(cycles, words, strobe bit)``, each word the event pins
    (:func:`boards.pins.pins_layout`) with the strobe clear."""
    layout = pins_layout(path.micro_bits)
    cycles, kinds, micro = np.array(events, np.int64).reshape(-1, 3).T
    words = (kinds << layout["kind"].offset) | (micro << layout["micro"].offset)
    return cycles, words, 1 << layout["strobe"].offset


def _verilator_bytes(top, command, build_dir, *, divisor, pixels, family, events=None,
                     idle_limit=1 << 24, after=b""):
    """The same, from ``top`` converted to Verilog and run under Verilator in ``build_dir``
    (with the models of the ``family``'s multipliers it instantiates), ``events`` (from
    :func:`_pin_words`) on its event pins; then ``after`` (a COUNTERS frame) sent. Returns
    the ``(cycle, byte)`` pairs and the first :data:`COUNTERS_FRAME` bytes of the answer."""
    build_dir = Path(build_dir)
    vectors = {"divisor": divisor, "send": np.frombuffer(command, np.uint8),
               "count": _bytes_for(pixels), "idle_limit": idle_limit}
    if events:
        cycles, words, strobe = events
        vectors.update(events=np.stack([cycles, words], axis=1), strobe_bit=strobe)
    if after:
        vectors.update(after=np.frombuffer(after, np.uint8), answer=COUNTERS_FRAME)
    tests, failed = run_cocotb(top, name="link_top", test_module="sim.cocotb_uart",
                               testcase="timed_bytes_through_the_pins", build_dir=build_dir,
                               vectors=vectors, simulator="verilator",
                               models=CELL_MODELS.get(family, ()), defines=DEFINES)
    if failed or not tests:
        raise RuntimeError(f"the Verilator run failed: see {build_dir / 'test.log'}")
    timed = np.load(build_dir / TIMED_BYTES)
    return zip(timed["cycles"].tolist(), timed["data"].tolist()), timed["answer"].tobytes()


def _bytes_for(pixels):
    """Bytes that carry the SOURCE frame's STATUS answer and ``pixels`` records in RESULTS
    frames of one record or more."""
    frame = len(SYNC) + HEADER_BYTES + CRC_BYTES
    return frame + STATUS_BYTES + pixels * (frame + RECORD_BYTES)


def _steady(frames, lanes):
    """Cycles per record from the first frame that ends after a round of ``lanes`` records to
    the last, and the first frame's end."""
    warm = next(f for f in frames if f[1] >= lanes)
    last = frames[-1]
    return {"cycles_per_pixel": (last[0] - warm[0]) / (last[1] - warm[1]),
            "latency": frames[0][0]}
