"""The multi-pixel core: pixel lanes sharing one weight memory and a pool of multipliers.

``slots`` x ``batch`` lanes each hold one pixel in flight. The ``batch`` lanes of a slot run in
lockstep, so every weight word read from block RAM feeds ``batch`` pixels: the recurrent matmul is
a matrix-matrix product over the batch on ``rows x batch`` multipliers. One GRU step of a slot is
two jobs on two units that work on different slots at once:

1. **matmul unit** -- ``W_hh h`` for the slot's current layer (encoder and decoder weights share
   one memory and the same multipliers), ``3H/rows`` groups of ``H`` cycles in a 6-stage
   pipeline (memory outputs registered twice, operands and products registered inside the
   hard multipliers (:mod:`rtl.dsp`), products once more, then accumulators); group results
   are drained into per-lane accumulator memories.
2. **gate unit** -- one hidden unit per cycle in a 16-stage pipeline, for Fmax: every block RAM
   output is registered before use, and no stage holds more than one multiplier, table read
   or adder chain. Gate constants and accumulators from memory; input products;
   pre-activations; ``r``/``z`` tables; ``r * (W_hn h + b_hn)`` as two products; ``n``'s
   pre-activation; the ``tanh`` table; the blend products; ``h' = (1 - z) n + z h`` into the
   state memory; on decoder steps the Dense(3) head accumulates ``W_d h'`` unit by unit and
   the running integrals take its clamped outputs.

A scheduler admits preprocessed pixels into free slots, serves ready slots round-robin on both
units, and sends finished slots through the shared divider (:class:`rtl.result.ResultUnit`).
Results carry their pixel's tag; they leave in admission order in steady state, but only the tag
is authoritative. A partly filled slot starts once the input has offered nothing for ``4 T``
cycles (end of stream).
Bit-exact to :func:`golden.intref.run_counts`.
"""
import math

from amaranth import Array, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from .activation import ActivationLUT
from .arith import accumulator_width, round_shift, saturate, signed_width
from .dsp import FAMILIES, registered_products
from .fanout import fanout
from .preprocess import Preprocess
from .result import ResultUnit, input_layout, result_layout

__all__ = ["MultiPixelCore", "GATE_PRODUCTS", "GATE_STAGES", "MATMUL_STAGES", "FREE", "READY",
           "MATMUL", "GATE_READY", "GATES", "FINISH"]

# slot states
FREE, READY, MATMUL, GATE_READY, GATES, FINISH = range(6)
#: Matmul pipeline depth: memory outputs (twice), operands and products (in the multiplier),
#: products again, accumulators.
MATMUL_STAGES = 6
#: Multipliers fed by one copy of a lane's state register (see :mod:`rtl.fanout`).
MATMUL_FANOUT = 4
#: Gate pipeline depth: the stage at which a step's last unit updates the slot.
GATE_STAGES = 16
#: ``r * (W_hn h + b_hn)`` is two products, split at this bit of the wide operand so that each
#: fits one hard multiplier (iCE40 SB_MAC16: 16 x 16, ECP5 MULT18X18D: 18 x 18, signed).
R_AH_SPLIT = 15
#: Cycles a lane's results take from the slots' integrals to the divider's input registers.
SETTLE = 2
#: The gate unit's products per lane, widest (costliest in LUTs) first.
GATE_PRODUCTS = ("r_ah", "update", "keep", "wx_r", "wx_z", "wx_n", "head_0", "head_1",
                 "head_2")


def _registered(m, value, name, stages=1):
    """``value`` registered ``stages`` times (datapath registers, without reset)."""
    for n in range(stages):
        reg = Signal(value.shape(), name=f"{name}_d{n}", reset_less=True)
        m.d.sync += reg.eq(value)
        value = reg
    return value


def _pick_domain(m, choices):
    """Where a pick among ``choices`` is made: registered if there are several, combinational
    (no register) if there is one."""
    return m.d.sync if choices > 1 else m.d.comb


def _scaled(index, stride, count):
    """``index * stride`` (``index < count``) from a table of constants: Yosys would give the
    product a hard multiplier."""
    return Array(k * stride for k in range(count))[index]


def _positive(name, value):
    if not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, not {value!r}")


