"""The host-link protocol engine (``boards/PROTOCOL.md``): frames in, pixels to the core; results
and status reports out, as frames.

:class:`FrameReceiver` behaves exactly like :class:`boards.protocol.Parser` (plus BUSY, which
depends on the core's pace); :class:`FrameTransmitter` produces the bytes of
:func:`boards.protocol.result` and :func:`boards.protocol.status`.
"""
from amaranth import Array, Cat, Const, Module, Mux, Signal, Value, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.crc.catalog import CRC16_CCITT_FALSE
from amaranth.lib.fifo import SyncFIFO
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from rtl.result import input_layout, result_layout

from .protocol import (COUNTER_BITS, COUNTER_NAMES, COUNTERS_BYTES, HEADER_BYTES, MAX_RECORDS,
                       RECORD_BYTES, RESULT_BYTES, STATUS_BYTES, SYNC, TAG_BITS, VERSION,
                       Command, Source, Status, board_commands)
from .records import record_layout

__all__ = ["status_layout", "COUNTERS_LAYOUT", "FrameReceiver", "FrameTransmitter"]


def status_layout(photons):
    """A report for the transmitter: a STATUS frame, or, on a link with a photon path, a
    COUNTER_VALUES frame if ``counters``."""
    return data.StructLayout({"code": Status, "tag": unsigned(TAG_BITS),
                              **({"counters": 1} if photons else {})})


#: The counters a COUNTER_VALUES frame reports.
COUNTERS_LAYOUT = data.StructLayout({name: unsigned(COUNTER_BITS) for name in COUNTER_NAMES})
STATUS_DEPTH = 4
WORD_BITS = 16


def _word(value):
    """``value`` zero-extended to a 16-bit word."""
    value = Value.cast(value)
    return Cat(value, Const(0, WORD_BITS - len(value)))


def _wrong_length(length, allowed):
    """A command's length check: ``allowed`` one length, or (EVENTS) every even length from 2
    up."""
    if isinstance(allowed, int):
        return length != allowed
    top = max(allowed)
    if allowed != frozenset(range(2, top + 1, 2)):
        raise NotImplementedError(f"lengths {sorted(allowed)} are not the even ones up to {top}")
    return length[0] | (length == 0) | (length > top)


def _check_bins(bins):
    if not isinstance(bins, int) or bins < 1:
        raise ValueError(f"bins must be a positive integer, not {bins!r}")


