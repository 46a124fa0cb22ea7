"""Result records: each result with its pixel's photon count, for RESULTS frames
(``boards/PROTOCOL.md``).

The core computes lifetimes; the photons are counted where the histograms enter it.
:class:`PhotonTally` watches the core's input stream, sums each pixel's counts and files the sum
under the pixel's tag; when the result of that tag comes out, it is joined to it.
"""
from amaranth import Module, Mux, Signal, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2

from rtl.result import input_layout, result_layout

from .protocol import PHOTON_BITS

__all__ = ["record_layout", "PhotonTally"]


def record_layout(spec):
    """A result and its pixel's photons."""
    return data.StructLayout({"result": result_layout(spec), "photons": unsigned(PHOTON_BITS)})


class PhotonTally(wiring.Component):
    """Counts each pixel's photons on its way into the core, and joins the count to its result.

    A pixel's sum is filed under the low bits of its tag, in a memory of ``depth`` entries, so
    ``depth`` must exceed the pixels that can be between the core's input and the records'
    consumer at once (the core's lanes, its input and result buffers, the transmitter's queue):
    a pixel ``depth`` tags later would overwrite the sum before its result takes it.

    Parameters
    ----------
    bins : int
        Histogram length T: at most ``2 ** (PHOTON_BITS - count_bits)``, so no sum overflows.
    depth : int
        Entries of the tally memory, a power of two.
    spec : golden.fixed.FixedSpec

    Attributes
    ----------
    inp : In(stream.Signature(rtl.result.input_layout(spec)))
        The core's input, passed through to ``out`` unchanged.
    out : Out(stream.Signature(rtl.result.input_layout(spec)))
    results : In(stream.Signature(rtl.result.result_layout(spec)))
        The core's results.
    records : Out(stream.Signature(record_layout(spec)))
        Each result with its photons, one cycle later.
    """

    def __init__(self, *, bins, depth, spec):
        most = 1 << (PHOTON_BITS - spec.count_bits)
        if not isinstance(bins, int) or not 1 <= bins <= most:
            raise ValueError(f"bins must be an integer in 1 .. {most}, not {bins!r}")
        if not isinstance(depth, int) or depth < 2 or depth & (depth - 1):
            raise ValueError(f"depth must be a power of two of at least 2, not {depth!r}")
        self.depth = depth
        super().__init__({"inp": In(stream.Signature(input_layout(spec))),
                          "out": Out(stream.Signature(input_layout(spec))),
                          "results": In(stream.Signature(result_layout(spec))),
                          "records": Out(stream.Signature(record_layout(spec)))})

    def elaborate(self, platform):
        m = Module()
        index_bits = ceil_log2(self.depth)
        m.submodules.sums = sums = Memory(shape=unsigned(PHOTON_BITS), depth=self.depth,
                                          init=[])
        wr, rd = sums.write_port(), sums.read_port()
        wiring.connect(m, wiring.flipped(self.inp), wiring.flipped(self.out))

        # the tap: each count taken is registered (for Fmax: it comes straight from a block
        # RAM), then summed; a pixel's sum is filed a cycle after its last count
        beat = self.inp.payload
        count, tag, last, taken = (Signal(unsigned(len(beat.count))), Signal.like(beat.tag),
                                   Signal(), Signal())
        m.d.sync += [count.eq(beat.count), tag.eq(beat.tag), last.eq(beat.last),
                     taken.eq(self.inp.valid & self.inp.ready & ~beat.flush)]
        running = Signal(unsigned(PHOTON_BITS))
        total = running + count
        m.d.comb += [wr.addr.eq(tag[:index_bits]), wr.data.eq(total), wr.en.eq(taken & last)]
        with m.If(taken):
            m.d.sync += running.eq(Mux(last, 0, total))

        # the join: a result's tag reads its sum; the record is offered the next cycle
        full = Signal()
        held = Signal.like(self.results.payload, reset_less=True)
        take = self.results.valid & (~full | self.records.ready)
        m.d.comb += [self.results.ready.eq(~full | self.records.ready),
                     rd.addr.eq(self.results.payload.tag[:index_bits]), rd.en.eq(take),
                     self.records.valid.eq(full), self.records.payload.result.eq(held),
                     self.records.payload.photons.eq(rd.data)]
        with m.If(take):
            m.d.sync += [held.eq(self.results.payload), full.eq(1)]
        with m.Elif(self.records.ready):
            m.d.sync += full.eq(0)
        return m
