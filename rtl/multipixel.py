"""The multi-pixel core: pixel lanes sharing one weight memory and a pool of multipliers.

``slots`` x ``batch`` lanes each hold one pixel in flight. The ``batch`` lanes of a slot run in
lockstep, so every weight word read from block RAM feeds ``batch`` pixels: the recurrent matmul is
a matrix-matrix product over the batch on ``rows x batch`` multipliers. The core joins declared
components:

=================================  =============================================================
:class:`rtl.loader.InputLoader`    tagged histograms in, preprocessed, into free slots' lanes
:class:`rtl.scheduler.SlotScheduler`  the slots' states; offers each unit its next job
:class:`rtl.matmul.MatmulUnit`     ``W_hh h`` of a slot's layer into the accumulator memories
:class:`rtl.gates.GateUnit`        gates, new state and head of a step, one unit per cycle
:class:`rtl.result.LanePick`       a finished slot's lanes, one after another
:class:`rtl.result.ResultUnit`     the lifetimes' divisions, tagged
=================================  =============================================================

One GRU step of a slot is a matmul job then a gate job; the two units work on different slots at
once. Each lane has a state memory (read by both units, written by the gate unit), three
accumulator memories (matmul to gates) and an input memory (loader to gates). Results carry
their pixel's tag; they leave in admission order in steady state, but only the tag is
authoritative. ``slots=1, batch=1`` is the one-pixel-at-a-time ("manual scheduling") baseline.
Bit-exact to :func:`golden.intref.run_counts`.
"""
from amaranth import Module, Signal, signed, unsigned
from amaranth.lib import stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from golden.widths import datapath_widths

from .config import CoreConfig
from .gates import GateUnit
from .loader import InputLoader
from .matmul import MatmulUnit
from .result import LanePick, ResultUnit, input_layout, result_layout
from .scheduler import SlotScheduler

__all__ = ["MultiPixelCore"]


class MultiPixelCore(wiring.Component):
    """Quantized single-layer Seq2Seq for ``slots * batch`` pixels in flight.

    Parameters
    ----------
    qmodel : golden.quantize.QuantSeq2Seq
        One encoder and one decoder layer, input size 1.
    bins : int
        Histogram length T.
    config : rtl.config.CoreConfig
        Rows, batch, slots, which products are on hard multipliers, the FPGA family; ``rows``
        must divide ``3H`` and be at most ``H``.

    Attributes
    ----------
    inp : In(stream.Signature(rtl.result.input_layout(spec)))
        Per pixel ``bins`` bins, the final one marked ``last``; the tag of the first names the
        pixel. A flush token (the frame's end) starts a partly filled slot; without one, a slot
        waits for its ``batch`` pixels however slowly they come.
    out : Out(stream.Signature(rtl.result.result_layout(spec)))
        The pixel's lifetimes, tagged.
    dropped : Out(1)
        Pulses for each malformed input pixel (not ``bins`` bins long), which gets no result.
    matmul_issue : Signal(1)
        High in each cycle the matmul unit issues a multiply (for utilisation measurements).
    """

    def __init__(self, *, qmodel, bins, config=CoreConfig()):
        if len(qmodel.encoder) != 1 or len(qmodel.decoder) != 1:
            raise ValueError(f"the core runs one-layer models, not {len(qmodel.encoder)} "
                             f"layers")
        H, rows = qmodel.hidden_size, config.rows
        if (3 * H) % rows or rows > H:
            raise ValueError(f"rows must divide {3 * H} and be at most {H}, not {rows}")
        layers = (qmodel.encoder[0], qmodel.decoder[0])
        for layer in layers:
            if layer.w_ih.shape[1] != 1:
                raise ValueError(f"input_size must be 1, not {layer.w_ih.shape[1]}")
        self.qmodel, self.spec, self.bins, self.config = qmodel, qmodel.spec, bins, config
        self.hidden_size = H
        batch, slots = config.batch, config.slots
        spec = self.spec
        self.widths = widths = datapath_widths(qmodel, bins)
        self.loader = InputLoader(slots=slots, batch=batch, bins=bins, spec=spec)
        self.scheduler = SlotScheduler(slots=slots, batch=batch, bins=bins)
        self.matmul = MatmulUnit(layers=layers, rows=rows, batch=batch, slots=slots, spec=spec,
                                 widths=widths, family=config.family, hard=config.hard_matmul)
        self.gates = GateUnit(qmodel=qmodel, bins=bins, batch=batch, slots=slots,
                              widths=widths, family=config.family, hard=config.hard_gates)
        self.pick = LanePick(slots=slots, batch=batch, widths=widths, spec=spec)
        self.result = ResultUnit(widths=widths, spec=spec)
        self.matmul_issue = Signal()
        super().__init__({"inp": In(stream.Signature(input_layout(spec))),
                          "out": Out(stream.Signature(result_layout(spec))),
                          "dropped": Out(1)})

    def elaborate(self, platform):
        m = Module()
        spec, S, H, T = self.spec, self.config.slots, self.hidden_size, self.bins
        units = {"loader": self.loader, "scheduler": self.scheduler, "matmul": self.matmul,
                 "gates": self.gates, "pick": self.pick, "result": self.result}
        for name, unit in units.items():
            m.submodules[name] = unit
        loader, scheduler, matmul, gates, pick = (self.loader, self.scheduler, self.matmul,
                                                  self.gates, self.pick)
        wiring.connect(m, wiring.flipped(self.inp), loader.inp)
        wiring.connect(m, loader.start, scheduler.start)
        m.d.comb += [loader.free.eq(scheduler.free), gates.context.eq(scheduler.context),
                     self.matmul_issue.eq(matmul.issue), self.dropped.eq(loader.dropped)]
        for jobs, unit in ((scheduler.matmul, matmul), (scheduler.gates, gates),
                           (scheduler.results, pick)):
            wiring.connect(m, jobs, unit.job)
        for done, unit in ((scheduler.matmul_done, matmul), (scheduler.gates_done, gates),
                           (scheduler.results_done, pick)):
            wiring.connect(m, unit.done, done)
        m.d.comb += [pick.labels.eq(loader.labels), pick.integrals.eq(gates.integrals)]
        wiring.connect(m, pick.out, self.result.inp)
        wiring.connect(m, self.result.out, wiring.flipped(self.out))

        # each lane's memories: state (read by both units), accumulators (one per gate) and
        # inputs
        for b in range(self.config.batch):
            m.submodules[f"h{b}"] = state = Memory(shape=signed(spec.bits), depth=S * H, init=[])
            wiring.connect(m, matmul.h_read[b], state.read_port())
            wiring.connect(m, gates.h_read[b], state.read_port())
            wiring.connect(m, gates.h_write[b], state.write_port())
            for k in range(3):
                m.submodules[f"acc{b}_{k}"] = acc = Memory(
                    shape=signed(self.widths.acc), depth=S * H, init=[])
                wiring.connect(m, matmul.acc_write[b][k], acc.write_port())
                wiring.connect(m, gates.acc_read[b][k], acc.read_port())
            m.submodules[f"x{b}"] = inputs = Memory(shape=unsigned(spec.input_bits),
                                                    depth=S * T, init=[])
            wiring.connect(m, loader.x_write[b], inputs.write_port())
            wiring.connect(m, gates.x_read[b], inputs.read_port())
        return m
