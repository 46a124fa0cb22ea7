"""An on-chip photon source: the events of a scanned scene of known lifetimes, for self-test and
demonstrations without a camera (``boards/PHOTONS.md``).

Exactly :func:`golden.events.source_events`: a xorshift32 draw per slot; a pixel dwells
``dwell`` slots, each a photon with probability ``rate / 256``, whose micro-time is an IRF
jitter plus an exponential delay of its pixel's lifetime, both from inverse-CDF tables in block
RAM (:func:`golden.events.source_tables`), modulo the laser period; then ``PIXEL``, and ``LINE`` or ``FRAME`` at the end
of a line. Pixel ``x`` of every line has lifetime ``scene[x]``. Up to one event per clock, from
a three-stage pipeline (draw and table reads, table outputs, micro-time) whose output is a
register; the source waits while its output is not taken, so it never drops a photon.
"""
from amaranth import Array, Cat, Module, Mux, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import Out
from amaranth.utils import ceil_log2

from golden.events import DELAY_BITS, JITTER_BITS, RATE_BITS

from .histogrammer import Event, event_layout

__all__ = ["PhotonSource"]


def _xorshift32(v):
    """:func:`golden.events.xorshift32` as logic."""
    v = v ^ (v << 13)[:32]
    v = v ^ (v >> 17)
    return v ^ (v << 5)[:32]


class PhotonSource(wiring.Component):
    """Pseudo-random photon events of a built-in scene.

    Parameters
    ----------
    scene : sequence of int
        The lifetime (an index into the delay tables) of each pixel of a line.
    lines : int
        Lines per frame.
    dwell : int
        Slots per pixel.
    rate : int
        A slot holds a photon with probability ``rate / 256``.
    tables : (list of list of int, list of int)
        :func:`golden.events.source_tables`: delays per lifetime, and the IRF jitter.
    micro_bits : int
        Width of the TDC codes.
    period_codes : int
        TDC codes in a laser period (:func:`golden.events.source_codes`): micro-times wrap
        there.
    seed : int
        The generator's non-zero starting state.

    Attributes
    ----------
    events : Out(stream.Signature(rtl.histogrammer.event_layout(micro_bits)))
    """

    def __init__(self, *, scene, lines, dwell, rate, tables, micro_bits, period_codes, seed=1):
        delays, jitter = tables
        if (any(len(t) != 1 << DELAY_BITS for t in delays)
                or len(jitter) != 1 << JITTER_BITS):
            raise ValueError(f"the delay tables must have {1 << DELAY_BITS} entries and the "
                             f"jitter table {1 << JITTER_BITS}")
        if not all(0 <= c < len(delays) for c in scene):
            raise ValueError(f"the scene's lifetimes must index the {len(delays)} delay tables")
        if not 0 < seed < 1 << 32:
            raise ValueError(f"seed must be in 1 .. 2**32 - 1, not {seed!r}")
        self.scene, self.lines, self.dwell, self.rate = list(scene), lines, dwell, rate
        self.delays, self.jitter = delays, jitter
        if not 1 < period_codes <= 1 << micro_bits:
            raise ValueError(f"period_codes must be in 2 .. {1 << micro_bits}, not "
                             f"{period_codes!r}")
        self.micro_bits, self.period_codes, self.seed = micro_bits, period_codes, seed
        super().__init__({"events": Out(stream.Signature(event_layout(micro_bits)))})

    def elaborate(self, platform):
        m = Module()
        W, micro_bits = len(self.scene), self.micro_bits
        class_bits = max(ceil_log2(len(self.delays)), 1)
        m.submodules.delays = delays = Memory(
            shape=micro_bits, depth=len(self.delays) << DELAY_BITS,
            init=[c for table in self.delays for c in table])
        m.submodules.jitter = jitter = Memory(shape=micro_bits, depth=1 << JITTER_BITS,
                                              init=self.jitter)
        delay, spread = delays.read_port(), jitter.read_port()

        # stage 0: a slot per advance: its draw, its kind, its table reads
        out = self.events
        advance = ~out.valid | out.ready
        state, draw = Signal(32, init=self.seed), Signal(32)
        m.d.comb += draw.eq(_xorshift32(state))
        slot = Signal(range(self.dwell + 2))
        x, y = Signal(range(W)), Signal(range(self.lines))
        lifetime = Signal(class_bits)
        m.d.comb += [lifetime.eq(Array(self.scene)[x]),
                     spread.addr.eq(draw[RATE_BITS:RATE_BITS + JITTER_BITS]),
                     delay.addr.eq(Cat(draw[RATE_BITS + JITTER_BITS:][:DELAY_BITS], lifetime)),
                     delay.en.eq(advance), spread.en.eq(advance)]
        kind, valid = Signal(Event), Signal()
        with m.If(advance):
            m.d.sync += state.eq(draw)
            with m.If(slot < self.dwell):
                m.d.sync += [slot.eq(slot + 1), kind.eq(Event.PHOTON),
                             valid.eq(draw[:RATE_BITS] < self.rate)]
            with m.Elif(slot == self.dwell):
                m.d.sync += [kind.eq(Event.PIXEL), valid.eq(1),
                             slot.eq(Mux(x == W - 1, self.dwell + 1, 0)), x.eq(x + 1)]
                with m.If(x == W - 1):
                    m.d.sync += x.eq(0)
            with m.Else():
                m.d.sync += [kind.eq(Mux(y == self.lines - 1, Event.FRAME, Event.LINE)),
                             valid.eq(1), slot.eq(0),
                             y.eq(Mux(y == self.lines - 1, 0, y + 1))]

        # stage 1: the tables' outputs are registered; stage 2: the micro-time (each table's
        # code is below a period, so their sum wraps once at most) into the output register
        # (for Fmax: block RAM outputs, the add and the wrap would otherwise meet the next
        # unit's table address in one cycle)
        spread_q, delay_q = Signal(micro_bits), Signal(micro_bits)
        kind_q, valid_q = Signal(Event), Signal()
        total = spread_q + delay_q
        wrapped = Mux(total >= self.period_codes, total - self.period_codes, total)
        with m.If(advance):
            m.d.sync += [spread_q.eq(spread.data), delay_q.eq(delay.data), kind_q.eq(kind),
                         valid_q.eq(valid),
                         out.valid.eq(valid_q), out.payload.kind.eq(kind_q),
                         out.payload.micro.eq(Mux(kind_q == Event.PHOTON, wrapped, 0))]
        return m
