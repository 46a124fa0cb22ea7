"""The matmul unit: ``W_hh h`` for every lane of a slot, ``rows`` weight rows per cycle."""
from amaranth import Module, Mux, Signal, signed, unsigned
from amaranth.lib import stream, wiring
from amaranth.lib.memory import Memory, ReadPort, WritePort
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2

from .dsp import registered_products
from .fanout import fanout
from .pipeline import control_pipeline, registered
from .scheduler import event, matmul_job

__all__ = ["MatmulUnit"]


class MatmulUnit(wiring.Component):
    """The recurrent matrix-vector products of a slot's current layer, for its ``batch`` lanes
    at once on ``rows x batch`` multipliers.

    A job reads ``3H / rows`` groups of ``H`` weight words (``rows`` rows of ``W_hh`` each; the
    encoder's and decoder's in one memory), one per cycle, through a :data:`STAGES`-deep
    pipeline: the memory outputs registered twice (the state's second register is one copy per
    :data:`FANOUT` multipliers, the weights' lets the placer spread their fan-out), the operands
    and products registered inside the hard multipliers (:mod:`rtl.dsp`), the products again
    beside the accumulators, then accumulated. Each group's ``rows`` totals drain into the
    lanes' accumulator memories (one per gate) one per cycle.

    Parameters
    ----------
    layers : (QuantGRULayer, QuantGRULayer)
        Encoder and decoder.
    rows, batch, slots : int
    spec : golden.fixed.FixedSpec
        ``bits``: the weights' and states' width.
    widths : golden.widths.Widths
        ``acc``: the accumulators' width.
    family : None, "ice40" or "ecp5"
        See :func:`rtl.dsp.registered_products`.
    hard : int
        Products on hard multipliers (lane by lane, row by row); the rest from LUTs.

    Attributes
    ----------
    job : In(stream.Signature(rtl.scheduler.matmul_job))
    done : Out(event(range(slots)))
        A job's last total is in the accumulator memories, :meth:`latency` cycles after its
        last weight read.
    h_read : In(ReadPort.Signature).array(batch)
        Each lane's state memory (``H`` words per slot).
    acc_write : In(WritePort.Signature).array(batch, 3)
        Each lane's accumulator memories of the ``r``, ``z`` and ``n`` rows.
    issue : Out(1)
        High in each cycle a weight word is read.
    """

    #: Pipeline depth: memory outputs (twice), operands and products (in the multiplier),
    #: products again, accumulators.
    STAGES = 6
    #: Multipliers fed by one copy of a lane's state register (see :mod:`rtl.fanout`).
    FANOUT = 4

    @classmethod
    def latency(cls, rows):
        """Cycles from a job's last weight read to its ``done``: the pipeline, then the drain."""
        return cls.STAGES + rows

    def __init__(self, *, layers, rows, batch, slots, spec, widths, family=None, hard=None):
        self.layers, self.rows, self.batch, self.slots = layers, rows, batch, slots
        self.hidden_size = H = layers[0].hidden_size
        self.groups = 3 * H // rows
        self.family, self.hard = family, rows * batch if hard is None else hard
        self.weight_bits = spec.weight_bits
        self.acc_shape = signed(widths.acc)
        address = ceil_log2(slots * H)
        super().__init__({
            "job": In(stream.Signature(matmul_job(slots))),
            "done": Out(event(range(slots))),
            "h_read": In(ReadPort.Signature(addr_width=address,
                                            shape=signed(spec.bits))).array(batch),
            "acc_write": In(WritePort.Signature(addr_width=address,
                                                shape=self.acc_shape)).array(batch, 3),
            "issue": Out(1)})

    def _weight_words(self):
        """The weight memory: per layer and group, ``H`` words of ``rows`` weights each."""
        R, H, wb = self.rows, self.hidden_size, self.weight_bits
        mask = (1 << wb) - 1
        return [sum((int(layer.w_hh[g * R + i, c]) & mask) << (i * wb) for i in range(R))
                for layer in self.layers for g in range(self.groups) for c in range(H)]

    def elaborate(self, platform):
        m = Module()
        H, R, B, S, G = self.hidden_size, self.rows, self.batch, self.slots, self.groups
        wb, acc_shape = self.weight_bits, self.acc_shape
        m.submodules.weights = weights_memory = Memory(
            shape=unsigned(R * wb), depth=2 * G * H, init=self._weight_words())
        w_rd = weights_memory.read_port()
        slot, layer, fresh = Signal(range(S)), Signal(), Signal()
        col, group = Signal(range(H)), Signal(range(G))
        issue = self.issue
        mm = control_pipeline(m, "mm", self.STAGES, {
            "valid": (1, issue), "first": (1, col == 0), "last": (1, col == H - 1),
            "group": (range(G), group), "slot": (range(S), slot), "fresh": (1, fresh)})
        m.d.comb += w_rd.addr.eq(layer * (G * H) + group * H + col)
        m.d.comb += [self.h_read[b].addr.eq(slot * H + col) for b in range(B)]
        weights = registered(m, w_rd.data, "weights", 2)
        done = mm[self.STAGES]
        drain = [[Signal(acc_shape, name=f"drain{b}_{i}", reset_less=True) for i in range(R)]
                 for b in range(B)]
        drain_left, drain_slot, drain_final = Signal(range(R + 1)), Signal(range(S)), Signal()
        drain_gate, drain_unit = Signal(range(3)), Signal(range(H))
        copy = done["valid"] & done["last"]
        # the accumulators' and drain registers' controls reach thousands of flip-flops: one
        # copy of each per FANOUT multipliers, registered from the stage before
        before = mm[self.STAGES - 1]
        control = {name: fanout(m, value, f"mm_{name}", B * R, self.FANOUT)
                   for name, value in (("valid", before["valid"]), ("first", before["first"]),
                                       ("copy", before["valid"] & before["last"]))}
        for b in range(B):
            h_value = registered(m, Mux(mm[1]["fresh"], 0, self.h_read[b].data).as_signed(),
                                 f"h_value{b}")
            h_value = fanout(m, h_value, f"h_value{b}", R, self.FANOUT)
            products = registered_products(m, [
                (weights[i * wb:(i + 1) * wb].as_signed(), h_value[i],
                 b * R + i < self.hard, f"product{b}_{i}") for i in range(R)],
                self.family)
            for i in range(R):
                lane = b * R + i
                product = registered(m, products[i], f"product{b}_{i}")
                acc = Signal(acc_shape, name=f"mmacc{b}_{i}", reset_less=True)
                total = Signal(acc_shape, name=f"total{b}_{i}")
                m.d.comb += total.eq(product + Mux(control["first"][lane], 0, acc))
                with m.If(control["valid"][lane]):
                    m.d.sync += acc.eq(total)
                # the drain register shifts towards element 0 every cycle (its contents matter
                # only while it drains), unless it takes a group's totals
                with m.If(control["copy"][lane]):
                    m.d.sync += drain[b][i].eq(total)
                with m.Else():
                    m.d.sync += drain[b][i].eq(drain[b][i + 1] if i + 1 < R else 0)
            for k in range(3):
                port = self.acc_write[b][k]
                m.d.comb += [port.addr.eq(drain_slot * H + drain_unit), port.data.eq(drain[b][0]),
                             port.en.eq((drain_left != 0) & (drain_gate == k))]
        with m.If(drain_left != 0):
            m.d.sync += [drain_left.eq(drain_left - 1), drain_unit.eq(drain_unit + 1)]
            with m.If(drain_unit == H - 1):
                m.d.sync += [drain_unit.eq(0), drain_gate.eq(drain_gate + 1)]
            with m.If((drain_left == 1) & drain_final):
                m.d.comb += [self.done.valid.eq(1), self.done.payload.eq(drain_slot)]
        with m.If(copy):
            m.d.sync += [drain_left.eq(R), drain_slot.eq(done["slot"]),
                         drain_final.eq(done["group"] == G - 1)]
            with m.If(done["group"] == 0):
                m.d.sync += [drain_gate.eq(0), drain_unit.eq(0)]
        with m.FSM(name="matmul"):
            with m.State("IDLE"):
                m.d.comb += self.job.ready.eq(1)
                with m.If(self.job.valid):
                    m.d.sync += [slot.eq(self.job.payload.slot), layer.eq(self.job.payload.layer),
                                 fresh.eq(self.job.payload.fresh), col.eq(0), group.eq(0)]
                    m.next = "RUN"
            with m.State("RUN"):
                m.d.comb += issue.eq(1)
                m.d.sync += col.eq(col + 1)
                with m.If(col == H - 1):
                    m.d.sync += [col.eq(0), group.eq(group + 1)]
                    with m.If(group == G - 1):
                        m.next = "IDLE"
        return m
