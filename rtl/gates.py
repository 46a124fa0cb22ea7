"""The gate unit: a GRU step's gates, new state and Dense(3) head, one hidden unit per cycle."""
from amaranth import Array, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import ReadPort, WritePort
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2

from golden.widths import layer_shifts

from .activation import ActivationLUT
from .arith import round_shift, saturate
from .dsp import registered_products
from .pipeline import control_pipeline, registered, rom, scaled
from .result import integral_layout
from .scheduler import context_layout, event, gate_job

__all__ = ["GateUnit", "GATE_PRODUCTS", "SCHEDULE", "check_schedule"]

#: The gate unit's products per lane, widest (costliest in LUTs) first.
GATE_PRODUCTS = ("r_ah", "update", "keep", "wx_r", "wx_z", "wx_n", "head_0", "head_1",
                 "head_2")

#: The stage of the gate pipeline at which each operation's operands are present, and what it
#: waits for: ``{operation: (stage, ((operand, cycles after it), ...))}``. Products and table
#: reads take one cycle, memory reads two (the output is registered again), registers one.
SCHEDULE = {
    "issue": (0, ()),
    "x_read": (0, (("issue", 0),)),
    "r_input": (2, (("x_read", 2),)),               # w_r x
    "r_pre": (3, (("r_input", 1),)),                # + W_hr h + b_r, to the table's scale
    "r_table": (4, (("r_pre", 1),)),
    "n_hidden": (5, (("issue", 5),)),               # W_hn h + b_hn
    "n_input": (5, (("r_input", 3),)),              # w_n x
    "r_ah": (6, (("r_table", 2), ("n_hidden", 1))),  # r * (W_hn h + b_hn), in two products
    "n_input_sum": (6, (("n_input", 1),)),          # w_n x + b_in
    "z_input": (6, (("n_input", 1),)),              # w_z x
    "n_pre": (7, (("r_ah", 1), ("n_input_sum", 1))),
    "z_pre": (7, (("z_input", 1),)),
    "state_read": (8, (("issue", 8),)),
    "tables": (8, (("n_pre", 1), ("z_pre", 1))),    # tanh(n), sigmoid(z)
    "blend": (10, (("tables", 2), ("state_read", 2))),  # (1 - z) n and z h
    "blend_sum": (11, (("blend", 1),)),
    "state_write": (12, (("blend_sum", 1),)),
    "head": (13, (("state_write", 1),)),            # W_d h'
    "head_sum": (14, (("head", 1),)),
    "clamp": (15, (("head_sum", 1),)),
    "integrate": (16, (("clamp", 1),)),
}


def check_schedule(schedule):
    """The pipeline depth of ``schedule``; ``ValueError`` unless every operation's stage is the
    latest of its operands' stages plus their cycles."""
    for name, (stage, operands) in schedule.items():
        if operands and stage != max(schedule[o][0] + cycles for o, cycles in operands):
            raise ValueError(f"gate schedule: {name} at stage {stage} does not follow "
                             f"{', '.join(o for o, _ in operands)}")
    return max(stage for stage, _ in schedule.values())


#: Pipeline depth: the stage at which a step's last unit updates the slot.
GATE_STAGES = check_schedule(SCHEDULE)
STAGE = {name: stage for name, (stage, _) in SCHEDULE.items()}
#: ``r * (W_hn h + b_hn)`` is two products, split at this bit of the wide operand so that each
#: fits one hard multiplier (iCE40 SB_MAC16: 16 x 16, ECP5 MULT18X18D: 18 x 18, signed).
R_AH_SPLIT = 15


