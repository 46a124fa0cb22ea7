"""The slot scheduler: every pixel slot's state, and every change of it in one place.

A slot holds ``batch`` pixels through their ``2 T`` GRU steps: loaded (by
:class:`rtl.loader.InputLoader`), then per step a matmul job and a gate job, then a result job.
The scheduler offers each unit the next slot that waits for it, round-robin, as a job record on
a stream, and takes the units' ``done`` events back.
"""
from amaranth import Array, Module, Mux, Signal
from amaranth.lib import data, enum, stream, wiring
from amaranth.lib.wiring import In, Out

__all__ = ["SlotState", "event", "start_layout", "context_layout", "matmul_job", "gate_job",
           "result_job", "SlotScheduler"]


class SlotState(enum.Enum, shape=3):
    FREE = 0            #: waiting for pixels
    READY = 1           #: waiting for the matmul unit
    MATMUL = 2          #: in the matmul unit
    GATE_READY = 3      #: waiting for the gate unit
    GATES = 4           #: in the gate unit
    FINISH = 5          #: waiting for (or in) the result path


def event(shape):
    """A one-cycle notice with a payload: a stream that cannot be refused."""
    return stream.Signature(shape, always_ready=True)


def start_layout(slots, batch):
    """A loaded slot and its lanes holding pixels."""
    return data.StructLayout({"slot": range(slots), "used": batch})


def context_layout(bins):
    """Where a slot is in its steps: ``layer`` (0 encoder, 1 decoder), the time ``step`` of that
    layer, ``fresh``: its state is still zero (the first step)."""
    return data.StructLayout({"layer": 1, "fresh": 1, "step": range(bins)})


def matmul_job(slots):
    """``W_hh h`` for a slot: the layer's weights (0 encoder, 1 decoder), ``fresh``: ``h = 0``."""
    return data.StructLayout({"slot": range(slots), "layer": 1, "fresh": 1})


def gate_job(slots):
    """One GRU step's gates for a slot; where it is in its steps is its ``context``, which stays
    put until the job is done."""
    return data.StructLayout({"slot": range(slots)})


def result_job(slots, batch):
    """A finished slot's lanes to send through the divider."""
    return data.StructLayout({"slot": range(slots), "used": batch})


class SlotScheduler(wiring.Component):
    """Slot states of the multi-pixel core.

    Parameters
    ----------
    slots, batch, bins : int

    Attributes
    ----------
    start : In(event(start_layout))
        A slot loaded: it waits for its first matmul (encoder, step 0, ``h = 0``).
    free : Out(slots)
        Bit ``s``: slot ``s`` may be loaded.
    context : Out(ArrayLayout(context_layout(bins), slots))
        Each slot's place in its steps; a slot's changes only when its gate job is done.
    matmul, gates, results : Out(stream.Signature(job record))
        The next slot waiting for each unit; a transfer moves it into that unit.
    matmul_done, gates_done, results_done : In(event(range(slots)))
        A unit finished a slot's job: the slot waits for its gates; for its next step's matmul
        (or for the result path after its last decoder step); is free again.
    """

    def __init__(self, *, slots, batch, bins):
        self.slots, self.batch, self.bins = slots, batch, bins
        done = In(event(range(slots)))
        super().__init__({
            "start": In(event(start_layout(slots, batch))),
            "free": Out(slots),
            "context": Out(data.ArrayLayout(context_layout(bins), slots)),
            "matmul": Out(stream.Signature(matmul_job(slots))),
            "gates": Out(stream.Signature(gate_job(slots))),
            "results": Out(stream.Signature(result_job(slots, batch))),
            "matmul_done": done, "gates_done": done, "results_done": done})

    def elaborate(self, platform):
        m = Module()
        S, T = self.slots, self.bins
        state = Array(Signal(SlotState, name=f"state{s}") for s in range(S))
        step = Array(Signal(range(T), name=f"t{s}") for s in range(S))
        decoding = Array(Signal(name=f"decoding{s}") for s in range(S))
        fresh = Array(Signal(name=f"fresh{s}") for s in range(S))
        used = Array(Signal(self.batch, name=f"used{s}") for s in range(S))
        for s in range(S):
            m.d.comb += [self.free[s].eq(state[s] == SlotState.FREE),
                         self.context[s].layer.eq(decoding[s]), self.context[s].fresh.eq(fresh[s]),
                         self.context[s].step.eq(step[s])]

        def offer(name, jobs, wanted, taken, payload):
            """Offer ``jobs`` the first slot in state ``wanted``, round-robin from the one after
            the last taken; a transfer moves it to ``taken``."""
            pointer, chosen = Signal(range(S), name=f"{name}_pointer"), Signal(range(S))
            for offset in reversed(range(S)):
                index = Mux(pointer + offset >= S, pointer + offset - S, pointer + offset)
                with m.If(state[index] == wanted):
                    m.d.comb += [jobs.valid.eq(1), chosen.eq(index)]
            m.d.comb += [jobs.payload[k].eq(v) for k, v in payload(chosen).items()]
            with m.If(jobs.valid & jobs.ready):
                m.d.sync += [state[chosen].eq(taken),
                             pointer.eq(Mux(chosen == S - 1, 0, chosen + 1))]

        offer("matmul", self.matmul, SlotState.READY, SlotState.MATMUL, lambda s: {
            "slot": s, "layer": decoding[s], "fresh": fresh[s]})
        offer("gates", self.gates, SlotState.GATE_READY, SlotState.GATES, lambda s: {
            "slot": s})
        offer("results", self.results, SlotState.FINISH, SlotState.FINISH, lambda s: {
            "slot": s, "used": used[s]})

        with m.If(self.start.valid):
            slot = self.start.payload.slot
            m.d.sync += [state[slot].eq(SlotState.READY), step[slot].eq(0),
                         decoding[slot].eq(0), fresh[slot].eq(1),
                         used[slot].eq(self.start.payload.used)]
        with m.If(self.matmul_done.valid):
            m.d.sync += state[self.matmul_done.payload].eq(SlotState.GATE_READY)
        with m.If(self.gates_done.valid):
            slot = self.gates_done.payload
            last = step[slot] == T - 1
            m.d.sync += [fresh[slot].eq(0), step[slot].eq(Mux(last, 0, step[slot] + 1)),
                         state[slot].eq(SlotState.READY)]
            with m.If(last):
                m.d.sync += decoding[slot].eq(1)
                with m.If(decoding[slot]):
                    m.d.sync += state[slot].eq(SlotState.FINISH)
        with m.If(self.results_done.valid):
            m.d.sync += state[self.results_done.payload].eq(SlotState.FREE)
        return m
