"""The input loader: tagged histograms in, preprocessed into the lanes of free slots."""
from amaranth import Array, Module, Mux, Signal, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import WritePort
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2

from .pipeline import scaled
from .preprocess import Preprocess
from .result import input_layout, label_layout
from .scheduler import event, start_layout

__all__ = ["InputLoader"]


class InputLoader(wiring.Component):
    """Histograms into slots: each pixel's ``T`` inputs into one lane's input memory, lane after
    lane, slot after slot (round-robin), each slot once it is free. A slot starts when its lanes
    are full, or at a flush token with fewer (the token waits until the pixels before it are
    loaded); never because the input paused.

    Parameters
    ----------
    slots, batch, bins : int
    spec : golden.fixed.FixedSpec

    Attributes
    ----------
    inp : In(stream.Signature(rtl.result.input_layout(spec)))
        Per pixel ``bins`` bins, the final one ``last``; the tag of the first names the pixel.
        Flush tokens between pixels.
    free : In(slots)
        The scheduler's free slots.
    start : Out(event(rtl.scheduler.start_layout))
        A slot's lanes are loaded (all of them, or fewer at a flush token).
    dropped : Out(1)
        Pulses for each malformed pixel (not ``bins`` bins long), which is dropped.
    x_write : In(WritePort.Signature).array(batch)
        Each lane's input memory, ``T`` words per slot.
    labels : Out(ArrayLayout(ArrayLayout(rtl.result.label_layout(spec), batch), slots))
        Each lane's pixel: its tag, and whether it has signal.
    """

    def __init__(self, *, slots, batch, bins, spec):
        self.slots, self.batch, self.bins, self.spec = slots, batch, bins, spec
        self.pre = Preprocess(bins=bins, spec=spec)
        super().__init__({
            "inp": In(stream.Signature(input_layout(spec))),
            "free": In(slots),
            "start": Out(event(start_layout(slots, batch))),
            "dropped": Out(1),
            "x_write": In(WritePort.Signature(addr_width=ceil_log2(slots * bins),
                                              shape=unsigned(spec.input_bits))).array(batch),
            "labels": Out(data.ArrayLayout(data.ArrayLayout(label_layout(spec), batch), slots)),
        })

    def elaborate(self, platform):
        m = Module()
        S, B, T, spec = self.slots, self.batch, self.bins, self.spec
        m.submodules.pre = pre = self.pre
        beat = self.inp.payload
        first = Signal(init=1)          # the next bin is a pixel's first
        tag_in = Signal(spec.tag_bits)
        # a flush token passes once the pixels before it are in their lanes: the preprocessor
        # waits for a pixel's first count only after it emitted the one before
        between = first & pre.counts.ready
        m.d.comb += [pre.counts.payload.count.eq(beat.count), pre.counts.payload.last.eq(beat.last),
                     pre.counts.valid.eq(self.inp.valid & ~beat.flush),
                     self.inp.ready.eq(Mux(beat.flush, between, pre.counts.ready)),
                     self.dropped.eq(pre.dropped)]
        with m.If(pre.counts.valid & pre.counts.ready):
            m.d.sync += first.eq(beat.last)
            with m.If(first):
                m.d.sync += tag_in.eq(beat.tag)

        # the lanes' labels: data registers without reset (each is written before it is read)
        tags = Array(Array(Signal(spec.tag_bits, name=f"tag{s}_{b}", reset_less=True)
                           for b in range(B)) for s in range(S))
        signal = Array(Signal(B, name=f"pixel_valid{s}") for s in range(S))
        for s in range(S):
            for b in range(B):
                m.d.comb += [self.labels[s][b].tag.eq(tags[s][b]),
                             self.labels[s][b].valid.eq(signal[s][b])]

        slot, lane, t = Signal(range(S)), Signal(range(B)), Signal(range(T))
        taken = pre.out.valid & pre.out.ready
        m.d.comb += pre.out.ready.eq(self.free.bit_select(slot, 1))
        for b in range(B):
            m.d.comb += [self.x_write[b].addr.eq(scaled(slot, T, S) + t),
                         self.x_write[b].data.eq(pre.out.payload.x),
                         self.x_write[b].en.eq(taken & (lane == b))]
        full = Signal()
        with m.If(taken):
            m.d.sync += t.eq(t + 1)
            with m.If(t == 0):
                m.d.sync += [tags[slot][lane].eq(tag_in),
                             signal[slot].bit_select(lane, 1).eq(pre.out.payload.valid)]
            with m.If(t == T - 1):
                m.d.sync += [t.eq(0), lane.eq(lane + 1)]
                m.d.comb += full.eq(lane == B - 1)
        flush = self.inp.valid & beat.flush & between & (lane != 0)
        m.d.comb += [self.start.valid.eq(full | flush), self.start.payload.slot.eq(slot),
                     self.start.payload.used.eq(Mux(full, (1 << B) - 1,
                                                    Array((1 << n) - 1 for n in range(B))[lane]))]
        with m.If(self.start.valid):
            m.d.sync += [lane.eq(0), slot.eq(Mux(slot == S - 1, 0, slot + 1))]
        return m
