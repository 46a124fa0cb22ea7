"""The host-link frame format (``boards/PROTOCOL.md``): encoding, decoding, CRC, and the
streaming receiver that the RTL (:mod:`boards.link`) is tested against."""
import binascii
from dataclasses import dataclass
from amaranth.lib import enum

from golden.fixed import FixedSpec

__all__ = ["SYNC", "VERSION", "HEADER_BYTES", "TAG_BITS", "RESULT_BYTES", "STATUS_BYTES",
           "RECORD_BYTES", "PHOTON_BITS", "MAX_RECORDS", "COUNTER_NAMES", "COUNTER_BITS",
           "EVENT_CODE_BITS", "Command", "Status", "Source", "Frame", "Error", "crc16",
           "encode", "histogram", "ping", "flush", "source", "events", "result",
           "results", "counters", "counter_values", "status", "decode_result", "decode_results",
           "decode_counters", "decode_status",
           "results_of", "board_commands", "host_commands", "Parser"]

SYNC = b"\xa5\x5a"
VERSION = 5
HEADER_BYTES = 5                    # command, length (2), tag (2)
#: The tag field of every frame (two bytes): a core behind the link carries tags this wide.
TAG_BITS = 16
RESULT_BYTES = 9
STATUS_BYTES = 6
SOURCE_BYTES = 1
#: The counters a COUNTER_VALUES frame reports, u32 each, in this order.
COUNTER_NAMES = ("outside", "saturated", "dropped", "lost")
COUNTER_BITS = 32
COUNTERS_BYTES = len(COUNTER_NAMES) * COUNTER_BITS // 8
#: A RESULTS record: tag, a RESULT payload, the pixel's photons (24 bits).
PHOTON_BITS = 24
RECORD_BYTES = 2 + RESULT_BYTES + PHOTON_BITS // 8
#: The most records a RESULTS frame may hold.
MAX_RECORDS = 64
#: An EVENTS word: the TDC code in its low bits, the event kind in the two above.
EVENT_CODE_BITS = 14
CHANNELS = FixedSpec.CHANNELS


class Command(enum.IntEnum, shape=8):
    """The command byte (an Amaranth enumeration: the RTL's command register has its shape)."""
    HISTOGRAM = 0x01
    PING = 0x02
    FLUSH = 0x03
    SOURCE = 0x04
    COUNTERS = 0x05
    EVENTS = 0x06
    RESULT = 0x81
    STATUS = 0x82
    RESULTS = 0x83
    COUNTER_VALUES = 0x84


class Status(enum.IntEnum, shape=8):
    """The code of a STATUS frame."""
    OK = 0
    BAD_CRC = 1
    BAD_LENGTH = 2
    UNKNOWN_COMMAND = 3
    TRUNCATED = 4
    NOISE = 5
    FRAMING = 6
    BUSY = 7
    NO_SOURCE = 8
    SEQUENCE = 9


class Source(enum.IntEnum, shape=8):
    """The core's input, chosen by a SOURCE frame."""
    HISTOGRAMS = 0      #: HISTOGRAM frames from the host (the input after reset)
    ONCHIP = 1          #: the on-chip photon source, histogrammed on the chip
    EVENTS = 2          #: EVENTS frames from the host, histogrammed on the chip
    PINS = 3            #: photon events on the board's event pins, histogrammed on the chip


@dataclass(frozen=True)
class Frame:
    """A frame whose CRC checked."""
    command: int
    tag: int
    payload: bytes


@dataclass(frozen=True)
class Error:
    """A receiver error: a :class:`Status` code and the tag as far as it was received."""
    code: Status
    tag: int


def crc16(data, crc=0xFFFF):
    """CRC-16/CCITT-FALSE (polynomial 0x1021, init 0xFFFF, no reflection, no final XOR)."""
    return binascii.crc_hqx(bytes(data), crc)


def encode(command, tag, payload=b""):
    """One frame: sync, command, length, tag, payload, CRC (high byte first)."""
    body = bytes([command]) + len(payload).to_bytes(2, "little") + tag.to_bytes(2, "little")
    body += bytes(payload)
    return SYNC + body + crc16(body).to_bytes(2, "big")


def histogram(tag, counts):
    """A HISTOGRAM frame of 16-bit ``counts``."""
    return encode(Command.HISTOGRAM, tag, b"".join(int(c).to_bytes(2, "little") for c in counts))


def ping(tag=0):
    return encode(Command.PING, tag)


