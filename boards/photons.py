"""The board's photon path (``boards/PHOTONS.md``): the on-chip photon source's scene and its
histogrammer, built for a model's acquisition, and the choice of the core's input.

:class:`PhotonPath` is the one description of the on-chip scene: the board top builds its
:class:`rtl.photon_source.PhotonSource` and :class:`rtl.histogrammer.Histogrammer` from it, and
the host and the tests compute what the board must answer from the same record
(:meth:`PhotonPath.reference`).
"""
from dataclasses import dataclass, replace

from amaranth import Module, Mux, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from golden.datasets import Instrument
from golden.events import MICRO_BITS, EventKind, bin_table, histogram_events, source_codes, \
    source_events, source_tables, tdc_lsb_ns
from rtl.histogrammer import Histogrammer
from rtl.photon_source import PhotonSource
from rtl.result import input_layout

from .protocol import MAX_RECORDS

__all__ = ["PhotonPath", "InputSelect"]


@dataclass(frozen=True)
class PhotonPath:
    """The on-chip photon source's scene and the records link of a board with a photon path.

    Attributes
    ----------
    lifetimes_ns : tuple of float
        The scene's lifetimes.
    stripes : tuple of int
        Each column of a line: an index into ``lifetimes_ns``.
    lines : int
        Lines per frame.
    dwell : int
        Source slots per pixel (one per clock when nothing waits).
    rate : int
        A slot holds a photon with probability ``rate / 256``.
    micro_bits : int
        TDC code width; the code is the model's laser period divided into at most
        ``2 ** micro_bits`` whole picoseconds (:meth:`tdc_lsb_ns`).
    seed : int
        The source's xorshift32 starting state.
    records : int
        Most records per RESULTS frame (:class:`boards.link.FrameTransmitter`).
    tally : int
        Pixels whose photon counts are held (:class:`boards.records.PhotonTally`): more than
        can be in flight between the core's input and the link.
    queue : int
        Events the event pins hold while the histogrammer waits (:class:`boards.pins.EventPins`).
    """
    lifetimes_ns: tuple = (0.5, 1.0, 2.0, 3.0)
    stripes: tuple = tuple(k * 4 // 32 for k in range(32))
    lines: int = 32
    dwell: int = 3000
    rate: int = 85
    micro_bits: int = MICRO_BITS
    seed: int = 1
    records: int = 16
    tally: int = 64
    queue: int = 1024

    def __post_init__(self):
        if not self.lifetimes_ns or not all(t > 0 for t in self.lifetimes_ns):
            raise ValueError(f"lifetimes_ns must be positive lifetimes, not {self.lifetimes_ns!r}")
        if not self.stripes or not all(isinstance(k, int) and 0 <= k < len(self.lifetimes_ns)
                                       for k in self.stripes):
            raise ValueError(f"stripes must index the {len(self.lifetimes_ns)} lifetimes, "
                             f"not {self.stripes!r}")
        for name, low, high in (("lines", 1, None), ("dwell", 1, None), ("rate", 0, 256),
                                ("micro_bits", 2, 16), ("records", 1, MAX_RECORDS),
                                ("queue", 2, None)):
            value = getattr(self, name)
            if not isinstance(value, int) or value < low or (high and value > high):
                span = f"in {low} .. {high}" if high else f"at least {low}"
                raise ValueError(f"{name} must be an integer {span}, not {value!r}")

    def tdc_lsb_ns(self, qmodel):
        """The TDC code's width for ``qmodel``'s acquisition (:func:`golden.events.tdc_lsb_ns`)."""
        return tdc_lsb_ns(Instrument.of(qmodel).acq.period_ns, self.micro_bits)

    def _source_tables(self, qmodel):
        """The source's tables and its period in TDC codes."""
        instrument = Instrument.of(qmodel)
        lsb, period = self.tdc_lsb_ns(qmodel), instrument.acq.period_ns
        return (source_tables(self.lifetimes_ns, irf=instrument.irf, tdc_lsb_ns=lsb,
                              period_ns=period, micro_bits=self.micro_bits),
                source_codes(period, lsb))

    def source(self, qmodel):
        """The on-chip photon source of this scene."""
        tables, period = self._source_tables(qmodel)
        return PhotonSource(scene=self.stripes, lines=self.lines, dwell=self.dwell,
                            rate=self.rate, tables=tables, micro_bits=self.micro_bits,
                            period_codes=period, seed=self.seed)

    def bin_table(self, qmodel, bins):
        """The histogrammer's micro-time-to-bin table: TDC codes into the first ``bins`` of
        ``qmodel``'s bins (:func:`golden.events.bin_table`)."""
        acq = replace(Instrument.of(qmodel).acq, bins=bins)
        return bin_table(acq, tdc_lsb_ns=self.tdc_lsb_ns(qmodel), micro_bits=self.micro_bits)

    def histogrammer(self, qmodel, bins):
        """The histogrammer into ``qmodel``'s time bins."""
        return Histogrammer(table=self.bin_table(qmodel, bins), bins=bins, spec=qmodel.spec)

    def reference(self, qmodel, bins, *, frames):
        """What the board's histogrammer makes of the source's first ``frames`` frames: the
        dict of :func:`golden.events.histogram_events`, cut after the last of them."""
        tables, period = self._source_tables(qmodel)
        table = self.bin_table(qmodel, bins)
        most = frames * self.lines * (len(self.stripes) * (self.dwell + 1) + 1)
        kinds, micro = source_events(self.stripes, self.lines, dwell=self.dwell,
                                     rate=self.rate, tables=tables, period_codes=period,
                                     events=most, seed=self.seed)
        ends = [i for i, kind in enumerate(kinds) if kind == EventKind.FRAME]
        end = ends[frames - 1] + 1
        return histogram_events(kinds[:end], micro[:end], table, bins,
                                count_bits=qmodel.spec.count_bits)


class InputSelect(wiring.Component):
    """One of several pixel streams into the core, chosen by ``select``; a new choice takes
    effect between pixels, never inside one.

    Parameters
    ----------
    count : int
        Inputs.
    spec : golden.fixed.FixedSpec

    Attributes
    ----------
    inputs : In(stream.Signature(rtl.result.input_layout(spec))) x count
    select : In(range(count))
    out : Out(stream.Signature(rtl.result.input_layout(spec)))
    """

    def __init__(self, *, count, spec):
        if not isinstance(count, int) or count < 1:
            raise ValueError(f"count must be a positive integer, not {count!r}")
        super().__init__({"inputs": In(stream.Signature(input_layout(spec))).array(count),
                          "select": In(range(count)),
                          "out": Out(stream.Signature(input_layout(spec)))})

    def elaborate(self, platform):
        m = Module()
        inside = Signal()               # a pixel has begun and not ended
        held = Signal.like(self.select)
        choice = Mux(inside, held, self.select)
        m.d.sync += held.eq(choice)
        for k, inp in enumerate(self.inputs):
            with m.If(choice == k):
                m.d.comb += [self.out.valid.eq(inp.valid), self.out.payload.eq(inp.payload),
                             inp.ready.eq(self.out.ready)]
        beat = self.out.payload
        with m.If(self.out.valid & self.out.ready):
            m.d.sync += inside.eq(~beat.last & ~beat.flush)
        return m
