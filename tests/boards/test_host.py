"""The host driver against a pure-Python board (the protocol model plus the integer reference)
that can corrupt, refuse or ignore frames."""
import numpy as np
import pytest

from boards.host import BufferedPort, Host, LinkError
from boards import protocol
from boards.protocol import Status
from golden.events import histogram_events, image_events
from golden.export import golden_counts
from golden.intref import run_counts
from golden.pipeline import load_default

from fakes import BINS, KEYS, FakeBoard, FakePhotonBoard



@pytest.fixture(scope="module")
def qmodel():
    return load_default()


@pytest.mark.parametrize("kwargs, message", [
    ({"bins": 0}, "bins must be a positive integer, not 0"),
    ({"window": 0}, "window must be a positive integer, not 0"),
    ({"retries": -1}, "retries must be a non-negative integer, not -1"),
])
def test_arguments_are_checked(qmodel, kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        Host(FakeBoard(qmodel), **{"bins": BINS, **kwargs})


def test_results_in_golden_format_with_lost_and_refused_frames(qmodel):
    """An image ``(H, W, T)``; a corrupted frame is resent after the timeout, a BUSY one at
    once, a dropped one after the timeout; tags wrap around."""
    counts = golden_counts(6, BINS, seed=1).reshape(2, 3, BINS)
    board = FakeBoard(qmodel, faults={1: "corrupt", 3: "busy", 5: "drop"})
    host = Host(board, bins=BINS)
    got = host.process(counts, first_tag=2 ** 16 - 2)
    ref = run_counts(qmodel, counts.reshape(6, BINS))
    for key in KEYS:
        assert np.array_equal(got[key], ref[key].reshape(2, 3, *ref[key].shape[1:])), key
    assert [e.code for e in host.errors] == [Status.BAD_CRC, Status.BUSY]
    # a PING (for the window), 6 HISTOGRAMs and 3 resent, a FLUSH after each round
    assert board.frames == 12 and board.flushes == 2


def test_gives_up_after_the_retries(qmodel):
    board = FakeBoard(qmodel, faults={n: "drop" for n in (0, 2, 4)})  # each with a FLUSH
    with pytest.raises(LinkError, match=r"^pixel 0 \(tag 7\) failed 3 times; errors: \[\]$"):
        Host(board, bins=BINS, window=1, retries=2).process(golden_counts(1, BINS),
                                                              first_tag=7)


@pytest.mark.parametrize("window, flushes", [(None, 1), (2, 5)])
def test_a_frame_ends_with_a_flush_and_batches_fill(qmodel, window, flushes):
    """A board of 4 lanes answers when 4 pixels wait or at a FLUSH. By default the window
    (lanes + 2, from the STATUS) keeps the batches full: 10 pixels, one FLUSH at the end. A
    window of 2 never fills a batch: the host flushes each pair when its read times out."""
    counts = golden_counts(10, BINS, seed=2)
    board = FakeBoard(qmodel, lanes=4)
    host = Host(board, bins=BINS, window=window)
    got = host.process(counts)
    ref = run_counts(qmodel, counts)
    for key in KEYS:
        assert np.array_equal(got[key], ref[key]), key
    assert (board.flushes, host.errors) == (flushes, [])
    assert host.window == (window or 6)


def test_ping(qmodel):
    assert Host(FakeBoard(qmodel, lanes=3), bins=BINS).ping(3) == {
        "code": Status.OK, "version": protocol.VERSION, "bins": BINS, "lanes": 3}
    with pytest.raises(LinkError, match=r"^the board expects 20 bins, not 135$"):
        Host(FakeBoard(qmodel, bins=20), bins=BINS).ping()
    with pytest.raises(LinkError, match=r"^no answer to PING$"):
        Host(FakeBoard(qmodel, faults={0: "corrupt"}), bins=BINS).ping()


class BlockPort:
    """A port holding ``data``: reads of any size; ``in_waiting`` what is left."""

    def __init__(self, data):
        self.data, self.reads = bytearray(data), []

    @property
    def in_waiting(self):
        return len(self.data)

    def read(self, size=1):
        self.reads.append(size)
        out = bytes(self.data[:size])
        del self.data[:size]
        return out


def test_buffered_port_reads_what_is_waiting_at_once():
    port = BlockPort(b"abcdef")
    buffered = BufferedPort(port)
    assert [buffered.read(1) for _ in range(7)] == [b"a", b"b", b"c", b"d", b"e", b"f", b""]
    assert port.reads == [6, 1]


def test_replay_sends_events_in_sequence_through_lost_and_refused_frames(qmodel, rng):
    """A 4 x 5 image's events in 20-event frames to a photon-path board that refuses one frame
    (BUSY), loses one (a read timeout) and gets one corrupted: the host sends each again with
    those after it, the board takes every event once, in order, and every pixel's record is
    the reference histogrammer's pixel through the integer reference."""
    table = list(range(20)) + [None] * 12
    board = FakePhotonBoard(qmodel, table=table, bins=20,
                            faults={3: "busy", 6: "drop", 9: "corrupt"})
    pixel, codes = rng.integers(0, 20, 300), rng.integers(0, len(table), 300)
    kinds, micro = image_events(pixel, codes, (4, 5))
    host, done = Host(board, bins=20), []
    got = [r for records in host.replay(kinds, micro, window=3, progress=done.append)
           for r in records]
    got += [r for records in host.records() for r in records]
    ref = histogram_events(kinds, micro, table, 20)
    assert board.words == [int(k) << protocol.EVENT_CODE_BITS | int(c)
                           for k, c in zip(kinds, micro)]
    assert [(tag, n) for tag, _, n in got] == [(tag, c.sum()) for tag, c in ref["pixels"]]
    want = run_counts(qmodel, np.array([c for _, c in ref["pixels"]]))
    for k, (_, result, _) in enumerate(got):
        assert all(np.array_equal(v, want[key][k]) for key, v in result.items())
    assert sum(done) == len(kinds)
    assert {e.code for e in host.errors} >= {Status.BUSY, Status.SEQUENCE, Status.BAD_CRC}


def test_replay_gives_up_after_the_retries(qmodel):
    board = FakePhotonBoard(qmodel, table=[0, 1], bins=20, faults={k: "busy" for k in range(1, 9)})
    with pytest.raises(LinkError, match="^EVENTS frame 0 failed 3 times"):
        list(Host(board, bins=20, retries=2).replay([0, 1], [1, 0]))
