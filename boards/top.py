"""Platform-independent top level: UART pins -> frame receiver -> core -> frame transmitter ->
UART pins; with a photon path, the core's input is chosen by the host (SOURCE): the received
histograms, or photon events through the histogrammer, from the on-chip photon source, the host
(EVENTS frames) or the event pins; its results leave as records with their photons (RESULTS)."""
from amaranth import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .link import FrameReceiver, FrameTransmitter
from .photons import InputSelect, PhotonPath
from .pins import EventPins, pins_layout
from .protocol import EVENT_CODE_BITS, Source
from .records import PhotonTally
from .uart import BITS_PER_BYTE, MIN_DIVISOR, UARTRx, UARTTx

__all__ = ["LinkTop", "BAUD_TOLERANCE", "uart_divisor"]

BAUD_TOLERANCE = 0.02


def uart_divisor(clk_freq, baud):
    """Clock cycles per UART bit: ``clk_freq / baud`` rounded, which must be at least
    :data:`boards.uart.MIN_DIVISOR` and give a rate within :data:`BAUD_TOLERANCE` of ``baud``;
    ``ValueError`` otherwise."""
    for name, value in (("clk_freq", clk_freq), ("baud", baud)):
        if not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"{name} must be a positive number, not {value!r}")
    divisor = round(clk_freq / baud)
    if divisor < MIN_DIVISOR:
        raise ValueError(f"clk_freq / baud must be at least {MIN_DIVISOR}, "
                         f"not {clk_freq / baud:g}")
    error = abs(clk_freq / divisor / baud - 1)
    if error > BAUD_TOLERANCE:
        raise ValueError(f"baud {baud:g} is {error:.1%} off the nearest rate "
                         f"clk_freq / {divisor}; the UART needs {BAUD_TOLERANCE:.0%}")
    return divisor


class LinkTop(wiring.Component):
    """The core behind the host link (``boards/PROTOCOL.md``).

    Parameters
    ----------
    core : rtl.multipixel.MultiPixelCore
        Any core with ``inp`` / ``out`` pixel streams and ``qmodel`` / ``bins`` / ``config``
        attributes.
    clk_freq : float
        Clock frequency in Hz.
    baud : float
        UART bit rate (see :func:`uart_divisor`).
    timeout_bytes : int
        An idle gap of this many byte times inside a frame makes it TRUNCATED.
    photons : boards.photons.PhotonPath or None
        The photon path (on-chip source, histogrammer, RESULTS records); ``None``: histograms
        in, RESULT frames out.

    Attributes
    ----------
    rx : In(1), idle high
        UART line from the host.
    tx : Out(1), idle high
        UART line to the host.
    pins : In(boards.pins.pins_layout(photons.micro_bits))
        The event pins (with a photon path only).
    """

    def __init__(self, *, core, clk_freq, baud, timeout_bytes=64, photons=None):
        divisor = uart_divisor(clk_freq, baud)
        if not isinstance(timeout_bytes, int) or timeout_bytes < 2:
            raise ValueError(f"timeout_bytes must be an integer of at least 2, "
                             f"not {timeout_bytes!r}")
        if photons is not None and not isinstance(photons, PhotonPath):
            raise TypeError(f"photons must be a PhotonPath or None, not {photons!r}")
        self.divisor = divisor
        self.baud = baud
        self.core = core
        self.photons = photons
        spec, bins = core.qmodel.spec, core.bins
        self.uart_rx = UARTRx(divisor=divisor)
        self.uart_tx = UARTTx(divisor=divisor)
        self.receiver = FrameReceiver(bins=bins, timeout=timeout_bytes * BITS_PER_BYTE * divisor,
                                      spec=spec, sources=len(Source) if photons else 1)
        self.transmitter = FrameTransmitter(bins=bins, lanes=core.config.lanes, spec=spec,
                                            records=photons.records if photons else 0)
        if photons:
            self.source = photons.source(core.qmodel)
            self.histogrammer = photons.histogrammer(core.qmodel, bins)
            self.select = InputSelect(count=2, spec=spec)
            self.tally = PhotonTally(bins=bins, depth=photons.tally, spec=spec)
            self.event_pins = EventPins(micro_bits=photons.micro_bits, depth=photons.queue)
        super().__init__({"rx": In(1, init=1), "tx": Out(1, init=1),
                          **({"pins": In(pins_layout(photons.micro_bits))} if photons else {})})

    def elaborate(self, platform):
        m = Module()
        m.submodules.uart_rx = rx = self.uart_rx
        m.submodules.uart_tx = tx = self.uart_tx
        m.submodules.receiver = receiver = self.receiver
        m.submodules.core = core = self.core
        m.submodules.transmitter = transmitter = self.transmitter
        m.d.comb += [rx.rx.eq(self.rx), self.tx.eq(tx.tx),
                     receiver.lost.eq(rx.error | rx.overrun)]
        wiring.connect(m, rx.out, receiver.inp)
        wiring.connect(m, receiver.status, transmitter.status)
        wiring.connect(m, transmitter.out, tx.inp)
        if not self.photons:
            wiring.connect(m, receiver.pixels, core.inp)
            wiring.connect(m, core.out, transmitter.results)
            return m
        for name in ("source", "histogrammer", "select", "tally", "event_pins"):
            m.submodules[name] = getattr(self, name)
        source, histogrammer, select, tally, pins = (self.source, self.histogrammer, self.select,
                                                     self.tally, self.event_pins)
        # the histogrammer's events: the on-chip source's while it is the input (it pauses
        # otherwise), the event pins' (taken only then), or the words of the host's EVENTS
        # frames
        events, word = histogrammer.events, receiver.events.payload
        m.d.comb += [pins.pins.eq(self.pins), pins.enable.eq(receiver.source == Source.PINS)]
        with m.Switch(receiver.source):
            with m.Case(Source.ONCHIP):
                wiring.connect(m, source.events, events)
            with m.Case(Source.PINS):
                wiring.connect(m, pins.events, events)
            with m.Default():
                m.d.comb += [events.payload.kind.eq(word[EVENT_CODE_BITS:]),
                             events.payload.micro.eq(word),
                             events.valid.eq(receiver.events.valid),
                             receiver.events.ready.eq(events.ready)]
        m.d.comb += select.select.eq(receiver.source != Source.HISTOGRAMS)
        wiring.connect(m, receiver.pixels, select.inputs[0])
        wiring.connect(m, histogrammer.out, select.inputs[1])
        wiring.connect(m, select.out, tally.inp)
        wiring.connect(m, tally.out, core.inp)
        wiring.connect(m, core.out, tally.results)
        wiring.connect(m, tally.records, transmitter.results)
        # what is lost, counted (saturating) for COUNTERS: photons outside the window or past a
        # counter's ceiling, malformed pixels the core dropped, events the pins could not queue
        dropped = Signal.like(transmitter.counters.dropped)
        with m.If(core.dropped & (dropped != (1 << len(dropped)) - 1)):
            m.d.sync += dropped.eq(dropped + 1)
        m.d.comb += [transmitter.counters.outside.eq(histogrammer.outside),
                     transmitter.counters.saturated.eq(histogrammer.saturated),
                     transmitter.counters.dropped.eq(dropped),
                     transmitter.counters.lost.eq(pins.lost)]
        return m