class FrameReceiver(wiring.Component):
    """Parses received bytes; buffers HISTOGRAMs (two slots) until their CRC checked, then
    streams them to the core; passes each FLUSH on as a flush token after the histograms
    accepted before it (a FLUSH is never refused); sets the core's input on a SOURCE; takes
    EVENTS frames in sequence through the same slots to the histogrammer; queues status
    reports (PING, SOURCE and EVENTS answers, errors).

    Parameters
    ----------
    bins : int
        Histogram length T.
    timeout : int
        Idle clock cycles inside a frame before it counts as TRUNCATED.
    spec : golden.fixed.FixedSpec
        The core's formats: its tags and counts must be the frames' 16 bits.
    sources : int
        The core's inputs (:class:`boards.protocol.Source` codes below it); with one, SOURCE
        is an unknown command.

    Attributes
    ----------
    inp : In(stream.Signature(unsigned(8)))
        Bytes from the UART; always ready except for the cycle after a header and a CRC.
    lost : In(1)
        The UART lost a byte (its framing-error or overrun pulse).
    pixels : Out(stream.Signature(rtl.result.input_layout(spec)))
        ``bins`` counts per accepted HISTOGRAM, each with its tag, the final one ``last``; a
        flush token (tag 0) per FLUSH (the core's ``inp``).
    status : Out(stream.Signature(status_layout(sources > 1)))
        Status reports, from a 4-deep FIFO; reports that find it full are dropped.
    source : Out(range(sources))
        The core's input (:attr:`boards.protocol.Source.HISTOGRAMS` after reset).
    events : Out(stream.Signature(unsigned(16)))
        With ``sources``: the words of accepted EVENTS frames, in order (kind above
        :data:`boards.protocol.EVENT_CODE_BITS` bits of TDC code).
    """

    def __init__(self, *, bins, timeout, spec, sources=1):
        _check_bins(bins)
        if not isinstance(timeout, int) or timeout < 1:
            raise ValueError(f"timeout must be a positive integer, not {timeout!r}")
        if (spec.tag_bits, spec.count_bits) != (TAG_BITS, WORD_BITS):
            raise ValueError(f"the frames carry {TAG_BITS}-bit tags and {WORD_BITS}-bit counts, "
                             f"not {spec.tag_bits} and {spec.count_bits}")
        if not isinstance(sources, int) or not 1 <= sources <= len(Source):
            raise ValueError(f"sources must be an integer in 1 .. {len(Source)}, not {sources!r}")
        self.bins, self.timeout, self.sources = bins, timeout, sources
        super().__init__({
            "inp": In(stream.Signature(8)),
            "lost": In(1),
            "pixels": Out(stream.Signature(input_layout(spec))),
            "status": Out(stream.Signature(status_layout(sources > 1))),
            "source": Out(range(sources)),
            **({"events": Out(stream.Signature(WORD_BITS))} if sources > 1 else {}),
        })

    def elaborate(self, platform):
        m = Module()
        T = self.bins
        index_bits = max((T - 1).bit_length(), 1)
        m.submodules.crc = crc = CRC16_CCITT_FALSE(8).create()
        m.submodules.fifo = fifo = SyncFIFO(width=self.status.payload.shape().size,
                                            depth=STATUS_DEPTH)
        m.submodules.buffer = buffer = Memory(shape=self.pixels.payload.count.shape(),
                                              depth=2 << index_bits, init=[])
        wr, rd = buffer.write_port(), buffer.read_port()

        # ---- status reports: one per cycle at most, into the FIFO (dropped when it is full)
        report = Signal(self.status.payload.shape())
        report_valid = Signal()
        m.d.comb += [fifo.w_data.eq(report), fifo.w_en.eq(report_valid)]
        wiring.connect(m, fifo.r_stream, wiring.flipped(self.status))

        # ---- two histogram slots: filled in turn by the parser, drained in turn to the core;
        # a FLUSH marks the slot written last (a token follows it), or, if that one has gone,
        # is a token of its own
        full = Array(Signal(name=f"full{i}") for i in range(2))
        slot_tag = Array(Signal(TAG_BITS, name=f"slot_tag{i}") for i in range(2))
        flush_after = Array(Signal(name=f"flush_after{i}") for i in range(2))
        flush_now = Signal()
        wr_slot, rd_slot = Signal(), Signal()
        finishing = Signal()            # the drain sends a slot's last count
        # with a photon path, a slot holds a HISTOGRAM or an EVENTS frame (its words up to
        # slot_last); EVENTS frames are taken only in their sequence, counted from a SOURCE
        events = self.sources > 1
        if events:
            slot_events = Array(Signal(name=f"slot_events{i}") for i in range(2))
            slot_last = Array(Signal(range(T), name=f"slot_last{i}") for i in range(2))
            expected = Signal(TAG_BITS)

        # ---- parser
        byte = self.inp.payload
        got = Signal()
        n = Signal(range(HEADER_BYTES + 2 * T + 2))         # bytes received after the sync
        command, length, tag = Signal(8), Signal(16), Signal(TAG_BITS)   # command: any byte
        low = Signal(8)                                     # low byte of a count
        argument = Signal(8)                                # a SOURCE's payload
        busy, reported = Signal(), Signal()
        idle = Signal(range(self.timeout))
        payload_at = n - HEADER_BYTES
        m.d.comb += [got.eq(self.inp.valid & self.inp.ready), crc.data.eq(byte),
                     wr.addr.eq(Cat(payload_at[1:1 + index_bits], wr_slot)),
                     wr.data.eq(Cat(low, byte))]

        def emit(code, tag=0, counters=0):
            m.d.comb += [report.code.eq(code), report.tag.eq(tag), report_valid.eq(1)]
            if counters:
                m.d.comb += report.counters.eq(1)

        def error(code):
            emit(code, tag)
            m.d.sync += reported.eq(1)
            m.next = "HUNT"

        def discard():
            with m.If(~reported):
                emit(Status.NOISE)
                m.d.sync += reported.eq(1)

        with m.FSM():
            with m.State("HUNT"):
                m.d.comb += self.inp.ready.eq(1)
                with m.If(got & (byte == SYNC[0])):
                    m.next = "SYNC"
                with m.Elif(got | self.lost):
                    discard()
            with m.State("SYNC"):
                m.d.comb += self.inp.ready.eq(1)
                with m.If(got & (byte == SYNC[1])):
                    m.d.sync += [n.eq(0), tag.eq(0), idle.eq(0)]
                    m.d.comb += crc.start.eq(1)
                    m.next = "FRAME"
                with m.Elif((got & (byte != SYNC[0])) | self.lost):
                    discard()
                    m.next = "HUNT"
            with m.State("FRAME"):
                m.d.comb += self.inp.ready.eq(1)
                m.d.sync += idle.eq(idle + 1)
                with m.If(got):
                    m.d.comb += crc.valid.eq(1)
                    m.d.sync += [n.eq(n + 1), idle.eq(0)]
                    with m.Switch(n):
                        with m.Case(0):
                            m.d.sync += command.eq(byte)
                        with m.Case(1):
                            m.d.sync += length[:8].eq(byte)
                        with m.Case(2):
                            m.d.sync += length[8:].eq(byte)
                        with m.Case(3):
                            m.d.sync += tag[:8].eq(byte)
                        with m.Case(4):
                            m.d.sync += tag[8:].eq(byte)
                            m.next = "HEADER"
                    with m.If(n >= HEADER_BYTES):
                        m.d.sync += low.eq(byte)
                        buffered = command == Command.HISTOGRAM
                        if events:
                            buffered |= command == Command.EVENTS
                        m.d.comb += wr.en.eq(buffered & ~busy & (payload_at < length) &
                                             payload_at[0])
                    if self.sources > 1:
                        with m.If(n == HEADER_BYTES):
                            m.d.sync += argument.eq(byte)
                    with m.If(n == HEADER_BYTES + length + 1):
                        m.next = "CHECK"
                with m.Elif(self.lost):
                    error(Status.FRAMING)
                with m.Elif(idle == self.timeout - 1):
                    error(Status.TRUNCATED)
            with m.State("HEADER"):
                m.d.sync += busy.eq(full[wr_slot])
                m.next = "FRAME"
                with m.Switch(command):
                    for code, size in board_commands(T, sources=self.sources).items():
                        with m.Case(code):
                            with m.If(_wrong_length(length, size)):
                                error(Status.BAD_LENGTH)
                    with m.Default():
                        error(Status.UNKNOWN_COMMAND)
            with m.State("CHECK"):
                m.next = "HUNT"
                with m.If(~crc.match_detected):
                    error(Status.BAD_CRC)
                with m.Else():
                    m.d.sync += reported.eq(0)
                    with m.If(command == Command.PING):
                        emit(Status.OK, tag)
                    if self.sources > 1:
                        with m.Elif(command == Command.SOURCE):
                            with m.If(argument < self.sources):
                                emit(Status.OK, tag)
                                m.d.sync += [self.source.eq(argument), expected.eq(0)]
                            with m.Else():
                                emit(Status.NO_SOURCE, tag)
                        with m.Elif(command == Command.COUNTERS):
                            emit(Status.OK, tag, counters=1)
                    with m.Elif(command == Command.FLUSH):
                        with m.If(full[~wr_slot] & ~(finishing & (rd_slot == ~wr_slot))):
                            m.d.sync += flush_after[~wr_slot].eq(1)
                        with m.Else():
                            m.d.sync += flush_now.eq(1)
                    if events:
                        taking_events = command == Command.EVENTS
                        with m.Elif(taking_events & (self.source != Source.EVENTS)):
                            emit(Status.NO_SOURCE, tag)
                        with m.Elif(taking_events & (tag != expected)):
                            emit(Status.SEQUENCE, expected)
                    with m.Elif(busy):
                        emit(Status.BUSY, tag)
                    with m.Else():
                        m.d.sync += [full[wr_slot].eq(1), slot_tag[wr_slot].eq(tag),
                                     wr_slot.eq(~wr_slot)]
                        if events:
                            m.d.sync += [slot_events[wr_slot].eq(taking_events),
                                         slot_last[wr_slot].eq(
                                             Mux(taking_events, length[1:] - 1, T - 1))]
                            with m.If(taking_events):
                                emit(Status.OK, tag)
                                m.d.sync += expected.eq(expected + 1)

        # ---- drain: FETCH (block-RAM read) / SEND each count of the oldest full slot; TOKEN
        index = Signal(range(T))
        m.d.comb += [rd.addr.eq(Cat(index[:index_bits], rd_slot)),
                     self.pixels.payload.count.eq(rd.data),
                     self.pixels.payload.last.eq(index == T - 1)]
        with m.FSM():
            with m.State("WAIT"):
                with m.If(flush_now):
                    m.next = "TOKEN"
                with m.Elif(full[rd_slot]):
                    m.next = "FETCH"
            with m.State("FETCH"):
                m.next = "SEND"
            with m.State("SEND"):
                m.d.comb += self.pixels.payload.tag.eq(slot_tag[rd_slot])
                if events:
                    to_events = slot_events[rd_slot]
                    m.d.comb += [self.events.payload.eq(rd.data),
                                 self.events.valid.eq(to_events),
                                 self.pixels.valid.eq(~to_events)]
                    taken = Mux(to_events, self.events.ready, self.pixels.ready)
                    last = index == slot_last[rd_slot]
                else:
                    m.d.comb += self.pixels.valid.eq(1)
                    taken, last = self.pixels.ready, index == T - 1
                with m.If(taken):
                    m.d.sync += index.eq(index + 1)
                    m.next = "FETCH"
                    with m.If(last):
                        m.d.comb += finishing.eq(1)
                        m.d.sync += [index.eq(0), full[rd_slot].eq(0), rd_slot.eq(~rd_slot),
                                     flush_after[rd_slot].eq(0)]
                        with m.If(flush_after[rd_slot]):
                            m.d.sync += flush_now.eq(1)
                        m.next = "WAIT"
            with m.State("TOKEN"):     # a FLUSH arriving now merges with this one
                m.d.comb += [self.pixels.valid.eq(1), self.pixels.payload.flush.eq(1)]
                with m.If(self.pixels.ready):
                    m.d.sync += flush_now.eq(0)
                    m.next = "WAIT"
        return m