def flush(tag=0):
    """A FLUSH frame: the histograms sent so far end a frame; a partly filled batch starts."""
    return encode(Command.FLUSH, tag)


def source(code, tag=0):
    """A SOURCE frame: the core's input from now on (a :class:`Source`)."""
    return encode(Command.SOURCE, tag, bytes([code]))


def events(sequence, kinds, codes):
    """An EVENTS frame, number ``sequence`` since the SOURCE that chose EVENTS: photon events
    (:class:`golden.events.EventKind`, their TDC codes; at most ``bins`` of them)."""
    if any(not 0 <= c < 1 << EVENT_CODE_BITS for c in codes):
        raise ValueError(f"TDC codes of an EVENTS frame must be in 0 .. "
                         f"{(1 << EVENT_CODE_BITS) - 1}")
    return encode(Command.EVENTS, sequence,
                  b"".join((int(k) << EVENT_CODE_BITS | int(c)).to_bytes(2, "little")
                           for k, c in zip(kinds, codes, strict=True)))


def counters(tag=0):
    """A COUNTERS frame: asks for the board's counters (a COUNTER_VALUES frame answers)."""
    return encode(Command.COUNTERS, tag)


def counter_values(tag, values):
    """A COUNTER_VALUES frame: ``values`` a dict of :data:`COUNTER_NAMES`."""
    return encode(Command.COUNTER_VALUES, tag,
                  b"".join(int(values[name]).to_bytes(COUNTER_BITS // 8, "little")
                           for name in COUNTER_NAMES))


def _result_payload(tau_q, fraction_q, tau_defined, fraction_defined, valid):
    flags = sum(int(bool(d)) << k for k, d in enumerate(tau_defined))
    flags |= int(bool(fraction_defined)) << 3 | int(bool(valid)) << 4
    words = [*map(int, tau_q), int(fraction_q)]
    return b"".join(w.to_bytes(2, "little") for w in words) + bytes([flags])


def result(tag, tau_q, fraction_q, tau_defined, fraction_defined, valid):
    """A RESULT frame from one pixel of :func:`golden.intref.run_counts`' output."""
    return encode(Command.RESULT, tag,
                  _result_payload(tau_q, fraction_q, tau_defined, fraction_defined, valid))


def results(records):
    """A RESULTS frame of ``records``: dicts of a pixel's ``tag``, ``photons`` and the keys of
    :func:`result`; its tag field is the number of records."""
    if not 1 <= len(records) <= MAX_RECORDS:
        raise ValueError(f"a RESULTS frame holds 1 .. {MAX_RECORDS} records, not {len(records)}")
    payload = b"".join(
        int(r["tag"]).to_bytes(2, "little")
        + _result_payload(r["tau_q"], r["fraction_q"], r["tau_defined"], r["fraction_defined"],
                          r["valid"])
        + int(r["photons"]).to_bytes(PHOTON_BITS // 8, "little") for r in records)
    return encode(Command.RESULTS, len(records), payload)


def status(code, tag, bins, lanes):
    return encode(Command.STATUS, tag, bytes([code, VERSION]) + bins.to_bytes(2, "little")
                  + lanes.to_bytes(2, "little"))


def decode_result(payload):
    """RESULT payload -> the per-pixel keys of :func:`golden.intref.run_counts`."""
    words = [int.from_bytes(payload[2 * k:2 * k + 2], "little") for k in range(CHANNELS + 1)]
    flags = payload[2 * CHANNELS + 2]
    return {"tau_q": words[:CHANNELS], "fraction_q": words[CHANNELS],
            "tau_defined": [bool(flags >> k & 1) for k in range(CHANNELS)],
            "fraction_defined": bool(flags >> 3 & 1), "valid": bool(flags >> 4 & 1)}


def decode_results(payload):
    """RESULTS payload -> its records: ``(tag, result, photons)``, ``result`` as from
    :func:`decode_result`."""
    records = []
    for at in range(0, len(payload), RECORD_BYTES):
        record = payload[at:at + RECORD_BYTES]
        records.append((int.from_bytes(record[:2], "little"), decode_result(record[2:]),
                        int.from_bytes(record[2 + RESULT_BYTES:], "little")))
    return records


def results_of(frame):
    """The ``(tag, result, photons)`` of a RESULT frame (photons ``None``: it has none) or a
    RESULTS frame's records; ``[]`` for any other frame."""
    if frame.command == Command.RESULT:
        return [(frame.tag, decode_result(frame.payload), None)]
    if frame.command == Command.RESULTS:
        return decode_results(frame.payload)
    return []


def decode_counters(payload):
    """COUNTER_VALUES payload -> a dict of :data:`COUNTER_NAMES`."""
    size = COUNTER_BITS // 8
    return {name: int.from_bytes(payload[size * k:size * (k + 1)], "little")
            for k, name in enumerate(COUNTER_NAMES)}


def decode_status(payload):
    """STATUS payload -> ``{"code", "version", "bins", "lanes"}``."""
    return {"code": Status(payload[0]), "version": payload[1],
            "bins": int.from_bytes(payload[2:4], "little"),
            "lanes": int.from_bytes(payload[4:6], "little")}


def board_commands(bins, *, sources=1):
    """Payload length (or the set of lengths) of each command the board accepts; SOURCE,
    COUNTERS and EVENTS only on a board with more than one input (``sources``: a photon
    path)."""
    commands = {Command.HISTOGRAM: 2 * bins, Command.PING: 0, Command.FLUSH: 0}
    if sources > 1:
        commands.update({Command.SOURCE: SOURCE_BYTES, Command.COUNTERS: 0,
                         Command.EVENTS: frozenset(range(2, 2 * bins + 1, 2))})
    return commands


def host_commands():
    """Payload lengths each command the host accepts may have."""
    return {Command.RESULT: RESULT_BYTES, Command.STATUS: STATUS_BYTES,
            Command.COUNTER_VALUES: COUNTERS_BYTES,
            Command.RESULTS: frozenset(RECORD_BYTES * n for n in range(1, MAX_RECORDS + 1))}


class Parser:
    """Streaming receiver: bytes in, :class:`Frame` and :class:`Error` events out.

    Follows the receiver rules of ``PROTOCOL.md`` exactly (the RTL is tested against it).

    Parameters
    ----------
    lengths : dict
        Command -> payload length, or a set of the lengths it may have; other commands are
        UNKNOWN_COMMAND.
    """

    def __init__(self, *, lengths):
        self.lengths = {}
        for command, length in lengths.items():
            allowed = frozenset([length] if isinstance(length, int) else length)
            if not allowed or not all(isinstance(n, int) and 0 <= n < 1 << 16 for n in allowed):
                raise ValueError(f"payload length of command {command:#04x} must be an integer "
                                 f"in 0 .. 65535, not {length!r}")
            self.lengths[command] = allowed
        self._hunt(reported=False)

    def _hunt(self, *, reported):
        self.state, self.reported, self.data = "hunt", reported, bytearray()

    def _error(self, code):
        tag = int.from_bytes(self.data[3:5].ljust(2, b"\0"), "little")
        self._hunt(reported=True)
        return [Error(code, tag)]

    def _discard(self):
        if self.reported:
            return []
        self.reported = True
        return [Error(Status.NOISE, 0)]

    def feed(self, data):
        """Bytes received; returns the events they complete."""
        events = []
        for byte in bytes(data):
            events += self._byte(byte)
        return events

    def _byte(self, byte):
        if self.state in ("hunt", "sync"):
            if byte == SYNC[0]:
                self.state = "sync"
            elif byte == SYNC[1] and self.state == "sync":
                self.state = "frame"
            else:
                self.state = "hunt"
                return self._discard()
            return []
        self.data.append(byte)
        if len(self.data) == HEADER_BYTES:
            command = self.data[0]
            if command not in self.lengths:
                return self._error(Status.UNKNOWN_COMMAND)
            if int.from_bytes(self.data[1:3], "little") not in self.lengths[command]:
                return self._error(Status.BAD_LENGTH)
        if len(self.data) < HEADER_BYTES + 2 or len(self.data) < self._total():
            return []
        if crc16(self.data) != 0:
            return self._error(Status.BAD_CRC)
        frame = Frame(self.data[0], int.from_bytes(self.data[3:5], "little"),
                      bytes(self.data[HEADER_BYTES:-2]))
        self._hunt(reported=False)
        return [frame]

    def _total(self):
        """Bytes after the sync that the current frame needs (header, payload, CRC)."""
        return HEADER_BYTES + int.from_bytes(self.data[1:3], "little") + 2

    def lost(self):
        """A byte the UART lost (a bad stop bit, or an overrun: not delivered)."""
        if self.state in ("hunt", "sync"):
            self.state = "hunt"
            return self._discard()
        return self._error(Status.FRAMING)

    def idle(self):
        """An idle gap of the timeout length."""
        return [] if self.state in ("hunt", "sync") else self._error(Status.TRUNCATED)
