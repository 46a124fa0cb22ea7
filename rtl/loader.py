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

__all__ = ["InputLoader", "FLUSH_BINS"]

#: A partly filled slot starts once the input has offered nothing for this many times ``T``
#: cycles (end of stream).
FLUSH_BINS = 4


class InputLoader(wiring.Component):
    """Histograms into slots: each pixel's ``T`` inputs into one lane's input memory, lane after
    lane, slot after slot (round-robin), each slot once it is free.

    Parameters
    ----------
    slots, batch, bins : int
    spec : golden.fixed.FixedSpec

    Attributes
    ----------
    inp : In(stream.Signature(rtl.result.input_layout(spec)))
        ``bins`` transfers per pixel; the tag of the first one names the pixel.
    free : In(slots)
        The scheduler's free slots.
    start : Out(event(rtl.scheduler.start_layout))
        A slot's lanes are loaded (all of them, or fewer at the end of the stream).
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
            "x_write": In(WritePort.Signature(addr_width=ceil_log2(slots * bins),
                                              shape=unsigned(spec.input_bits))).array(batch),
            "labels": Out(data.ArrayLayout(data.ArrayLayout(label_layout(spec), batch), slots)),
        })

    def elaborate(self, platform):
        m = Module()
        S, B, T, spec = self.slots, self.batch, self.bins, self.spec
        m.submodules.pre = pre = self.pre
        in_bin, idle = Signal(range(T)), Signal(range(FLUSH_BINS * T + 1))
        tag_in = Signal(spec.tag_bits)
        m.d.comb += [pre.counts.payload.eq(self.inp.payload.count),
                     pre.counts.valid.eq(self.inp.valid), self.inp.ready.eq(pre.counts.ready)]
        with m.If(self.inp.valid & self.inp.ready):
            m.d.sync += in_bin.eq(Mux(in_bin == T - 1, 0, in_bin + 1))
            with m.If(in_bin == 0):
                m.d.sync += tag_in.eq(self.inp.payload.tag)
        with m.If(self.inp.valid):
            m.d.sync += idle.eq(0)
        with m.Elif(idle != FLUSH_BINS * T):
            m.d.sync += idle.eq(idle + 1)

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
        # end of stream: start a partly filled slot once the input has offered nothing for a while
        flush = (lane != 0) & (t == 0) & (idle == FLUSH_BINS * T) & ~pre.out.valid
        m.d.comb += [self.start.valid.eq(full | flush), self.start.payload.slot.eq(slot),
                     self.start.payload.used.eq(Mux(full, (1 << B) - 1,
                                                    Array((1 << n) - 1 for n in range(B))[lane]))]
        with m.If(self.start.valid):
            m.d.sync += [lane.eq(0), slot.eq(Mux(slot == S - 1, 0, slot + 1))]
        return m
