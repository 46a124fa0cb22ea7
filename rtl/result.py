"""The result path: a finished slot's lanes picked one by one (:class:`LanePick`), the four
divisions of :func:`golden.intref.lifetimes` on one shared sequential divider
(:class:`ResultUnit`), and the tagged records every core takes in and emits."""
from amaranth import Array, Module, Mux, Signal, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from .divider import Divider

from .scheduler import event, result_job

__all__ = ["ResultUnit", "LanePick", "input_layout", "pixel_beats", "result_layout",
           "label_layout", "integral_layout", "lane_layout"]


def input_layout(spec):
    """The cores' input payload: one histogram bin with its pixel's tag, ``last`` high on the
    pixel's final bin; or, with ``flush`` high, a token that carries no bin: the frame has
    ended, so a partly filled batch starts now rather than waiting for more pixels."""
    return data.StructLayout({"tag": unsigned(spec.tag_bits),
                              "count": unsigned(spec.count_bits),
                              "last": unsigned(1), "flush": unsigned(1)})


def pixel_beats(tags, counts, *, flush=True):
    """The input beats (dicts of :func:`input_layout` fields) of pixels ``counts`` ``(N, T)``
    named ``tags``, in order, followed by a flush token if ``flush`` (the end of the frame)."""
    beats = [{"tag": int(tag), "count": int(c), "last": int(t == len(hist) - 1), "flush": 0}
             for tag, hist in zip(tags, counts) for t, c in enumerate(hist)]
    return beats + [{"tag": 0, "count": 0, "last": 0, "flush": 1}] * bool(flush)


def result_layout(spec):
    """A pixel's lifetimes: ``tau`` in bins and ``fraction``, both with ``quotient_frac``
    fraction bits, definedness flags as in :func:`golden.intref.lifetimes`, ``valid`` low for a
    pixel with no signal."""
    q_shape = unsigned(spec.quotient_bits)
    return data.StructLayout({
        "tag": unsigned(spec.tag_bits), "tau": data.ArrayLayout(q_shape, spec.CHANNELS),
        "fraction": q_shape, "tau_defined": unsigned(spec.CHANNELS),
        "fraction_defined": unsigned(1), "valid": unsigned(1)})


def label_layout(spec):
    """A lane's pixel: its tag, and ``valid`` low if it has no signal above background."""
    return data.StructLayout({"tag": unsigned(spec.tag_bits), "valid": unsigned(1)})


def integral_layout(widths, spec):
    """A lane's running integrals of the clamped head outputs and their first values, in the
    unsigned widths ``widths.sum`` and ``widths.first`` (:class:`golden.widths.Widths`)."""
    return data.StructLayout({
        "sums": data.ArrayLayout(unsigned(widths.sum), spec.CHANNELS),
        "first": data.ArrayLayout(unsigned(widths.first), spec.CHANNELS)})


def lane_layout(widths, spec):
    """What the divisions need of a finished lane."""
    return data.StructLayout({"label": label_layout(spec),
                              "integral": integral_layout(widths, spec)})


