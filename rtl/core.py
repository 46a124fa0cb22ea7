"""The Seq2SeqLite core: one pixel's histogram in, its lifetimes out, tagged.

preprocess -> encoder (T steps) -> decoder (T steps from the encoder's state, zero input) ->
Dense(3) + running integrals -> four divisions (tau of each channel, fraction) -> result.
Bit-exact to :func:`golden.intref.run_counts`. The preprocessing buffer takes the next pixel
while the current one is in the network.
"""
from amaranth import Array, Module, Mux, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from .gru import GRULayer
from .head import DenseHead
from .preprocess import Preprocess
from .result import TAG_BITS, ResultUnit, input_layout, result_layout

__all__ = ["Seq2SeqCore"]


class Seq2SeqCore(wiring.Component):
    """Quantized single-layer Seq2Seq for one pixel at a time.

    Parameters
    ----------
    qmodel : golden.quantize.QuantSeq2Seq
        One encoder and one decoder layer, input size 1.
    bins : int
        Histogram length T.
    multipliers : int
        Multipliers in each GRU layer's recurrent matmul.

    Attributes
    ----------
    inp : In(stream.Signature(StructLayout{tag, count}))
        ``bins`` transfers per pixel; the tag of the first one names the pixel.
    out : Out(stream.Signature(rtl.result.result_layout(spec)))
        The pixel's lifetimes, tagged.
    """

    def __init__(self, *, qmodel, bins, multipliers=1):
        if len(qmodel.encoder) != 1 or len(qmodel.decoder) != 1:
            raise ValueError(f"the core runs one-layer models, not {len(qmodel.encoder)} "
                             f"layers")
        spec = qmodel.spec
        self.qmodel, self.bins, self.multipliers = qmodel, bins, multipliers
        # built here so that bad parameters fail at construction, not at elaboration
        self.pre = Preprocess(bins=bins)
        self.enc = GRULayer(layer=qmodel.encoder[0], spec=spec, multipliers=multipliers)
        self.dec = GRULayer(layer=qmodel.decoder[0], spec=spec, multipliers=multipliers)
        self.head = DenseHead(qmodel=qmodel, bins=bins)
        self.result = ResultUnit(sum_shape=self.head.sum_shape,
                                 first_shape=self.head.first.shape().elem_shape, spec=spec)
        super().__init__({"inp": In(stream.Signature(input_layout())),
                          "out": Out(stream.Signature(result_layout(spec)))})

    def elaborate(self, platform):
        m = Module()
        T = self.bins
        m.submodules.pre = pre = self.pre
        m.submodules.enc = enc = self.enc
        m.submodules.dec = dec = self.dec
        m.submodules.head = head = self.head
        m.submodules.result = result = self.result
        H = enc.hidden_size

        # ---- input: counts to the preprocessing buffer, tag captured on a pixel's first bin
        in_bin = Signal(range(T))
        tag_in, tag, pixel_valid = Signal(TAG_BITS), Signal(TAG_BITS), Signal()
        m.d.comb += [pre.counts.payload.eq(self.inp.payload.count),
                     pre.counts.valid.eq(self.inp.valid), self.inp.ready.eq(pre.counts.ready)]
        with m.If(self.inp.valid & self.inp.ready):
            m.d.sync += in_bin.eq(Mux(in_bin == T - 1, 0, in_bin + 1))
            with m.If(in_bin == 0):
                m.d.sync += tag_in.eq(self.inp.payload.tag)

        # tie off inputs that are constant in this core (undriven ports are X in Verilog)
        m.d.comb += [enc.step.payload.h_in.as_value().eq(0), dec.step.payload.x.eq(0)]

        enc_t, dec_issued, head_t = Signal(range(T)), Signal(range(T + 1)), Signal(range(T))
        h_enc = Array(Signal(enc.out.payload[0].shape(), name=f"h_enc{i}") for i in range(H))
        wiring.connect(m, wiring.flipped(self.out), result.out)
        m.d.comb += [result.inp.payload.tag.eq(tag), result.inp.payload.valid.eq(pixel_valid),
                     result.inp.payload.sums.eq(head.sums),
                     result.inp.payload.first.eq(head.first)]

        with m.FSM():
            with m.State("ENCODE"):
                m.d.comb += [enc.step.valid.eq(pre.out.valid),
                             enc.step.payload.x.eq(pre.out.payload.x),
                             enc.step.payload.load.eq(enc_t == 0),
                             pre.out.ready.eq(enc.step.ready), enc.out.ready.eq(1)]
                with m.If(pre.out.valid & enc.step.ready & (enc_t == 0)):
                    m.d.sync += [tag.eq(tag_in), pixel_valid.eq(pre.out.payload.valid)]
                with m.If(enc.out.valid):
                    m.d.sync += enc_t.eq(enc_t + 1)
                    with m.If(enc_t == T - 1):
                        m.d.sync += [enc_t.eq(0), dec_issued.eq(0), head_t.eq(0)]
                        m.d.sync += [h_enc[i].eq(enc.out.payload[i]) for i in range(H)]
                        m.next = "DECODE"
            with m.State("DECODE"):
                m.d.comb += [dec.step.valid.eq(dec_issued < T),
                             dec.step.payload.load.eq(dec_issued == 0),
                             head.step.valid.eq(dec.out.valid),
                             dec.out.ready.eq(head.step.ready),
                             head.step.payload.first.eq(head_t == 0), head.out.ready.eq(1)]
                m.d.comb += [dec.step.payload.h_in[i].eq(h_enc[i]) for i in range(H)]
                m.d.comb += [head.step.payload.h[i].eq(dec.out.payload[i]) for i in range(H)]
                with m.If(dec.step.valid & dec.step.ready):
                    m.d.sync += dec_issued.eq(dec_issued + 1)
                with m.If(head.out.valid):
                    m.d.sync += head_t.eq(head_t + 1)
                    with m.If(head_t == T - 1):
                        m.d.sync += head_t.eq(0)
                        m.next = "RESULT"
            with m.State("RESULT"):
                m.d.comb += result.inp.valid.eq(1)
                with m.If(result.inp.ready):
                    m.next = "ENCODE"
        return m