class FrameTransmitter(wiring.Component):
    """Sends each result and status report as a frame; results first.

    With ``records`` (a photon path) it queues results with their photons and sends them in
    RESULTS frames, as many as wait (up to ``records``) in each: the busier the link, the
    fuller its frames; and it answers COUNTERS with the ``counters``' values.

    Parameters
    ----------
    bins, lanes : int
        Histogram length T and the core's pixel lanes (reported in STATUS frames).
    spec : golden.fixed.FixedSpec
        Fixed-point spec of the core; its quotients must fit in 16 bits.
    records : int
        0: a RESULT frame per result; else the most records a RESULTS frame holds (and the
        depth of the queue).

    Attributes
    ----------
    results : In(stream.Signature(rtl.result.result_layout(spec)))
        The core's results; with ``records``, of :func:`boards.records.record_layout`.
    status : In(stream.Signature(status_layout(records > 0)))
        Status reports.
    counters : In(COUNTERS_LAYOUT)
        With ``records``: the values a COUNTER_VALUES frame reports.
    out : Out(stream.Signature(unsigned(8)))
        Bytes for the UART.
    """

    def __init__(self, *, bins, lanes, spec, records=0):
        _check_bins(bins)
        if not isinstance(lanes, int) or not 1 <= lanes < 1 << WORD_BITS:
            raise ValueError(f"lanes must be an integer in 1 .. {(1 << WORD_BITS) - 1}, "
                             f"not {lanes!r}")
        if spec.quotient_bits > WORD_BITS:
            raise ValueError(f"quotient_bits must be at most {WORD_BITS} for RESULT frames, "
                             f"not {spec.quotient_bits}")
        if not isinstance(records, int) or not 0 <= records <= MAX_RECORDS:
            raise ValueError(f"records must be an integer in 0 .. {MAX_RECORDS}, "
                             f"not {records!r}")
        self.bins, self.lanes, self.records = bins, lanes, records
        layout = record_layout(spec) if records else result_layout(spec)
        super().__init__({"results": In(stream.Signature(layout)),
                          "status": In(stream.Signature(status_layout(records > 0))),
                          "out": Out(stream.Signature(8)),
                          **({"counters": In(COUNTERS_LAYOUT)} if records else {})})

    @staticmethod
    def _result_payload(r):
        words = [*(r.tau[k] for k in range(len(r.tau))), r.fraction]
        flags = Cat(r.tau_defined, r.fraction_defined, r.valid)
        return Cat(*(_word(w) for w in words), flags, Const(0, 8 - len(flags)))

    def elaborate(self, platform):
        m = Module()
        m.submodules.crc = crc = CRC16_CCITT_FALSE(8).create()
        largest = max(HEADER_BYTES + RESULT_BYTES, HEADER_BYTES + STATUS_BYTES, RECORD_BYTES,
                      HEADER_BYTES + COUNTERS_BYTES * bool(self.records))
        frame = Signal(8 * (len(SYNC) + largest))
        size = Signal(range(len(frame) // 8 + 1))
        index = Signal.like(size)       # of the byte after the one offered
        byte = Signal(8)                # the byte offered, fetched from the frame a byte ahead
        m.d.comb += crc.data.eq(self.out.payload)
        # bytes of the loaded piece before the CRC's: the sync of a frame's first piece
        unchecked = Signal(range(len(SYNC) + 1)) if self.records else len(SYNC)
        left = Signal(range(self.records + 1))              # RESULTS records still to load

        def load(bits, length):
            m.d.sync += [frame.eq(bits), size.eq(length), index.eq(1), byte.eq(bits[:8])]
            m.next = "SEND"

        def load_frame(command, length, tag, payload=Const(0, 0)):
            """A frame's first piece: sync, header and ``payload`` (``length`` bytes, or none
            if it is a Value: RESULTS records are loaded after it)."""
            load(Cat(Const(SYNC[0], 8), Const(SYNC[1], 8), Const(command, 8), _word(length),
                     _word(tag), payload),
                 len(SYNC) + HEADER_BYTES + (length if isinstance(length, int) else 0))
            m.d.comb += crc.start.eq(1)
            if self.records:
                m.d.sync += unchecked.eq(len(SYNC))

        def send(value):
            m.d.comb += [self.out.payload.eq(value), self.out.valid.eq(1)]
            return self.out.ready

        if self.records:
            m.submodules.queue = queue = SyncFIFO(width=len(self.results.payload.as_value()),
                                                  depth=self.records)
            wiring.connect(m, wiring.flipped(self.results), queue.w_stream)
            queued = queue.r_stream
            record = data.View(self.results.payload.shape(), queued.payload)
            waiting = queue.r_level
        with m.FSM():
            with m.State("IDLE"):
                if self.records:
                    results_valid = waiting != 0
                else:
                    results_valid = self.results.valid
                with m.If(results_valid):
                    if self.records:
                        m.d.sync += left.eq(waiting)
                        # the length by shifts and adds: a product would take a DSP
                        length = sum(waiting << k for k in range(RECORD_BYTES.bit_length())
                                     if RECORD_BYTES >> k & 1)
                        load_frame(Command.RESULTS, length, waiting)
                    else:
                        m.d.comb += self.results.ready.eq(1)
                        load_frame(Command.RESULT, RESULT_BYTES, self.results.payload.tag,
                                   self._result_payload(self.results.payload))
                with m.Elif(self.status.valid):
                    m.d.comb += self.status.ready.eq(1)
                    s = self.status.payload
                    status = (Command.STATUS, STATUS_BYTES, s.tag,
                              Cat(s.code, Const(VERSION, 8), Const(self.bins, 16),
                                  Const(self.lanes, 16)))
                    if self.records:
                        with m.If(s.counters):
                            load_frame(Command.COUNTER_VALUES, COUNTERS_BYTES, s.tag,
                                       self.counters.as_value())
                        with m.Else():
                            load_frame(*status)
                    else:
                        load_frame(*status)
            with m.State("SEND"):
                with m.If(send(byte)):
                    m.d.comb += crc.valid.eq(index > unchecked)
                    m.d.sync += [byte.eq(frame.word_select(index, 8)), index.eq(index + 1)]
                    with m.If(index == size):
                        m.next = "RECORD" if self.records else "CRC_WAIT"
            if self.records:
                with m.State("RECORD"):         # the next record of a RESULTS frame, if any
                    with m.If(left == 0):
                        m.next = "CRC_WAIT"
                    with m.Else():
                        m.d.comb += queued.ready.eq(1)
                        m.d.sync += [left.eq(left - 1), unchecked.eq(0)]
                        load(Cat(record.result.tag, self._result_payload(record.result),
                                 record.photons), RECORD_BYTES)
            with m.State("CRC_WAIT"):           # the CRC register takes the last byte
                m.next = "CRC_HIGH"
            with m.State("CRC_HIGH"):
                with m.If(send(crc.crc[8:])):
                    m.next = "CRC_LOW"
            with m.State("CRC_LOW"):
                with m.If(send(crc.crc[:8])):
                    m.next = "IDLE"
        return m
