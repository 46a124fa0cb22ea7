"""Photon events from pins (``boards/PHOTONS.md``, "Event pins"): an external TDC or scanner
front end, asynchronous to the board's clock, drives an event's kind and micro-time and then
toggles a strobe. The event is taken when the synchronised strobe changes, from the first
``FRAME`` marker after the pins became the input on (a frame under way then is not taken, so
pixel numbers start at 0 with a whole frame); a queue absorbs the histogrammer's waits, and
since the pins cannot wait, an event that finds the queue full is counted in ``lost``, never
dropped silently.
"""
from amaranth import Module, ResetInserter, Signal, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.cdc import FFSynchronizer
from amaranth.lib.fifo import SyncFIFOBuffered
from amaranth.lib.wiring import In, Out

from rtl.histogrammer import STATUS_BITS, Event, event_layout

__all__ = ["SYNC_STAGES", "MIN_CLOCKS_APART", "pins_layout", "EventPins"]

#: Flip-flops between a pin and the logic (the strobe and the event's bits alike).
SYNC_STAGES = 2
#: Board clocks from one strobe toggle to the next, at least: the event's bits change no sooner
#: than ``SYNC_STAGES`` clocks after a toggle (the strobe may be seen a clock late) and settle a
#: clock before the next.
MIN_CLOCKS_APART = SYNC_STAGES + 1


def pins_layout(micro_bits):
    """The event pins: the strobe (a toggle is an event) and the event's kind and TDC code."""
    return data.StructLayout({"strobe": 1, "kind": 2, "micro": unsigned(micro_bits)})


class EventPins(wiring.Component):
    """Events from pins into a stream, while ``enable``.

    Parameters
    ----------
    micro_bits : int
        TDC code width.
    depth : int
        Events the queue holds while the histogrammer waits.

    Attributes
    ----------
    pins : In(pins_layout(micro_bits))
        Asynchronous inputs.
    enable : In(1)
        Events are taken only while it is high, from the first ``FRAME`` on; low empties the
        queue.
    events : Out(stream.Signature(rtl.histogrammer.event_layout(micro_bits)))
    lost : Out(STATUS_BITS)
        Events that found the queue full (saturating).
    """

    def __init__(self, *, micro_bits, depth):
        if not isinstance(depth, int) or depth < 2:
            raise ValueError(f"depth must be an integer of at least 2, not {depth!r}")
        self.depth = depth
        super().__init__({"pins": In(pins_layout(micro_bits)), "enable": In(1),
                          "events": Out(stream.Signature(event_layout(micro_bits))),
                          "lost": Out(STATUS_BITS)})

    def elaborate(self, platform):
        m = Module()
        synced = Signal.like(self.pins)
        m.submodules.sync = FFSynchronizer(self.pins.as_value(), synced.as_value(),
                                           stages=SYNC_STAGES)
        last, started = Signal(), Signal()
        toggled, frame = synced.strobe != last, synced.kind == Event.FRAME
        m.d.sync += last.eq(synced.strobe)
        with m.If(~self.enable):
            m.d.sync += started.eq(0)
        with m.Elif(toggled & frame):
            m.d.sync += started.eq(1)
        event = Signal.like(self.events.payload)
        fifo = SyncFIFOBuffered(width=len(event.as_value()), depth=self.depth)
        m.submodules.queue = ResetInserter(~self.enable)(fifo)
        m.d.comb += [event.kind.eq(synced.kind), event.micro.eq(synced.micro),
                     fifo.w_data.eq(event), fifo.w_en.eq(self.enable & toggled & (started | frame)),
                     self.events.payload.eq(fifo.r_data), self.events.valid.eq(fifo.r_rdy),
                     fifo.r_en.eq(self.events.ready)]
        with m.If(fifo.w_en & ~fifo.w_rdy & (self.lost != (1 << STATUS_BITS) - 1)):
            m.d.sync += self.lost.eq(self.lost + 1)
        return m
