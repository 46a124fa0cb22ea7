"""The whole photon path of a board top (``boards/PHOTONS.md``): the on-chip photon source, the
histogrammer, the core and the RESULTS link; measured in Amaranth simulation of
:class:`boards.top.LinkTop` through its UART pins (:func:`measure_path`), and predicted by the
discrete-event model of the core fed and drained by models of the rest (:func:`simulate_path`).
"""
from pathlib import Path

import numpy as np
import simpy

from rtl.multipixel import MultiPixelCore
from sim.cocotb_run import run_cocotb
from sim.cocotb_uart import TIMED_BYTES
from sim.netlist import CELL_MODELS, DEFINES
from sim.des import CoreModel

from .performance import CRC_BYTES
from .photons import PhotonPath
from .protocol import (HEADER_BYTES, RECORD_BYTES, STATUS_BYTES, SYNC, Command, Parser,
                       Source, host_commands, results_of, source)
from .simulation import SimulatedPort
from .top import LinkTop
from .uart import BITS_PER_BYTE

__all__ = ["PathModel", "simulate_path", "measure_path"]


class PathModel(CoreModel):
    """The core fed by the on-chip photon source through the histogrammer, its results sent as
    RESULTS frames (:class:`boards.top.LinkTop` with a photon path)."""

    def __init__(self, core, path, *, bins, hidden, pixels, byte):
        super().__init__(core, bins=bins, hidden=hidden, layers=1, policy="round-robin",
                         pixels=pixels, frame_pixels=len(path.stripes) * path.lines)
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
    timed = (_verilator_bytes(top, command, verilator, divisor=divisor, pixels=pixels,
                              family=config.family)
             if verilator else _amaranth_bytes(top, command, divisor=divisor, pixels=pixels))
    parser = Parser(lengths=host_commands())
    frames, records = [], []                    # (cycle, records so far) at each frame's end
    for cycle, byte in timed:
        for frame in parser.feed(bytes([byte])):
            if frame.command == Command.RESULTS:
                records += results_of(frame)
                frames.append((cycle, len(records)))
        if len(records) >= pixels:
            break
    return {**_steady(frames, config.lanes), "records": records}


def _amaranth_bytes(top, command, *, divisor, pixels):
    """``(cycle, byte)`` of what ``top`` sends after ``command``, in Amaranth's simulator,
    cycles from the command's end; enough for ``pixels`` records."""
    byte = BITS_PER_BYTE * divisor
    port = SimulatedPort(top, timeout=byte)
    port.write(command)
    port.run(len(command) * byte)
    began = port.cycles
    for _ in range(_bytes_for(pixels)):
        while not (data := port.read(1)):       # the board computes; the link is idle
            pass
        yield port.cycles - began, data[0]


def _verilator_bytes(top, command, build_dir, *, divisor, pixels, family):
    """The same, from ``top`` converted to Verilog and run under Verilator in ``build_dir``
    (with the models of the ``family``'s multipliers it instantiates)."""
    build_dir = Path(build_dir)
    vectors = {"divisor": divisor, "send": np.frombuffer(command, np.uint8),
               "count": _bytes_for(pixels), "idle_limit": 1 << 24}
    tests, failed = run_cocotb(top, name="link_top", test_module="sim.cocotb_uart",
                               testcase="timed_bytes_through_the_pins", build_dir=build_dir,
                               vectors=vectors, simulator="verilator",
                               models=CELL_MODELS.get(family, ()), defines=DEFINES)
    if failed or not tests:
        raise RuntimeError(f"the Verilator run failed: see {build_dir / 'test.log'}")
    timed = np.load(build_dir / TIMED_BYTES)
    return zip(timed["cycles"].tolist(), timed["data"].tolist())


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
