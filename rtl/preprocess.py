"""Input preprocessing in hardware: background shift, clip, shift-normalise to Q0.8.

Bit-exact to :func:`golden.preprocess.preprocess`, with the spec's formats. The histogram is
buffered in block RAM while the background (mean of the first ``background_bins`` bins, a
shift) and the peak are found; a second pass emits
``max(count - background, 0)`` shifted so the peak lands in ``[128, 255]``. For Fmax, each count
is registered before it is summed and compared; the last count, the peak and the shift amounts
take one cycle each after the load, and each input three (block RAM read, clip, shift).

A pixel ends at the count marked ``last``: one that ends after fewer or more than ``bins`` counts
is malformed, dropped whole, and reported on ``dropped``.
"""
from amaranth import Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from golden.fixed import FixedSpec

__all__ = ["Preprocess", "SETTLE_CYCLES", "CYCLES_PER_INPUT"]

#: Cycles between the last count in and the first block RAM read (the last count, the peak,
#: the shift amounts).
SETTLE_CYCLES = 3
#: Cycles per emitted input: block RAM read, clip, offer.
CYCLES_PER_INPUT = 3


class Preprocess(wiring.Component):
    """Per-pixel histogram normaliser.

    Parameters
    ----------
    bins : int
        Histogram length T.
    spec : golden.fixed.FixedSpec
        ``count_bits``, ``background_bins`` and ``input_bits``.

    Attributes
    ----------
    counts : In(stream.Signature(StructLayout{count, last}))
        ``bins`` counts per pixel, in time order, ``last`` high on the final one.
    out : Out(stream.Signature(StructLayout{x, valid}))
        ``bins`` Q0.8 inputs per pixel; ``valid`` is low for a pixel with no signal above
        background (then every ``x`` is 0).
    dropped : Out(1)
        Pulses once for each malformed pixel (its ``last`` not on count ``bins``).
    """

    def __init__(self, *, bins, spec=FixedSpec()):
        if not isinstance(bins, int) or bins <= spec.background_bins:
            raise ValueError(f"bins must be an integer greater than {spec.background_bins}, "
                             f"not {bins!r}")
        self.bins, self.spec = bins, spec
        super().__init__({
            "counts": In(stream.Signature(data.StructLayout({"count": unsigned(spec.count_bits),
                                                             "last": unsigned(1)}))),
            "out": Out(stream.Signature(data.StructLayout({"x": unsigned(spec.input_bits),
                                                           "valid": unsigned(1)}))),
            "dropped": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        T, spec = self.bins, self.spec
        count_bits, input_bits = spec.count_bits, spec.input_bits
        m.submodules.buffer = buffer = Memory(shape=unsigned(count_bits), depth=T, init=[])
        rd, wr = buffer.read_port(), buffer.write_port()
        index = Signal(range(T))
        total = Signal(unsigned(count_bits + spec.background_shift))
        top = Signal(unsigned(count_bits))
        background = Signal(unsigned(count_bits))
        peak = Signal(signed(count_bits + 1))
        length = Signal(range(count_bits + 2))
        m.d.comb += [background.eq(total >> spec.background_shift),
                     rd.addr.eq(index), wr.addr.eq(index), wr.data.eq(self.counts.payload.count)]
        # after the load, one register stage each: the peak, then the shift amounts and its sign
        for k in range(count_bits):
            with m.If(peak[k] & (peak > 0)):
                m.d.comb += length.eq(k + 1)
        right = Signal(range(count_bits + 1))
        left = Signal(range(input_bits + 1))
        positive = Signal()             # the pixel has a peak above its background
        # per input: the block RAM output is registered, clipped, then shifted
        clipped = Signal(unsigned(count_bits))
        signal = Signal(signed(count_bits + 1))
        m.d.comb += [signal.eq(rd.data - background),
                     self.out.payload.x.eq((clipped >> right) << left),
                     self.out.payload.valid.eq(positive)]
        # each count is registered, then summed (first 8 bins) and compared with the top
        count, counted, early = Signal(unsigned(count_bits)), Signal(), Signal()
        m.d.sync += counted.eq(0)
        with m.If(counted):
            with m.If(early):
                m.d.sync += total.eq(total + count)
            with m.If(count > top):
                m.d.sync += top.eq(count)
        last = self.counts.payload.last

        def drop():             # a malformed pixel: forget its counts, report it
            m.d.sync += [index.eq(0), total.eq(0), top.eq(0), counted.eq(0)]
            m.d.comb += self.dropped.eq(1)

        with m.FSM():
            with m.State("LOAD"):
                m.d.comb += [self.counts.ready.eq(1), wr.en.eq(self.counts.valid)]
                with m.If(self.counts.valid):
                    m.d.sync += [count.eq(self.counts.payload.count), counted.eq(1),
                                 early.eq(index < spec.background_bins), index.eq(index + 1)]
                    with m.If(last & (index == T - 1)):
                        m.d.sync += index.eq(0)
                        m.next = "TAIL"
                    with m.Elif(last):
                        drop()
                    with m.Elif(index == T - 1):
                        m.next = "SKIP"
            with m.State("SKIP"):       # a pixel longer than T: its remaining counts
                m.d.comb += self.counts.ready.eq(1)
                with m.If(self.counts.valid & last):
                    drop()
                    m.next = "LOAD"
            with m.State("TAIL"):       # the last count is summed and compared
                m.next = "PEAK"
            with m.State("PEAK"):
                m.d.sync += peak.eq(top - background)
                m.next = "SHIFTS"
            with m.State("SHIFTS"):
                m.d.sync += [right.eq(Mux(length >= input_bits, length - input_bits, 0)),
                             left.eq(Mux(length >= input_bits, 0, input_bits - length)),
                             positive.eq(peak > 0)]
                m.next = "FETCH"
            with m.State("FETCH"):      # block-RAM read: data next cycle
                m.next = "CLIP"
            with m.State("CLIP"):
                m.d.sync += clipped.eq(Mux(signal > 0, signal, 0))
                m.next = "SEND"
            with m.State("SEND"):
                m.d.comb += self.out.valid.eq(1)
                with m.If(self.out.ready):
                    m.d.sync += index.eq(index + 1)
                    m.next = "FETCH"
                    with m.If(index == T - 1):
                        m.d.sync += [index.eq(0), total.eq(0), top.eq(0)]
                        m.next = "LOAD"
        return m