class MultiPixelCore(wiring.Component):
    """Quantized single-layer Seq2Seq for ``slots * batch`` pixels in flight.

    Parameters
    ----------
    qmodel : golden.quantize.QuantSeq2Seq
        One encoder and one decoder layer, input size 1.
    bins : int
        Histogram length T.
    rows : int
        Weight rows per matmul cycle; divides ``3H`` and is at most ``H``.
    batch : int
        Lanes per slot (pixels sharing each weight read); ``rows * batch`` multipliers.
    slots : int
        Slots in flight; two keep both units busy.
    gate_luts : bool
        Build the gate and head units' multipliers from LUTs (shift and add), leaving the hard
        DSPs to the matmul (the iCE40 UP5K has only 8).
    gate_dsps : int
        With ``gate_luts``: this many of each lane's gate products (the widest first, in
        :data:`GATE_PRODUCTS` order) stay on hard multipliers.
    family : None, "ice40" or "ecp5"
        The FPGA the core is built for: on ``"ecp5"`` the matmul products are MULT18X18D
        instances with their registers inside, on ``"ice40"`` two to an SB_MAC16
        (:func:`rtl.dsp.registered_products`); otherwise (and in simulation) plain Amaranth
        with the same timing.
    matmul_dsps : int or None
        Matmul products on hard multipliers (lane by lane, row by row); the rest are built
        from LUTs, for more multipliers than the FPGA has. ``None``: all of them.

    Attributes
    ----------
    inp : In(stream.Signature(rtl.result.input_layout(spec)))
        ``bins`` transfers per pixel; the tag of the first one names the pixel.
    out : Out(stream.Signature(rtl.result.result_layout(spec)))
        The pixel's lifetimes, tagged.
    matmul_issue : Signal(1)
        High in each cycle the matmul unit issues a multiply (for utilisation measurements).
    """

    def __init__(self, *, qmodel, bins, rows=8, batch=1, slots=2, gate_luts=False,
                 gate_dsps=0, family=None, matmul_dsps=None):
        if len(qmodel.encoder) != 1 or len(qmodel.decoder) != 1:
            raise ValueError(f"the core runs one-layer models, not {len(qmodel.encoder)} "
                             f"layers")
        for name, value in (("rows", rows), ("batch", batch), ("slots", slots)):
            _positive(name, value)
        H = qmodel.hidden_size
        if (3 * H) % rows or rows > H:
            raise ValueError(f"rows must divide {3 * H} and be at most {H}, not {rows}")
        self.layers = (qmodel.encoder[0], qmodel.decoder[0])
        for layer in self.layers:
            if layer.w_ih.shape[1] != 1:
                raise ValueError(f"input_size must be 1, not {layer.w_ih.shape[1]}")
        self.qmodel, self.spec, self.bins = qmodel, qmodel.spec, bins
        self.hidden_size, self.rows, self.batch, self.slots = H, rows, batch, slots
        self.groups = 3 * H // rows
        self.lanes, self.multipliers = slots * batch, rows * batch
        self.gate_luts = bool(gate_luts)
        if not 0 <= gate_dsps <= len(GATE_PRODUCTS) or (gate_dsps and not gate_luts):
            raise ValueError(f"gate_dsps must be 0 .. {len(GATE_PRODUCTS)} and needs "
                             f"gate_luts, not {gate_dsps}")
        self.gate_dsps = gate_dsps
        if family not in FAMILIES:
            raise ValueError(f"family must be one of {FAMILIES}, not {family!r}")
        self.family = family
        if matmul_dsps is None:
            matmul_dsps = self.multipliers
        if not isinstance(matmul_dsps, int) or not 0 <= matmul_dsps <= self.multipliers:
            raise ValueError(f"matmul_dsps must be 0 .. {self.multipliers} (rows x batch), "
                             f"not {matmul_dsps!r}")
        self.matmul_dsps = matmul_dsps
        self.hard_products = (GATE_PRODUCTS[:gate_dsps] if gate_luts else GATE_PRODUCTS)
        spec = self.spec
        self.acc_width = accumulator_width(H, spec.bits, signed(spec.bits))
        self.lut_frac = min(layer.acc_frac for layer in self.layers)
        self.pre_width = max(self._pre_bound(layer) for layer in self.layers).bit_length() + 1
        self.r_ah_split = min(R_AH_SPLIT, self.pre_width - 1)
        self.pre = Preprocess(bins=bins, spec=self.spec)
        head_bound = H * (1 << (2 * spec.bits - 2)) + int(abs(qmodel.head_b).max())
        self.head_width = signed_width(head_bound)
        self.sum_shape = unsigned(spec.output_bits - 1 + math.ceil(math.log2(bins)))
        self.first_shape = unsigned(spec.output_bits - 1)
        self.result = ResultUnit(sum_shape=self.sum_shape, first_shape=self.first_shape,
                                 spec=spec)
        self.matmul_issue = Signal()
        super().__init__({"inp": In(stream.Signature(input_layout(spec))),
                          "out": Out(stream.Signature(result_layout(spec)))})

    # ---- construction helpers ------------------------------------------------------------
    def _shifts(self, layer):
        """(x_shift, h_shift, lut_shift) of a layer: alignments to its accumulator scale, and
        from it to the tables' common input scale (floor shifts compose exactly)."""
        P = layer.acc_frac
        shifts = (P - layer.x_frac, P - layer.h_frac, P - self.lut_frac)
        if min(shifts) < 0:
            raise ValueError("the accumulator scale must be the finest of the layer's scales")
        return shifts

    def _pre_bound(self, layer):
        spec, H = self.spec, self.hidden_size
        xs, hs, _ = self._shifts(layer)
        w_max, x_max = 1 << (spec.bits - 1), (1 << spec.input_bits) - 1
        bias = int(abs(layer.b_ih).max() + abs(layer.b_hh).max())
        return (w_max * x_max << xs) + ((H * w_max * w_max) << hs) + bias

    def _weight_words(self):
        R, H, wb = self.rows, self.hidden_size, self.spec.bits
        mask = (1 << wb) - 1
        return [sum((int(layer.w_hh[g * R + i, c]) & mask) << (i * wb) for i in range(R))
                for layer in self.layers for g in range(self.groups) for c in range(H)]

    def _rom(self, m, name, values):
        """A ROM of signed constants; returns its read port."""
        values = [int(v) for v in values]
        # the narrowest signed shape (-128 takes 8 bits, not 9: 8-bit products pair on iCE40)
        shape = signed(max((~v if v < 0 else v).bit_length() for v in values) + 1)
        m.submodules[name] = rom = Memory(shape=shape, depth=len(values), init=values)
        return rom.read_port()

    def _claim(self, m, states, wanted, taken, latch):
        """Inside an FSM's idle state: claim the first slot in state ``wanted``, round-robin
        from the one after the last claimed, mark it ``taken``, add ``latch(slot)``'s
        statements and go to ``RUN``."""
        S = self.slots
        pointer, found, chosen = Signal(range(S)), Signal(), Signal(range(S))
        for offset in reversed(range(S)):
            index = Mux(pointer + offset >= S, pointer + offset - S, pointer + offset)
            with m.If(states[index] == wanted):
                m.d.comb += [found.eq(1), chosen.eq(index)]
        with m.If(found):
            m.d.sync += [states[chosen].eq(taken),
                         pointer.eq(Mux(chosen == S - 1, 0, chosen + 1))] + latch(chosen)
            m.next = "RUN"

    @staticmethod
    def _pipeline(m, prefix, depth, fields):
        """Control fields ``{name: (shape, value)}`` registered ``1 .. depth`` times; returns
        ``[None, stage1, ..., stage_depth]``, each a dict of signals named ``{prefix}{n}_{name}``."""
        stages = [None] + [{k: Signal(shape, name=f"{prefix}{n}_{k}")
                            for k, (shape, _) in fields.items()} for n in range(1, depth + 1)]
        m.d.sync += [stages[1][k].eq(value) for k, (_, value) in fields.items()]
        for before, after in zip(stages[1:], stages[2:]):
            m.d.sync += [after[k].eq(before[k]) for k in fields]
        return stages

    # ---- hardware --------------------------------------------------------------------------
    def elaborate(self, platform):
        m = Module()
        spec, T = self.spec, self.bins
        H, R, B, S, G = self.hidden_size, self.rows, self.batch, self.slots, self.groups
        wb = spec.bits
        state_shape, acc_shape = signed(wb), signed(self.acc_width)
        m.submodules.pre = pre = self.pre
        m.submodules.result = result = self.result
        wiring.connect(m, wiring.flipped(self.out), result.out)

        # ---- per-slot scheduler state ---------------------------------------------------
        # data registers are reset_less (each is written before it is read): the reset reaches
        # only control, so its net stays short (it was the ULX3S critical path, 15 to 20 ns)
        states = Array(Signal(range(6), name=f"state{s}") for s in range(S))
        step = Array(Signal(range(T), name=f"t{s}") for s in range(S))
        decoding = Array(Signal(name=f"decoding{s}") for s in range(S))
        fresh = Array(Signal(name=f"fresh{s}") for s in range(S))
        used = Array(Signal(B, name=f"used{s}") for s in range(S))
        tags = Array(Array(Signal(spec.tag_bits, name=f"tag{s}_{b}", reset_less=True)
                           for b in range(B)) for s in range(S))
        pixel_valid = Array(Signal(B, name=f"pixel_valid{s}") for s in range(S))
        C = spec.CHANNELS
        sums = Array(Array(Array(Signal(self.sum_shape, name=f"sum{s}_{b}_{k}",
                                        reset_less=True)
                                 for k in range(C)) for b in range(B)) for s in range(S))
        first = Array(Array(Array(Signal(self.first_shape, name=f"first{s}_{b}_{k}",
                                         reset_less=True)
                                  for k in range(C)) for b in range(B)) for s in range(S))

        # ---- per-lane memories: state, recurrent accumulators (one per gate), inputs -------
        h_mm, h_gate, h_write, acc_write, acc_read, x_write, x_read = ([] for _ in range(7))
        for b in range(B):
            m.submodules[f"h{b}"] = hmem = Memory(shape=state_shape, depth=S * H, init=[])
            h_mm.append(hmem.read_port())
            h_gate.append(hmem.read_port())
            h_write.append(hmem.write_port())
            writes, reads = [], []
            for k in range(3):
                m.submodules[f"acc{b}_{k}"] = amem = Memory(shape=acc_shape, depth=S * H,
                                                            init=[])
                writes.append(amem.write_port())
                reads.append(amem.read_port())
            acc_write.append(writes)
            acc_read.append(reads)
            m.submodules[f"x{b}"] = xmem = Memory(shape=unsigned(spec.input_bits),
                                                  depth=S * T, init=[])
            x_write.append(xmem.write_port())
            x_read.append(xmem.read_port())

        # ---- admission: input -> preprocess -> a free slot's lanes -------------------------
        in_bin, idle = Signal(range(T)), Signal(range(4 * T + 1))
        tag_in = Signal(spec.tag_bits)
        m.d.comb += [pre.counts.payload.eq(self.inp.payload.count),
                     pre.counts.valid.eq(self.inp.valid), self.inp.ready.eq(pre.counts.ready)]
        with m.If(self.inp.valid & self.inp.ready):
            m.d.sync += in_bin.eq(Mux(in_bin == T - 1, 0, in_bin + 1))
            with m.If(in_bin == 0):
                m.d.sync += tag_in.eq(self.inp.payload.tag)
        with m.If(self.inp.valid):
            m.d.sync += idle.eq(0)
        with m.Elif(idle != 4 * T):
            m.d.sync += idle.eq(idle + 1)

        ld_slot, ld_lane, ld_t = Signal(range(S)), Signal(range(B)), Signal(range(T))
        start_slot = Signal()
        m.d.comb += pre.out.ready.eq(states[ld_slot] == FREE)
        for b in range(B):
            m.d.comb += [x_write[b].addr.eq(_scaled(ld_slot, T, S) + ld_t),
                         x_write[b].data.eq(pre.out.payload.x),
                         x_write[b].en.eq(pre.out.valid & pre.out.ready & (ld_lane == b))]
        with m.If(pre.out.valid & pre.out.ready):
            m.d.sync += ld_t.eq(ld_t + 1)
            with m.If(ld_t == 0):
                m.d.sync += [tags[ld_slot][ld_lane].eq(tag_in),
                             pixel_valid[ld_slot].bit_select(ld_lane, 1).eq(
                                 pre.out.payload.valid),
                             used[ld_slot].bit_select(ld_lane, 1).eq(1)]
            with m.If(ld_t == T - 1):
                m.d.sync += [ld_t.eq(0), ld_lane.eq(ld_lane + 1)]
                m.d.comb += start_slot.eq(ld_lane == B - 1)
        # end of stream: start a partly filled slot once the input has offered nothing for 4 T
        with m.If((ld_lane != 0) & (ld_t == 0) & (idle == 4 * T) & ~pre.out.valid):
            m.d.comb += start_slot.eq(1)
        with m.If(start_slot):
            m.d.sync += [states[ld_slot].eq(READY), step[ld_slot].eq(0),
                         decoding[ld_slot].eq(0), fresh[ld_slot].eq(1), ld_lane.eq(0),
                         ld_slot.eq(Mux(ld_slot == S - 1, 0, ld_slot + 1))]

        # ---- matmul unit ------------------------------------------------------------------
        m.submodules.weights = wmem = Memory(shape=unsigned(R * wb), depth=2 * G * H,
                                             init=self._weight_words())
        w_rd = wmem.read_port()
        mm_slot, mm_layer, mm_fresh = Signal(range(S)), Signal(), Signal()
        col, group = Signal(range(H)), Signal(range(G))
        issue = self.matmul_issue
        # m1, m2: memory outputs registered twice (one weight word and one state feed every
        # multiplier: the state's second register is one copy per MATMUL_FANOUT multipliers,
        # the weights' lets the placer spread their fan-out); m3, m4: the operands, then the
        # products, registered in the multipliers (rtl.dsp); m5: products registered again,
        # beside the accumulators; m6: accumulated
        mm = self._pipeline(m, "mm", MATMUL_STAGES, {
            "valid": (1, issue), "first": (1, col == 0), "last": (1, col == H - 1),
            "group": (range(G), group), "slot": (range(S), mm_slot), "fresh": (1, mm_fresh)})
        m.d.comb += w_rd.addr.eq(mm_layer * (G * H) + group * H + col)
        m.d.comb += [h_mm[b].addr.eq(mm_slot * H + col) for b in range(B)]
        weights = _registered(m, w_rd.data, "weights", 2)
        done = mm[MATMUL_STAGES]
        drain = [[Signal(acc_shape, name=f"drain{b}_{i}", reset_less=True) for i in range(R)]
                 for b in range(B)]
        drain_left, drain_slot, drain_final = Signal(range(R + 1)), Signal(range(S)), Signal()
        drain_gate, drain_unit = Signal(range(3)), Signal(range(H))
        copy = done["valid"] & done["last"]
        # the accumulators' and drain registers' controls reach thousands of flip-flops: one
        # copy of each per MATMUL_FANOUT multipliers, registered from the stage before
        before = mm[MATMUL_STAGES - 1]
        control = {name: fanout(m, value, f"mm_{name}", B * R, MATMUL_FANOUT)
                   for name, value in (("valid", before["valid"]), ("first", before["first"]),
                                       ("copy", before["valid"] & before["last"]))}
        for b in range(B):
            h_value = _registered(m, Mux(mm[1]["fresh"], 0, h_mm[b].data).as_signed(),
                                  f"h_value{b}")
            h_value = fanout(m, h_value, f"h_value{b}", R, MATMUL_FANOUT)
            products = registered_products(m, [
                (weights[i * wb:(i + 1) * wb].as_signed(), h_value[i],
                 b * R + i < self.matmul_dsps, f"product{b}_{i}") for i in range(R)],
                self.family)
            for i in range(R):
                lane = b * R + i
                product = _registered(m, products[i], f"product{b}_{i}")
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
                m.d.comb += [acc_write[b][k].addr.eq(drain_slot * H + drain_unit),
                             acc_write[b][k].data.eq(drain[b][0]),
                             acc_write[b][k].en.eq((drain_left != 0) & (drain_gate == k))]
        with m.If(drain_left != 0):
            m.d.sync += [drain_left.eq(drain_left - 1), drain_unit.eq(drain_unit + 1)]
            with m.If(drain_unit == H - 1):
                m.d.sync += [drain_unit.eq(0), drain_gate.eq(drain_gate + 1)]
            with m.If((drain_left == 1) & drain_final):
                m.d.sync += states[drain_slot].eq(GATE_READY)
        with m.If(copy):
            m.d.sync += [drain_left.eq(R), drain_slot.eq(done["slot"]),
                         drain_final.eq(done["group"] == G - 1)]
            with m.If(done["group"] == 0):
                m.d.sync += [drain_gate.eq(0), drain_unit.eq(0)]
        with m.FSM(name="matmul"):
            with m.State("IDLE"):
                self._claim(m, states, READY, MATMUL, lambda slot: [
                    mm_slot.eq(slot), mm_layer.eq(decoding[slot]), mm_fresh.eq(fresh[slot]),
                    col.eq(0), group.eq(0)])
            with m.State("RUN"):
                m.d.comb += issue.eq(1)
                m.d.sync += col.eq(col + 1)
                with m.If(col == H - 1):
                    m.d.sync += [col.eq(0), group.eq(group + 1)]
                    with m.If(group == G - 1):
                        m.next = "IDLE"

        # ---- gate unit --------------------------------------------------------------------
        self._gates(m, states=states, step=step, decoding=decoding, fresh=fresh, sums=sums,
                    first=first, h_gate=h_gate, h_write=h_write, acc_read=acc_read,
                    x_read=x_read)

        # ---- results: finished slots through the divider ----------------------------------
        # the lane's results are picked in two registered steps (its lane in every slot, then
        # the slot): the lanes' integrals sit all over the die, and results are rare, so the
        # pick may take its time (SETTLE cycles) rather than one long route. A step with one
        # choice is no step and no register (a finished slot's integrals hold still while it
        # waits for the divider): a one-lane core keeps no copies of its results.
        out_slot, out_lane = Signal(range(S)), Signal(range(B))
        settle = Signal(range(SETTLE + 1))
        layout = result.inp.payload.shape()
        in_slot = [Signal(layout, name=f"pick{s}", reset_less=True) for s in range(S)]
        lane_pick = _pick_domain(m, B)
        for s, pick in enumerate(in_slot):
            lane_pick += [pick.tag.eq(tags[s][out_lane]),
                          pick.valid.eq(pixel_valid[s].bit_select(out_lane, 1))]
            lane_pick += [pick.sums[k].eq(sums[s][out_lane][k]) for k in range(C)]
            lane_pick += [pick.first[k].eq(first[s][out_lane][k]) for k in range(C)]
        picked = Signal(layout, reset_less=True)
        slot_pick = _pick_domain(m, S)
        slot_pick += picked.as_value().eq(Array(p.as_value() for p in in_slot)[out_slot])
        m.d.comb += result.inp.payload.eq(picked)
        with m.FSM(name="results"):
            with m.State("IDLE"):
                self._claim(m, states, FINISH, FINISH, lambda slot: [
                    out_slot.eq(slot), out_lane.eq(0), settle.eq(SETTLE)])
            with m.State("RUN"):
                lane_used = used[out_slot].bit_select(out_lane, 1)
                with m.If(settle != 0):
                    m.d.sync += settle.eq(settle - 1)
                with m.Else():
                    m.d.comb += result.inp.valid.eq(lane_used)
                    with m.If(result.inp.ready | ~lane_used):
                        m.d.sync += [out_lane.eq(out_lane + 1), settle.eq(SETTLE)]
                        with m.If(out_lane == B - 1):
                            m.d.sync += [states[out_slot].eq(FREE), used[out_slot].eq(0)]
                            m.next = "IDLE"
        return m

    def _gates(self, m, *, states, step, decoding, fresh, sums, first, h_gate, h_write,
               acc_read, x_read):
        """The gate pipeline (stages g0 .. g16) and the per-step slot bookkeeping."""
        spec, q, T = self.spec, self.qmodel, self.bins
        H, B, S = self.hidden_size, self.batch, self.slots
        wb, sf = spec.bits, spec.sigmoid_frac
        enc, dec = self.layers
        pre_shape = signed(self.pre_width)
        rom = lambda name, attr_fn: self._rom(m, name, [v for layer in self.layers
                                                         for v in attr_fn(layer)])
        # the decoder's input is zero: its input weights are stored as zeros, so the input
        # product needs no multiplexer in front of the multiplier
        w_in = lambda l: l.w_ih[:, 0] * (l is enc)
        w_r = rom("w_r", lambda l: w_in(l)[:H])
        w_z = rom("w_z", lambda l: w_in(l)[H:2 * H])
        w_n = rom("w_n", lambda l: w_in(l)[2 * H:])
        b_r = rom("b_r", lambda l: l.b_ih[:H] + l.b_hh[:H])
        b_z = rom("b_z", lambda l: l.b_ih[H:2 * H] + l.b_hh[H:2 * H])
        b_in = rom("b_in", lambda l: l.b_ih[2 * H:])
        b_hn = rom("b_hn", lambda l: l.b_hh[2 * H:])
        head_w = [self._rom(m, f"head_w{k}", q.head_w[k]) for k in range(spec.CHANNELS)]

        def by_layer(layer_bit, build):
            """``build(shifts)`` for the encoder or decoder, chosen by ``layer_bit``."""
            return Mux(layer_bit, build(self._shifts(dec)), build(self._shifts(enc)))

        g_slot = Signal(range(S))
        unit, issue = Signal(range(H)), Signal()
        g = self._pipeline(m, "g", GATE_STAGES, {
            "valid": (1, issue), "unit": (range(H), unit), "slot": (range(S), g_slot)})
        one = Const(1 << sf, unsigned(sf + 1))
        head_shift = q.head_acc_frac - spec.output_frac
        # a step's end and what it does to the integrals, decided from stage GATE_STAGES - 1
        # and registered, so that the decision is not on the route to the integrals' enables
        # (the slot's layer and step change only at its own step's end)
        before = g[GATE_STAGES - 1]
        ending = before["valid"] & (before["unit"] == H - 1)
        job_end, integrate, first_step = (Signal(name=name) for name in
                                          ("job_end", "integrate", "first_step"))
        m.d.sync += [job_end.eq(ending), integrate.eq(ending & decoding[before["slot"]]),
                     first_step.eq(step[before["slot"]] == 0)]

        products = []

        def multiply(a, b, name):
            """Gate-unit product ``name``, one cycle later (on a hard multiplier, or from LUTs
            over the bits of ``b``); built for the lane by :func:`rtl.dsp.registered_products`
            once all its products are known, so that the iCE40 can pair them."""
            product = Signal((a * b).shape(), name=f"{name}{len(products)}")
            products.append((a, b, name in self.hard_products, product))
            return product

        registered = lambda value, name, stages=1: _registered(m, value, name, stages)

        # a job's slot, layer, first-step flag and time step stay put until its last unit
        # leaves the pipeline, so only the slot travels down it
        def at(n, field):
            """The ``"slot"`` or ``"unit"`` in stage ``n`` (0: the issuing counters)."""
            return g[n][field] if n else {"slot": g_slot, "unit": unit}[field]
        layer_at = lambda n: decoding[at(n, "slot")]

        # Each memory is read just in time, which keeps delay chains short: the small constant
        # tables (logic, with an output register) one stage before their value is used, the
        # lane memories (block or LUT RAM, output registered again) two stages before.
        def constant(port, n):
            m.d.comb += port.addr.eq(layer_at(n - 1) * H + at(n - 1, "unit"))
            return port.data

        def lane_read(port, address, name):
            m.d.comb += port.addr.eq(address)
            return registered(port.data, name)

        lane_address = lambda n: at(n, "slot") * H + at(n, "unit")

        w_x = {"r": constant(w_r, 2), "n": constant(w_n, 5), "z": constant(w_z, 6)}
        bias = {"r": constant(b_r, 3), "hn": constant(b_hn, 5), "in": constant(b_in, 6),
                "z": constant(b_z, 7)}
        m.d.comb += [port.addr.eq(g[12]["unit"]) for port in head_w]
        for b in range(B):
            accumulator = lambda k, n: lane_read(acc_read[b][k], lane_address(n - 2),
                                                 f"hacc{b}_{k}")
            hacc = {"r": accumulator(0, 3), "n": accumulator(2, 5), "z": accumulator(1, 7)}
            x2 = lane_read(x_read[b], _scaled(g_slot, T, S) + step[g_slot], f"x{b}")
            x = {"r": x2, "n": registered(x2, f"x{b}_n", 3)}
            x["z"] = registered(x["n"], f"x{b}_z")
            m.d.comb += h_gate[b].addr.eq(lane_address(8))
            luts = {}
            for name, kind in (("r", "sigmoid"), ("z", "sigmoid"), ("n", "tanh")):
                luts[name] = lut = ActivationLUT(kind=kind, spec=spec, pre_width=self.pre_width,
                                                 pre_frac=self.lut_frac)
                m.submodules[f"{kind}_{name}{b}"] = lut
                m.d.comb += lut.en.eq(1)
            wx = {k: Signal(signed(wb + spec.input_bits + 1), name=f"wx_{k}{b}", reset_less=True)
                  for k in "rzn"}
            m.d.comb += [wx[k].eq(multiply(w_x[k], x[k], f"wx_{k}")) for k in "rzn"]

            def pre_act(k, n):
                """Gate ``k``'s pre-activation at the table's scale, in stage ``n``."""
                return by_layer(layer_at(n), lambda s: ((wx[k] << s[0]) + (hacc[k] << s[1])
                                                          + bias[k]) >> s[2])
            pre = {k: Signal(pre_shape, name=f"pre_{k}{b}", reset_less=True) for k in "rz"}
            ax_n, ah_n = (Signal(pre_shape, name=f"{name}{b}", reset_less=True)
                          for name in ("ax_n", "ah_n"))
            # r: input product (g2), pre-activation (g3), table (g4), registered (g5)
            m.d.sync += pre["r"].eq(pre_act("r", 3))
            m.d.comb += luts["r"].pre.eq(pre["r"])
            r = registered(luts["r"].out, f"r{b}")
            # n: W_hn h + b_hn (g5); r * (W_hn h + b_hn) in two halves that each fit one
            # multiplier, and the input half (g6); pre-activation (g7); table (g8, g9)
            m.d.sync += ah_n.eq(by_layer(layer_at(5), lambda s: (hacc["n"] << s[1])
                                         + bias["hn"]))
            split = self.r_ah_split
            halves = (ah_n[:split], ah_n[split:].as_signed())
            r_ah_lo, r_ah_hi = (Signal(signed(len(half) + sf + 1), name=f"r_ah_{part}{b}",
                                       reset_less=True)
                                for part, half in zip(("lo", "hi"), halves))
            m.d.comb += [r_ah_lo.eq(multiply(halves[0], r, "r_ah")),
                         r_ah_hi.eq(multiply(halves[1], r, "r_ah"))]
            m.d.sync += ax_n.eq(by_layer(layer_at(6), lambda s: (wx["n"] << s[0])
                                         + bias["in"]))
            n_sum = Signal(pre_shape, name=f"n_sum{b}")
            n_pre = Signal(pre_shape, name=f"n_pre{b}", reset_less=True)
            m.d.comb += n_sum.eq(ax_n + round_shift((r_ah_hi << split) + r_ah_lo, sf))
            m.d.sync += n_pre.eq(by_layer(layer_at(7), lambda s: n_sum >> s[2]))
            m.d.comb += luts["n"].pre.eq(n_pre)
            n = registered(luts["n"].out, f"n{b}")
            # z, as late as the blend allows: input product (g6), pre-activation (g7), table
            # (g8, g9); the old state is read in g8
            m.d.sync += pre["z"].eq(pre_act("z", 7))
            m.d.comb += luts["z"].pre.eq(pre["z"])
            z = registered(luts["z"].out, f"z{b}")
            h_prev = Signal(signed(wb), name=f"h_old{b}", reset_less=True)
            m.d.sync += h_prev.eq(Mux(fresh[g[9]["slot"]], 0, h_gate[b].data))
            # g10: the two blend products registered
            keep, update = (Signal(signed(2 * wb + 2), name=f"keep{b}", reset_less=True),
                            Signal(signed(2 * wb + 2), name=f"update{b}", reset_less=True))
            m.d.comb += [update.eq(multiply(n, one - z, "update")),
                         keep.eq(multiply(h_prev, z, "keep"))]
            # g11: the blend registered; g12: the new state into the state memory
            blend = registered(update + keep, f"blend{b}")
            h_new = Signal(signed(wb), name=f"h_new{b}", reset_less=True)
            m.d.comb += [h_write[b].addr.eq(lane_address(12)),
                         h_write[b].data.eq(saturate(round_shift(blend, sf), wb)),
                         h_write[b].en.eq(g[12]["valid"])]
            m.d.sync += h_new.eq(h_write[b].data)
            # g13: Dense(3) products; g14: accumulated unit by unit; g15: outputs clamped
            for k in range(spec.CHANNELS):
                product = Signal(signed(2 * wb), name=f"head_product{b}_{k}", reset_less=True)
                m.d.comb += product.eq(multiply(head_w[k].data, h_new, f"head_{k}"))
                acc = Signal(signed(self.head_width), name=f"head{b}_{k}", reset_less=True)
                start = Mux(g[14]["unit"] == 0, int(q.head_b[k]), acc)
                with m.If(g[14]["valid"]):
                    m.d.sync += acc.eq(start + product)
                y = Signal(signed(spec.output_bits), name=f"y{b}_{k}")
                m.d.comb += y.eq(saturate(round_shift(acc, head_shift), spec.output_bits))
                clamped = registered(Mux(y > 0, y, 0), f"clamped{b}_{k}")
                # g16: on decoder steps, the step's outputs into the running integrals
                last = g[GATE_STAGES]
                with m.If(integrate):
                    lane_sum = sums[last["slot"]][b][k]
                    with m.If(first_step):
                        m.d.sync += [lane_sum.eq(clamped), first[last["slot"]][b][k].eq(clamped)]
                    with m.Else():
                        m.d.sync += lane_sum.eq(lane_sum + clamped)
        built = registered_products(m, [(a, b, hard, f"{product.name}_p")
                                        for a, b, hard, product in products],
                                    self.family, latency=1)
        m.d.comb += [product.eq(value) for (*_, product), value in zip(products, built)]
        # bookkeeping at the end of a step: the slot waits for its next matmul, or finishes
        end = g[GATE_STAGES]
        with m.If(job_end):
            slot = end["slot"]
            last = step[slot] == T - 1
            m.d.sync += [fresh[slot].eq(0), step[slot].eq(Mux(last, 0, step[slot] + 1)),
                         states[slot].eq(READY)]
            with m.If(last):
                m.d.sync += decoding[slot].eq(1)
                with m.If(decoding[slot]):
                    m.d.sync += states[slot].eq(FINISH)
        with m.FSM(name="gates"):
            with m.State("IDLE"):
                self._claim(m, states, GATE_READY, GATES, lambda slot: [
                    g_slot.eq(slot), unit.eq(0)])
            with m.State("RUN"):
                m.d.comb += issue.eq(1)
                m.d.sync += unit.eq(unit + 1)
                with m.If(unit == H - 1):
                    m.next = "IDLE"
