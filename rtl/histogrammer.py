"""On-chip histogramming of a TCSPC photon-event stream (``boards/PHOTONS.md``).

Events are photons (a TDC code, the micro-time) and markers. A micro-time-to-bin table, built
from a model's acquisition for any TDC LSB (:func:`golden.events.bin_table`), gives each
photon its bin or marks it outside the window. Two banks of ``bins`` saturating counters take turns: one counts
the open pixel's photons, one photon per clock, while the other is read out to the core (or
cleared). A marker closes the open pixel and swaps the banks:

=========  ==================================================================================
``PIXEL``  the pixel is complete: its histogram goes to the core, tagged with its number in
           the frame; its photons' successor is the next pixel
``LINE``   the line is complete: photons since the last ``PIXEL`` (the flyback) are cleared
``FRAME``  as ``LINE``, then a flush token ends the frame for the core; pixel numbers restart
=========  ==================================================================================

A marker waits (``events.ready`` low) while the other bank is still being read out; nothing is
dropped here. Photons outside the window and counts held at the counters' ceiling are counted
(``outside``, ``saturated``), never lost silently.
"""
from amaranth import Module, Mux, Signal, unsigned
from amaranth.lib import data, enum, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2

from golden.events import EventKind

from .result import input_layout

__all__ = ["Event", "event_layout", "Histogrammer", "STATUS_BITS"]

#: Width of the ``outside`` and ``saturated`` counters (they saturate too).
STATUS_BITS = 32


class Event(enum.Enum, shape=2):
    """The event kinds of :class:`golden.events.EventKind` (their one source)."""
    PHOTON = EventKind.PHOTON
    PIXEL = EventKind.PIXEL
    LINE = EventKind.LINE
    FRAME = EventKind.FRAME


def event_layout(micro_bits):
    """One event: its kind and, for a photon, the TDC code."""
    return data.StructLayout({"kind": Event, "micro": unsigned(micro_bits)})