class GateUnit(wiring.Component):
    """One GRU step of a slot's lanes, one hidden unit per cycle, in a :data:`LATENCY`-stage
    pipeline (:data:`SCHEDULE`): for Fmax, every block RAM output is registered before use, and
    no stage holds more than one multiplier, table read or adder chain.

    Per unit: the gate constants and recurrent accumulators from memory; the input products;
    the ``r``/``z`` pre-activations and tables; ``r * (W_hn h + b_hn)`` as two products; ``n``'s
    pre-activation and the ``tanh`` table; the blend ``h' = (1 - z) n + z h`` into the state
    memory; on decoder steps the Dense(3) head accumulates ``W_d h'`` unit by unit, and the
    running integrals take its clamped outputs at the step's end.

    Parameters
    ----------
    qmodel : golden.quantize.QuantSeq2Seq
        One encoder and one decoder layer, input size 1.
    bins, batch, slots : int
    widths : golden.widths.Widths
    hard : tuple of str
        The products (of :data:`GATE_PRODUCTS`) on hard multipliers; the others from LUTs.
    family : None, "ice40" or "ecp5"
        See :func:`rtl.dsp.registered_products`.

    Attributes
    ----------
    job : In(stream.Signature(rtl.scheduler.gate_job))
    context : In(ArrayLayout(rtl.scheduler.context_layout(bins), slots))
        The slots' layers, steps and fresh flags; each stage reads its unit's slot's (they stay
        put until the job is done, so only the slot travels down the pipeline and the next job
        may start behind it).
    done : Out(event(range(slots)))
        A job's last unit has left the pipeline, :data:`LATENCY` cycles after it was issued.
    acc_read : In(ReadPort.Signature).array(batch, 3)
        Each lane's recurrent accumulators (``W_hh h``) of the ``r``, ``z`` and ``n`` rows.
    x_read : In(ReadPort.Signature).array(batch)
        Each lane's inputs (``T`` per slot).
    h_read, h_write : In(ReadPort.Signature).array(batch), In(WritePort.Signature).array(batch)
        Each lane's state memory (``H`` words per slot).
    integrals : Out(ArrayLayout(ArrayLayout(rtl.result.integral_layout, batch), slots))
    """

    LATENCY = GATE_STAGES

    def __init__(self, *, qmodel, bins, batch, slots, widths, hard=GATE_PRODUCTS, family=None):
        spec = qmodel.spec
        self.qmodel, self.spec, self.widths = qmodel, spec, widths
        self.layers = (qmodel.encoder[0], qmodel.decoder[0])
        self.bins, self.batch, self.slots = bins, batch, slots
        self.hidden_size = H = qmodel.hidden_size
        self.hard, self.family = tuple(hard), family
        self.r_ah_split = min(R_AH_SPLIT, widths.pre - 1)
        state = ceil_log2(slots * H)
        super().__init__({
            "job": In(stream.Signature(gate_job(slots))),
            "context": In(data.ArrayLayout(context_layout(bins), slots)),
            "done": Out(event(range(slots))),
            "acc_read": In(ReadPort.Signature(addr_width=state,
                                              shape=signed(widths.acc))).array(batch, 3),
            "x_read": In(ReadPort.Signature(addr_width=ceil_log2(slots * bins),
                                            shape=unsigned(spec.input_bits))).array(batch),
            "h_read": In(ReadPort.Signature(addr_width=state, shape=signed(spec.bits))
                         ).array(batch),
            "h_write": In(WritePort.Signature(addr_width=state, shape=signed(spec.bits))
                          ).array(batch),
            "integrals": Out(data.ArrayLayout(data.ArrayLayout(integral_layout(widths, spec),
                                                               batch), slots))})

    def elaborate(self, platform):
        m = Module()
        spec, q, T, widths = self.spec, self.qmodel, self.bins, self.widths
        H, B, S = self.hidden_size, self.batch, self.slots
        wb, sb, sf, C = spec.weight_bits, spec.bits, spec.sigmoid_frac, spec.CHANNELS
        enc, dec = self.layers
        pre_shape = signed(widths.pre)
        table = lambda name, values: rom(m, name, [v for layer in self.layers
                                                  for v in values(layer)])
        # the decoder's input is zero: its input weights are stored as zeros, so the input
        # product needs no multiplexer in front of the multiplier
        w_in = lambda l: l.w_ih[:, 0] * (l is enc)
        w_r = table("w_r", lambda l: w_in(l)[:H])
        w_z = table("w_z", lambda l: w_in(l)[H:2 * H])
        w_n = table("w_n", lambda l: w_in(l)[2 * H:])
        b_r = table("b_r", lambda l: l.b_ih[:H] + l.b_hh[:H])
        b_z = table("b_z", lambda l: l.b_ih[H:2 * H] + l.b_hh[H:2 * H])
        b_in = table("b_in", lambda l: l.b_ih[2 * H:])
        b_hn = table("b_hn", lambda l: l.b_hh[2 * H:])
        head_w = [rom(m, f"head_w{k}", q.head_w[k]) for k in range(C)]

        def by_layer(layer_bit, build):
            """``build(shifts)`` for the encoder or decoder, chosen by ``layer_bit``."""
            return Mux(layer_bit, build(layer_shifts(dec, widths.lut_frac)),
                       build(layer_shifts(enc, widths.lut_frac)))

        slot, unit, issue = Signal(range(S)), Signal(range(H)), Signal()
        g = control_pipeline(m, "g", GATE_STAGES, {
            "valid": (1, issue), "unit": (range(H), unit), "slot": (range(S), slot)})
        g[0] = {"valid": issue, "unit": unit, "slot": slot}
        context = lambda n: self.context[g[n]["slot"]]
        one = Const(1 << sf, unsigned(sf + 1))
        head_shift = q.head_acc_frac - spec.output_frac
        # a step's end and what it does to the integrals, decided a stage early and registered,
        # so that the decision is not on the route to the integrals' enables
        before = g[GATE_STAGES - 1]
        ending = before["valid"] & (before["unit"] == H - 1)
        job_end, integrate, first_step = (Signal(name=name) for name in
                                          ("job_end", "integrate", "first_step"))
        m.d.sync += [job_end.eq(ending),
                     integrate.eq(ending & context(GATE_STAGES - 1).layer),
                     first_step.eq(context(GATE_STAGES - 1).step == 0)]

        products = []

        def multiply(a, b, name):
            """Product ``name``, one cycle later (on a hard multiplier, or from LUTs over the
            bits of ``b``); built for the lane by :func:`rtl.dsp.registered_products` once all
            its products are known, so that the iCE40 can pair them."""
            product = Signal((a * b).shape(), name=f"{name}{len(products)}")
            products.append((a, b, name in self.hard, product))
            return product

        reg = lambda value, name, stages=1: registered(m, value, name, stages)

        # Each memory is read just in time, which keeps delay chains short: the small constant
        # tables (logic, with an output register) one stage before their value is used, the
        # lane memories (block or LUT RAM, output registered again) two stages before.
        def constant(port, n):
            m.d.comb += port.addr.eq(context(n - 1).layer * H + g[n - 1]["unit"])
            return port.data

        def lane_read(port, address, name):
            m.d.comb += port.addr.eq(address)
            return reg(port.data, name)

        lane_address = lambda n: g[n]["slot"] * H + g[n]["unit"]

        w_x = {"r": constant(w_r, STAGE["r_input"]), "n": constant(w_n, STAGE["n_input"]),
               "z": constant(w_z, STAGE["z_input"])}
        bias = {"r": constant(b_r, STAGE["r_pre"]), "hn": constant(b_hn, STAGE["n_hidden"]),
                "in": constant(b_in, STAGE["n_input_sum"]), "z": constant(b_z, STAGE["z_pre"])}
        m.d.comb += [port.addr.eq(g[STAGE["state_write"]]["unit"]) for port in head_w]
        # the running integrals: data registers without reset (each is written before it is
        # read)
        integrals = [[{part: [Signal(self.integrals[s][b][part][k].shape(),
                                     name=f"{part}{s}_{b}_{k}", reset_less=True)
                              for k in range(C)] for part in ("sums", "first")}
                      for b in range(B)] for s in range(S)]
        for s in range(S):
            for b in range(B):
                for part in ("sums", "first"):
                    m.d.comb += [self.integrals[s][b][part][k].eq(integrals[s][b][part][k])
                                 for k in range(C)]
        for b in range(B):
            accumulator = lambda k, n: lane_read(self.acc_read[b][k], lane_address(n - 2),
                                                 f"hacc{b}_{k}")
            hacc = {"r": accumulator(0, STAGE["r_pre"]), "n": accumulator(2, STAGE["n_hidden"]),
                    "z": accumulator(1, STAGE["z_pre"])}
            x2 = lane_read(self.x_read[b], scaled(slot, T, S) + context(0).step, f"x{b}")
            x = {"r": x2, "n": reg(x2, f"x{b}_n", STAGE["n_input"] - STAGE["r_input"])}
            x["z"] = reg(x["n"], f"x{b}_z", STAGE["z_input"] - STAGE["n_input"])
            m.d.comb += self.h_read[b].addr.eq(lane_address(STAGE["state_read"]))
            luts = {}
            for name, kind in (("r", "sigmoid"), ("z", "sigmoid"), ("n", "tanh")):
                luts[name] = lut = ActivationLUT(kind=kind, spec=spec, pre_width=widths.pre,
                                                 pre_frac=widths.lut_frac)
                m.submodules[f"{kind}_{name}{b}"] = lut
                m.d.comb += lut.en.eq(1)
            wx = {k: Signal(signed(wb + spec.input_bits + 1), name=f"wx_{k}{b}", reset_less=True)
                  for k in "rzn"}
            m.d.comb += [wx[k].eq(multiply(w_x[k], x[k], f"wx_{k}")) for k in "rzn"]

            def pre_act(k, n):
                """Gate ``k``'s pre-activation at the table's scale, in stage ``n``."""
                return by_layer(context(n).layer, lambda s: ((wx[k] << s[0]) + (hacc[k] << s[1])
                                                           + bias[k]) >> s[2])
            pre = {k: Signal(pre_shape, name=f"pre_{k}{b}", reset_less=True) for k in "rz"}
            ax_n, ah_n = (Signal(pre_shape, name=f"{name}{b}", reset_less=True)
                          for name in ("ax_n", "ah_n"))
            m.d.sync += pre["r"].eq(pre_act("r", STAGE["r_pre"]))
            m.d.comb += luts["r"].pre.eq(pre["r"])
            r = reg(luts["r"].out, f"r{b}")
            m.d.sync += ah_n.eq(by_layer(context(STAGE["n_hidden"]).layer,
                                         lambda s: (hacc["n"] << s[1]) + bias["hn"]))
            split = self.r_ah_split
            halves = (ah_n[:split], ah_n[split:].as_signed())
            r_ah_lo, r_ah_hi = (Signal(signed(len(half) + sf + 1), name=f"r_ah_{part}{b}",
                                       reset_less=True)
                                for part, half in zip(("lo", "hi"), halves))
            m.d.comb += [r_ah_lo.eq(multiply(halves[0], r, "r_ah")),
                         r_ah_hi.eq(multiply(halves[1], r, "r_ah"))]
            m.d.sync += ax_n.eq(by_layer(context(STAGE["n_input_sum"]).layer,
                                         lambda s: (wx["n"] << s[0]) + bias["in"]))
            n_sum = Signal(pre_shape, name=f"n_sum{b}")
            n_pre = Signal(pre_shape, name=f"n_pre{b}", reset_less=True)
            m.d.comb += n_sum.eq(ax_n + round_shift((r_ah_hi << split) + r_ah_lo, sf))
            m.d.sync += n_pre.eq(by_layer(context(STAGE["n_pre"]).layer,
                                          lambda s: n_sum >> s[2]))
            m.d.comb += luts["n"].pre.eq(n_pre)
            n = reg(luts["n"].out, f"n{b}")
            # z, as late as the blend allows
            m.d.sync += pre["z"].eq(pre_act("z", STAGE["z_pre"]))
            m.d.comb += luts["z"].pre.eq(pre["z"])
            z = reg(luts["z"].out, f"z{b}")
            h_prev = Signal(signed(sb), name=f"h_old{b}", reset_less=True)
            m.d.sync += h_prev.eq(Mux(context(STAGE["state_read"] + 1).fresh, 0,
                                      self.h_read[b].data))
            keep, update = (Signal(signed(2 * sb + 2), name=f"keep{b}", reset_less=True),
                            Signal(signed(2 * sb + 2), name=f"update{b}", reset_less=True))
            m.d.comb += [update.eq(multiply(n, one - z, "update")),
                         keep.eq(multiply(h_prev, z, "keep"))]
            blend = reg(update + keep, f"blend{b}")
            h_new = Signal(signed(sb), name=f"h_new{b}", reset_less=True)
            write = self.h_write[b]
            m.d.comb += [write.addr.eq(lane_address(STAGE["state_write"])),
                         write.data.eq(saturate(round_shift(blend, sf), sb)),
                         write.en.eq(g[STAGE["state_write"]]["valid"])]
            m.d.sync += h_new.eq(write.data)
            for k in range(C):
                product = Signal(signed(wb + sb), name=f"head_product{b}_{k}", reset_less=True)
                m.d.comb += product.eq(multiply(head_w[k].data, h_new, f"head_{k}"))
                acc = Signal(signed(widths.head), name=f"head{b}_{k}", reset_less=True)
                start = Mux(g[STAGE["head_sum"]]["unit"] == 0, int(q.head_b[k]), acc)
                with m.If(g[STAGE["head_sum"]]["valid"]):
                    m.d.sync += acc.eq(start + product)
                y = Signal(signed(spec.output_bits), name=f"y{b}_{k}")
                m.d.comb += y.eq(saturate(round_shift(acc, head_shift), spec.output_bits))
                clamped = reg(Mux(y > 0, y, 0), f"clamped{b}_{k}")
                # on decoder steps, the step's outputs into the running integrals
                with m.If(integrate):
                    total = Array(integrals[s][b]["sums"][k] for s in range(S))[
                        g[GATE_STAGES]["slot"]]
                    first = Array(integrals[s][b]["first"][k] for s in range(S))[
                        g[GATE_STAGES]["slot"]]
                    with m.If(first_step):
                        m.d.sync += [total.eq(clamped), first.eq(clamped)]
                    with m.Else():
                        m.d.sync += total.eq(total + clamped)
        built = registered_products(m, [(a, b, hard, f"{product.name}_p")
                                        for a, b, hard, product in products],
                                    self.family, latency=1)
        m.d.comb += [product.eq(value) for (*_, product), value in zip(products, built)]
        m.d.comb += [self.done.valid.eq(job_end), self.done.payload.eq(g[GATE_STAGES]["slot"])]
        with m.FSM(name="gates"):
            with m.State("IDLE"):
                m.d.comb += self.job.ready.eq(1)
                with m.If(self.job.valid):
                    m.d.sync += [slot.eq(self.job.payload.slot), unit.eq(0)]
                    m.next = "RUN"
            with m.State("RUN"):
                m.d.comb += issue.eq(1)
                m.d.sync += unit.eq(unit + 1)
                with m.If(unit == H - 1):
                    m.next = "IDLE"
        return m
