"""Stand-ins shared by tests of several packages: a pure-Python board behind the host link, a
board build's report, and an instrument on a board's event pins."""
import numpy as np

from boards.pins import MIN_CLOCKS_APART
from boards.platforms import BOARDS

from boards import protocol
from boards.protocol import Command, Error, Status
from golden.events import histogram_events
from golden.intref import run_counts

BINS = 135
KEYS = ("tau_q", "fraction_q", "tau_defined", "fraction_defined", "valid")


class FakeBoard:
    """``write`` parses like the RTL and answers at once, as a core of ``lanes`` lanes in one
    slot would: HISTOGRAMs' results are held until ``lanes`` of them wait or a FLUSH comes;
    ``read`` returns b"" when nothing is waiting (a port timeout). ``faults`` maps a frame
    number to "corrupt", "busy" or "drop"."""

    def __init__(self, qmodel, *, bins=BINS, lanes=1, faults=None):
        self.qmodel, self.bins, self.lanes, self.faults = qmodel, bins, lanes, dict(faults or {})
        self.parser = protocol.Parser(lengths=protocol.board_commands(bins))
        self.frames, self.flushes, self.outgoing, self.held = 0, 0, bytearray(), []

    def write(self, data):
        fault = self.faults.pop(self.frames, None)
        self.frames += 1
        if fault == "corrupt":
            data = data[:-1] + bytes([data[-1] ^ 1])
        for event in self.parser.feed(data):
            if isinstance(event, Error):
                self._status(event.code, event.tag)
            else:
                self._answer(event, fault)
        return len(data)

    def _status(self, code, tag):
        self.outgoing += protocol.status(code, tag, self.bins, self.lanes)

    def _answer(self, frame, fault):
        """What the board does with a good ``frame`` that met ``fault``."""
        if frame.command == Command.PING:
            self._status(Status.OK, frame.tag)
        elif frame.command == Command.FLUSH:
            self.flushes += 1
            self._release()
        elif fault == "busy":
            self._status(Status.BUSY, frame.tag)
        elif fault != "drop":
            ref = run_counts(self.qmodel, np.frombuffer(frame.payload, "<u2")[None])
            self.held.append(protocol.result(frame.tag, **{k: ref[k][0] for k in KEYS}))
            if len(self.held) == self.lanes:
                self._release()

    def _release(self):
        self.outgoing += b"".join(self.held)
        self.held.clear()

    def read(self, size=1):
        data = bytes(self.outgoing[:size])
        del self.outgoing[:size]
        return data


class ClosingFakeBoard(FakeBoard):
    closed = False

    def close(self):
        self.closed = True


class FakePhotonBoard(ClosingFakeBoard):
    """A :class:`FakeBoard` with a photon path's EVENTS input: SOURCE chooses the input (and
    restarts the EVENTS count), EVENTS frames are taken in their sequence (else SEQUENCE with
    the number expected; ``faults`` as for HISTOGRAMs) and their events histogrammed through
    ``table``
    (:func:`golden.events.histogram_events`); each completed pixel's result leaves at once as
    a RESULTS record with its photons."""

    def __init__(self, qmodel, *, table, **kwargs):
        super().__init__(qmodel, **kwargs)
        self.parser = protocol.Parser(
            lengths=protocol.board_commands(self.bins, sources=len(protocol.Source)))
        self.table, self.expected, self.words, self.done = table, 0, [], 0

    def _answer(self, frame, fault):
        if frame.command == Command.SOURCE:
            self.expected = 0
            self._status(Status.OK, frame.tag)
        elif frame.command != Command.EVENTS:
            super()._answer(frame, fault)
        elif frame.tag != self.expected:
            self._status(Status.SEQUENCE, self.expected)
        elif fault == "busy":
            self._status(Status.BUSY, frame.tag)
        elif fault != "drop":
            self.expected += 1
            self._status(Status.OK, frame.tag)
            self.words += np.frombuffer(frame.payload, "<u2").tolist()
            self._histogram()

    def _histogram(self):
        words = np.array(self.words)
        found = histogram_events(words >> protocol.EVENT_CODE_BITS,
                                 words & ((1 << protocol.EVENT_CODE_BITS) - 1), self.table,
                                 self.bins)["pixels"][self.done:]
        if not found:
            return
        ref = run_counts(self.qmodel, np.array([counts for _, counts in found]))
        records = [{"tag": tag, "photons": counts.sum(), **{k: ref[k][i] for k in KEYS}}
                   for i, (tag, counts) in enumerate(found)]
        for at in range(0, len(records), protocol.MAX_RECORDS):
            self.outgoing += protocol.results(records[at:at + protocol.MAX_RECORDS])
        self.done += len(found)


def build_entry(board, fmax):
    """A ULX3S-like ``boards build`` report of ``board``'s default core at ``fmax``."""
    return {"board": board, "core": BOARDS[board].core.label(), "luts": 16142,
            "luts_total": 83640, "dsp": 126, "dsp_total": 156, "bram": 22, "bram_total": 208,
            "fmax_mhz": fmax, "clock_mhz": 40.0, "cycles_per_pixel": 8908.3,
            "pixels_per_s": 40e6 / 8908.3, "uart_pixels_per_s": 358.4, "baud": 1_000_000,
            "build_seconds": 600.0}


async def drive_event_pins(ctx, pins, events, rng, *, period):
    """An instrument on the event pins ``pins`` (:func:`boards.pins.pins_layout`), its clock
    unrelated to the board's (``period`` seconds): each of ``events`` ((kind, micro) pairs) set
    up 1 to 1.5 clocks before its strobe toggles and held 1.5 to 3.5 clocks after, so toggles
    come :data:`boards.pins.MIN_CLOCKS_APART` to 5 clocks apart."""
    for kind, micro in events:
        ctx.set(pins.kind, int(kind))
        ctx.set(pins.micro, int(micro))
        await ctx.delay((1 + rng.random() / 2) * period)
        ctx.set(pins.strobe, 1 - ctx.get(pins.strobe))
        await ctx.delay((MIN_CLOCKS_APART - 1.5 + rng.integers(0, 3)) * period)