class Histogrammer(wiring.Component):
    """Photon events in, tagged histograms (and flush tokens) out, at one event per clock.

    Parameters
    ----------
    table : list of (int or None)
        :func:`golden.events.bin_table`: the bin of each TDC code, ``2 ** micro_bits`` of them.
    bins : int
        Histogram length T.
    spec : golden.fixed.FixedSpec
        The core's formats (tag and count widths).

    Attributes
    ----------
    events : In(stream.Signature(event_layout(micro_bits)))
    out : Out(stream.Signature(rtl.result.input_layout(spec)))
        The core's input: ``bins`` counts per pixel (``last`` on the final one), a flush
        token per frame.
    outside, saturated : Out(STATUS_BITS)
        Photons outside the window; photons that found their counter at its ceiling.
    """

    def __init__(self, *, table, bins, spec):
        micro_bits = ceil_log2(len(table))
        if len(table) != 1 << micro_bits or len(table) < 2:
            raise ValueError(f"the table must have a power-of-two length of at least 2, "
                             f"not {len(table)}")
        if any(b is not None and not 0 <= b < bins for b in table):
            raise ValueError(f"every bin of the table must be in 0 .. {bins - 1}")
        self.table, self.bins, self.spec = list(table), bins, spec
        super().__init__({
            "events": In(stream.Signature(event_layout(micro_bits))),
            "out": Out(stream.Signature(input_layout(spec))),
            "outside": Out(STATUS_BITS),
            "saturated": Out(STATUS_BITS),
        })

    def elaborate(self, platform):
        m = Module()
        T, spec = self.bins, self.spec
        ceiling, status_top = (1 << spec.count_bits) - 1, (1 << STATUS_BITS) - 1
        bin_bits = max(ceil_log2(T), 1)
        entry = data.StructLayout({"bin": unsigned(bin_bits), "inside": 1})
        m.submodules.table = table = Memory(
            shape=entry, depth=len(self.table),
            init=[{"bin": b or 0, "inside": b is not None} for b in self.table])
        lookup = table.read_port()
        reads, writes = [], []
        for k in range(2):
            m.submodules[f"bank{k}"] = bank = Memory(shape=unsigned(spec.count_bits), depth=T,
                                                     init=[])
            writes.append(bank.write_port())
            reads.append(bank.read_port(transparent_for=(writes[k],)))

        counting = Signal()             # the bank counting the open pixel
        busy = Signal()                 # the other bank waits for (or is in) its readout
        emit, flush = Signal(), Signal()    # what the readout does with it
        pixel, tag = Signal(spec.tag_bits), Signal(spec.tag_bits)
        index = Signal(range(T))

        # stage 0: an event is taken (a marker only once the other bank is free); a photon
        # looks up its bin, a marker swaps the banks
        ev = self.events.payload
        marker = ev.kind != Event.PHOTON
        m.d.comb += [self.events.ready.eq(~marker | ~busy), lookup.addr.eq(ev.micro)]
        taken = self.events.valid & self.events.ready
        photon1, bank1 = Signal(), Signal()
        m.d.sync += [photon1.eq(taken & ~marker), bank1.eq(counting)]
        with m.If(taken & marker):
            m.d.sync += [counting.eq(~counting), busy.eq(1), tag.eq(pixel),
                         emit.eq(ev.kind == Event.PIXEL), flush.eq(ev.kind == Event.FRAME),
                         pixel.eq(Mux(ev.kind == Event.FRAME, 0,
                                      pixel + (ev.kind == Event.PIXEL)))]

        # stage 1: a photon inside the window reads its counter; one outside is counted
        photon2, bank2, bin2 = Signal(), Signal(), Signal(bin_bits)
        m.d.sync += [photon2.eq(photon1 & lookup.data.inside), bank2.eq(bank1),
                     bin2.eq(lookup.data.bin)]
        with m.If(photon1 & ~lookup.data.inside & (self.outside != status_top)):
            m.d.sync += self.outside.eq(self.outside + 1)

        # stage 2: the counter's value is registered; a photon of the same bank and bin one
        # stage ahead has not written yet, so its new value is taken instead
        photon3, bank3, bin3, value3 = Signal(), Signal(), Signal(bin_bits), \
            Signal(spec.count_bits)
        new = Mux(value3 == ceiling, ceiling, value3 + 1)
        read = Mux(bank2, reads[1].data, reads[0].data)
        ahead = photon3 & (bank3 == bank2) & (bin3 == bin2)
        m.d.sync += [photon3.eq(photon2), bank3.eq(bank2), bin3.eq(bin2),
                     value3.eq(Mux(ahead, new, read))]

        # stage 3: the counter plus one is written back, held at its ceiling (the read port is
        # transparent: a photon of the same bin two stages behind reads the new value); the
        # other bank's port pair belongs to the readout
        with m.If(photon3 & (value3 == ceiling) & (self.saturated != status_top)):
            m.d.sync += self.saturated.eq(self.saturated + 1)
        clear = Signal()
        for k in range(2):
            with m.If(photon1 & (bank1 == k)):
                m.d.comb += reads[k].addr.eq(lookup.data.bin)
            with m.Else():
                m.d.comb += reads[k].addr.eq(index)
            with m.If(photon3 & (bank3 == k)):
                m.d.comb += [writes[k].addr.eq(bin3), writes[k].data.eq(new),
                             writes[k].en.eq(1)]
            with m.Elif(clear & (counting != k)):
                m.d.comb += [writes[k].addr.eq(index), writes[k].en.eq(1)]

        # the readout of the closed bank (its last photons are written by the time it starts):
        # FETCH / SEND each counter, clearing it; sent to the core for a PIXEL, only cleared
        # for a LINE or FRAME, then a FRAME's flush token
        m.d.comb += [self.out.payload.tag.eq(tag), self.out.payload.last.eq(index == T - 1),
                     self.out.payload.count.eq(Mux(counting, reads[0].data, reads[1].data))]
        with m.FSM():
            with m.State("IDLE"):
                with m.If(busy):
                    m.next = "FETCH"
            with m.State("FETCH"):
                m.next = "SEND"
            with m.State("SEND"):
                m.d.comb += self.out.valid.eq(emit)
                with m.If(~emit | self.out.ready):
                    m.d.comb += clear.eq(1)
                    m.d.sync += index.eq(index + 1)
                    m.next = "FETCH"
                    with m.If(index == T - 1):
                        m.d.sync += index.eq(0)
                        m.next = "TOKEN"
            with m.State("TOKEN"):
                m.d.comb += [self.out.valid.eq(flush), self.out.payload.flush.eq(1)]
                with m.If(~flush | self.out.ready):
                    m.d.sync += busy.eq(0)
                    m.next = "IDLE"
        return m