class LanePick(wiring.Component):
    """A finished slot's used lanes, one after another, to the divider.

    The lanes' labels and integrals sit all over the die and results are rare, so a lane is
    picked in two registered steps (its lane in every slot, then the slot) and offered
    :data:`SETTLE` cycles after it is chosen, rather than over one long route. A step with one
    choice is no step and no register (a finished slot holds still while it waits): a one-lane
    core keeps no copies of its results.

    Attributes
    ----------
    job : In(stream.Signature(rtl.scheduler.result_job))
    labels : In(ArrayLayout(ArrayLayout(label_layout, batch), slots))
    integrals : In(ArrayLayout(ArrayLayout(integral_layout, batch), slots))
    out : Out(stream.Signature(lane_layout))
    done : Out(event(range(slots)))
        The job's last lane is taken.
    """

    #: Cycles from a lane's choice to its offer.
    SETTLE = 2

    def __init__(self, *, slots, batch, widths, spec):
        self.slots, self.batch = slots, batch
        super().__init__({
            "job": In(stream.Signature(result_job(slots, batch))),
            "labels": In(data.ArrayLayout(data.ArrayLayout(label_layout(spec), batch), slots)),
            "integrals": In(data.ArrayLayout(data.ArrayLayout(integral_layout(widths, spec),
                                                              batch), slots)),
            "out": Out(stream.Signature(lane_layout(widths, spec))),
            "done": Out(event(range(slots)))})

    def elaborate(self, platform):
        m = Module()
        S, B = self.slots, self.batch
        slot, lane, used = Signal(range(S)), Signal(range(B)), Signal(B)
        settle = Signal(range(self.SETTLE + 1))
        layout = self.out.payload.shape()
        in_slot = [Signal(layout, name=f"pick{s}", reset_less=True) for s in range(S)]
        lane_pick = m.d.sync if B > 1 else m.d.comb
        for s, pick in enumerate(in_slot):
            lane_pick += [pick.label.eq(self.labels[s][lane]),
                          pick.integral.eq(self.integrals[s][lane])]
        picked = Signal(layout, reset_less=True)
        slot_pick = m.d.sync if S > 1 else m.d.comb
        slot_pick += picked.eq(Array(pick.as_value() for pick in in_slot)[slot])
        m.d.comb += self.out.payload.eq(picked)
        with m.FSM(name="results"):
            with m.State("IDLE"):
                m.d.comb += self.job.ready.eq(1)
                with m.If(self.job.valid):
                    m.d.sync += [slot.eq(self.job.payload.slot), used.eq(self.job.payload.used),
                                 lane.eq(0), settle.eq(self.SETTLE)]
                    m.next = "RUN"
            with m.State("RUN"):
                lane_used = used[0]             # used shifts with the lane: no lane mux here
                with m.If(settle != 0):
                    m.d.sync += settle.eq(settle - 1)
                with m.Else():
                    m.d.comb += self.out.valid.eq(lane_used)
                    with m.If(self.out.ready | ~lane_used):
                        m.d.sync += [lane.eq(lane + 1), used.eq(used >> 1),
                                     settle.eq(self.SETTLE)]
                        with m.If(lane == B - 1):
                            m.d.comb += [self.done.valid.eq(1), self.done.payload.eq(slot)]
                            m.next = "IDLE"
        return m


class ResultUnit(wiring.Component):
    """Integrals in, lifetimes out.

    Parameters
    ----------
    widths : golden.widths.Widths
        ``sum`` and ``first``: the integrals' widths.
    spec : FixedSpec

    Attributes
    ----------
    inp : In(stream.Signature(lane_layout(widths, spec)))
    out : Out(stream.Signature(result_layout(spec)))
    """

    def __init__(self, *, widths, spec):
        self.spec = spec
        self.div = Divider(num_width=widths.sum, den_width=widths.first + 2, spec=spec)
        super().__init__({
            "inp": In(stream.Signature(lane_layout(widths, spec))),
            "out": Out(stream.Signature(result_layout(spec))),
        })

    def elaborate(self, platform):
        m = Module()
        spec = self.spec
        m.submodules.div = div = self.div
        held = Signal.like(self.inp.payload, reset_less=True)
        sums, first = held.integral.sums, held.integral.first
        quotients = Array(Signal(spec.quotient_bits, name=f"q{i}") for i in range(4))
        op = Signal(range(4))
        numerators = Array([sums[0], sums[1], sums[2], first[1]])
        denominators = Array([first[0], first[1], first[2], first[1] + first[2]])
        with m.FSM():
            with m.State("IDLE"):
                # Load every idle cycle, not only on valid: the handshake stays off the
                # enable of these wide registers (a critical path on the ULX3S).
                m.d.comb += self.inp.ready.eq(1)
                m.d.sync += [held.eq(self.inp.payload), op.eq(0)]
                with m.If(self.inp.valid):
                    m.next = "DIVIDE"
            with m.State("DIVIDE"):
                m.d.comb += [div.inp.payload.num.eq(numerators[op]),
                             div.inp.payload.den.eq(denominators[op]), div.inp.valid.eq(1)]
                with m.If(div.inp.ready):
                    m.next = "QUOTIENT"
            with m.State("QUOTIENT"):
                m.d.comb += div.out.ready.eq(1)
                with m.If(div.out.valid):
                    m.d.sync += [quotients[op].eq(div.out.payload), op.eq(op + 1)]
                    m.next = "DIVIDE"
                    with m.If(op == 3):
                        m.next = "RESULT"
            with m.State("RESULT"):
                half = 1 << (spec.quotient_frac - 1)
                out = self.out.payload
                m.d.comb += [out.tag.eq(held.label.tag), out.valid.eq(held.label.valid),
                             out.fraction.eq(quotients[3]),
                             out.fraction_defined.eq((first[1] + first[2]) > 0),
                             self.out.valid.eq(1)]
                for k in range(spec.CHANNELS):
                    m.d.comb += [out.tau[k].eq(Mux(quotients[k] > half, quotients[k] - half, 0)),
                                 out.tau_defined[k].eq(first[k] > 0)]
                with m.If(self.out.ready):
                    m.next = "IDLE"
        return m
