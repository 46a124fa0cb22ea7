import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from boards import protocol
from boards.protocol import Command, Error, Frame, Parser, Status
from golden.export import golden_counts
from golden.intref import run_counts
from golden.pipeline import load_default

BINS = 135


def board_parser():
    return Parser(lengths=protocol.board_commands(BINS))


def test_parser_checks_lengths():
    with pytest.raises(ValueError, match=r"^payload length of command 0x01 must be an integer "
                                         r"in 0 \.\. 65535, not 65536$"):
        Parser(lengths={Command.HISTOGRAM: 65536})


def test_crc_known_answer():
    """CRC-16/CCITT-FALSE check value; a frame's CRC over command .. crc is 0."""
    assert protocol.crc16(b"123456789") == 0x29B1
    frame = protocol.ping(0x1234)
    assert frame == bytes.fromhex("a55a 02 0000 3412") + frame[-2:]
    assert protocol.crc16(frame[2:]) == 0


def test_histogram_round_trip(rng):
    counts = rng.integers(0, 2 ** 16, BINS)
    parser = board_parser()
    (frame,) = parser.feed(protocol.histogram(0xBEEF, counts))
    assert (frame.command, frame.tag) == (Command.HISTOGRAM, 0xBEEF)
    assert np.array_equal(np.frombuffer(frame.payload, "<u2"), counts)


def test_result_round_trip_in_golden_format():
    """Every pixel of the integer reference survives RESULT encoding and decoding."""
    ref = run_counts(load_default(), golden_counts(12, BINS, seed=3))
    parser = Parser(lengths=protocol.host_commands())
    for n in range(12):
        pixel = {key: ref[key][n].tolist() for key in ("tau_q", "fraction_q", "tau_defined",
                                                       "fraction_defined", "valid")}
        (frame,) = parser.feed(protocol.result(n, **pixel))
        assert (frame.command, frame.tag) == (Command.RESULT, n)
        assert protocol.decode_result(frame.payload) == pixel


def test_status_round_trip():
    (frame,) = Parser(lengths=protocol.host_commands()).feed(
        protocol.status(Status.BUSY, 7, BINS, 24))
    assert frame.tag == 7
    assert protocol.decode_status(frame.payload) == {"code": Status.BUSY,
                                                     "version": protocol.VERSION, "bins": BINS,
                                                     "lanes": 24}


def test_sync_hunting():
    """``A5 A5 5A`` is a sync; a stray ``5A`` is noise, reported once until a good frame."""
    parser = board_parser()
    ping = protocol.ping(3)
    assert parser.feed(b"\xa5" + ping) == [Frame(Command.PING, 3, b"")]
    assert parser.feed(b"\x5a\x00" + ping + b"\x01") == [Error(Status.NOISE, 0),
                                                        Frame(Command.PING, 3, b""),
                                                        Error(Status.NOISE, 0)]


@pytest.mark.parametrize("frame, error", [
    (protocol.encode(0x33, 9, b"\0\0"), Error(Status.UNKNOWN_COMMAND, 9)),
    (protocol.encode(Command.PING, 9, b"\0"), Error(Status.BAD_LENGTH, 9)),
    (protocol.encode(Command.HISTOGRAM, 9, bytes(2 * BINS - 2)), Error(Status.BAD_LENGTH, 9)),
    (protocol.ping(9)[:-1] + b"\0", Error(Status.BAD_CRC, 9)),
])
def test_bad_frames_are_reported_and_hunted_through(frame, error):
    """One report per bad frame (its remains are not NOISE); the next frame is received."""
    parser = board_parser()
    assert parser.feed(frame + protocol.ping(4)) == [error, Frame(Command.PING, 4, b"")]


def test_timeout_and_framing_error():
    """Inside a frame: TRUNCATED / FRAMING with the tag bytes received so far; outside: no
    timeout, and a framing error is noise."""
    parser = board_parser()
    assert parser.feed(protocol.ping(0x1234)[:6]) == []
    assert parser.idle() == [Error(Status.TRUNCATED, 0x34)]
    assert parser.idle() == []
    assert parser.feed(protocol.ping(0x1234)[:4]) == []
    assert parser.lost() == [Error(Status.FRAMING, 0)]
    assert parser.feed(protocol.ping(1)) == [Frame(Command.PING, 1, b"")]
    assert parser.feed(b"\xa5") == []
    assert parser.lost() == [Error(Status.NOISE, 0)]
    assert parser.feed(b"\x5a") == []                  # hunting again after the framing error


def test_resynchronises_after_random_garbage(rng):
    """Garbage without sync bytes between frames costs no frame."""
    parser = board_parser()
    frames = [protocol.histogram(t, rng.integers(0, 2 ** 16, BINS)) for t in range(20)]
    events = []
    for frame in frames:
        garbage = rng.integers(0, 256, rng.integers(1, 50)).astype(np.uint8).tobytes()
        events += parser.feed(garbage.replace(b"\xa5", b"") + frame)
    received = [e for e in events if isinstance(e, Frame)]
    assert [f.tag for f in received] == list(range(20))
    assert all(e == Error(Status.NOISE, 0) for e in events if isinstance(e, Error))


def corrupted_ping(tag, position, flip):
    frame = bytearray(protocol.ping(tag))
    frame[position] ^= flip
    return bytes(frame)


@settings(max_examples=300, deadline=None)
@given(chunks=st.lists(st.one_of(st.binary(max_size=40),
                                 st.builds(protocol.ping, st.integers(0, 2 ** 16 - 1)),
                                 st.builds(corrupted_ping, st.integers(0, 2 ** 16 - 1),
                                           st.integers(2, 8), st.integers(1, 255)),
                                 st.sampled_from([b"\xa5\x5a", b"\xa5\x5a\x02\x00\x00"]),
                                 st.just("idle"), st.just("framing")), max_size=30))
def test_fuzz_never_raises_never_accepts_a_bad_crc(chunks):
    """Every accepted frame is, byte for byte, a well-formed frame that was in the input."""
    parser = board_parser()
    sent = b"".join(c for c in chunks if isinstance(c, bytes))
    for chunk in chunks:
        if chunk == "idle":
            events = parser.idle()
        elif chunk == "framing":
            events = parser.lost()
        else:
            events = parser.feed(chunk)
        for event in events:
            if isinstance(event, Frame):
                assert protocol.encode(event.command, event.tag, event.payload) in sent
                assert len(event.payload) == protocol.board_commands(BINS)[event.command]
            else:
                assert isinstance(event.code, Status) and 0 <= event.tag < 2 ** 16
