"""Host driver for the link (``boards/PROTOCOL.md``) over any byte port with pyserial's
``read(size)`` / ``write(data)``: a ``serial.Serial`` or a :class:`boards.simulation.SimulatedPort`.

Timing is the port's: a ``read`` that returns nothing means the port's timeout passed.
"""
from collections import OrderedDict, deque

import numpy as np

from golden.validate import check_counts

from . import protocol
from .protocol import Command, Status

__all__ = ["LinkError", "Host", "BufferedPort", "TAGS"]

TAGS = 1 << 16


class BufferedPort:
    """``port`` read in blocks: what it holds at once (pyserial's ``in_waiting``), handed out
    as asked. :class:`Host` reads a byte a call, which pyserial does at about 130 kB/s
    (measured on a pty), below the RESULTS stream at 3 Mbaud (some 260 kB/s at the ULX3S's
    pixel rate); read in blocks, about 1.8 MB/s. A read that returns fewer bytes than asked
    still means the port's timeout passed."""

    def __init__(self, port):
        self.port, self._held = port, b""

    def read(self, size=1):
        if len(self._held) < size:
            waiting = getattr(self.port, "in_waiting", 0) or 0
            self._held += self.port.read(max(size - len(self._held), waiting))
        data, self._held = self._held[:size], self._held[size:]
        return data

    def write(self, data):
        return self.port.write(data)


class LinkError(RuntimeError):
    """The board did not answer, or answered something unusable."""


class Host:
    """Sends histograms, collects their results.

    Parameters
    ----------
    port : object
        ``read(size) -> bytes`` (fewer bytes after its timeout) and ``write(bytes)``.
    bins : int
        Histogram length T the board was built for.
    window : int, optional
        HISTOGRAMs in flight (without a RESULT yet). Default: what the board holds, its lanes
        (from its STATUS) and its two input buffers; fewer leave its batches partly filled.
    retries : int
        Times a pixel is resent (after a read timeout or a BUSY report) before giving up.

    Attributes
    ----------
    errors : list of protocol.Error
        Every error seen: the board's status reports and the host parser's own errors.
    """

    def __init__(self, port, *, bins, window=None, retries=3):
        for name, value in (("bins", bins), ("window", window)):
            if (value is not None or name == "bins") and (not isinstance(value, int)
                                                          or value < 1):
                raise ValueError(f"{name} must be a positive integer, not {value!r}")
        if not isinstance(retries, int) or retries < 0:
            raise ValueError(f"retries must be a non-negative integer, not {retries!r}")
        self.port, self.bins = BufferedPort(port), bins
        self.window, self.retries = window, retries
        self.errors = []
        self._held = []                                 # frames read while awaiting an answer
        self._parser = protocol.Parser(lengths=protocol.host_commands())

    def _events(self):
        """Frames received by the next read (none after a port timeout); errors recorded."""
        data = self.port.read(1)
        if not data:
            return None
        frames = []
        for event in self._parser.feed(data):
            if isinstance(event, protocol.Error):
                self.errors.append(event)
            elif event.command == Command.STATUS:
                report = protocol.decode_status(event.payload)
                if report["code"] == Status.OK:
                    frames.append(event)
                else:
                    self.errors.append(protocol.Error(report["code"], event.tag))
            else:
                frames.append(event)
        return frames

    def ping(self, tag=0):
        """Check the board: returns its STATUS (``code``, ``version``, ``bins``, ``lanes``);
        sets the window if it was not given."""
        self.port.write(protocol.ping(tag))
        while (frames := self._events()) is not None:
            for frame in frames:
                if frame.command == Command.STATUS and frame.tag == tag:
                    report = protocol.decode_status(frame.payload)
                    if report["version"] != protocol.VERSION:
                        raise LinkError(f"the board speaks protocol version "
                                        f"{report['version']}, not {protocol.VERSION}: "
                                        f"rebuild and flash its bitstream")
                    if report["bins"] != self.bins:
                        raise LinkError(f"the board expects {report['bins']} bins, "
                                        f"not {self.bins}")
                    if self.window is None:
                        self.window = report["lanes"] + 2
                    return report
        raise LinkError("no answer to PING")

    def _answer(self, tag, command):
        """The answer to the frame sent with ``tag``: the frame of ``command`` with that tag,
        or the board's error report (:class:`boards.protocol.Error`) for it; frames received
        meanwhile are kept for :meth:`records`."""
        seen = len(self.errors)
        while (frames := self._events()) is not None:
            for frame in frames:
                if frame.command == command and frame.tag == tag:
                    return frame
                self._held.append(frame)
            for error in self.errors[seen:]:
                if error.tag == tag and error.code not in (Status.NOISE, Status.BUSY):
                    return error
            seen = len(self.errors)
        raise LinkError(f"no answer to the frame of tag {tag}")

    def _photon_path(self, answer, what):
        if isinstance(answer, protocol.Error):
            if answer.code in (Status.NO_SOURCE, Status.UNKNOWN_COMMAND):
                raise LinkError(f"the board has no {what}: build it with a photon path "
                                f"(boards/PHOTONS.md)")
            raise LinkError(f"{what}: {answer.code.name}")
        return answer

    def source(self, code, tag=0):
        """Choose the core's input (a :class:`boards.protocol.Source`); raises
        :class:`LinkError` if the board has no such input."""
        self.port.write(protocol.source(code, tag))
        known = {source.value: source.name for source in protocol.Source}
        self._photon_path(self._answer(tag, Command.STATUS), f"input {known.get(code, code)}")

    def counters(self, tag=0):
        """The board's counters (:data:`boards.protocol.COUNTER_NAMES`): photons outside the
        window and past a counter's ceiling, malformed pixels dropped."""
        self.port.write(protocol.counters(tag))
        frame = self._photon_path(self._answer(tag, Command.COUNTER_VALUES), "counters")
        return protocol.decode_counters(frame.payload)

    def records(self):
        """The results the board sends on its own (from the on-chip source): lists of
        ``(tag, result, photons)`` as they arrive; ends when a read times out."""
        while self._held:
            yield protocol.results_of(self._held.pop(0))
        while (frames := self._events()) is not None:
            for frame in frames:
                if found := protocol.results_of(frame):
                    yield found

    def replay(self, kinds, codes, *, window=4, progress=None):
        """Stream photon events into the board's histogrammer (SOURCE EVENTS, then EVENTS
        frames of up to ``bins`` events, numbered from 0), yielding the records that arrive
        meanwhile (lists of ``(tag, result, photons)``); returns once the board took every
        frame. ``progress(k)`` after ``k`` more events were taken.

        Up to ``window`` frames are in flight. The board takes them only in their order: a
        frame it refuses (BUSY, a bad CRC, ...) is sent again with every frame after it,
        from the number it expects (its SEQUENCE report) or, after a read timeout, from the
        first frame not taken. Raises :class:`LinkError` when a frame fails ``retries + 1``
        times.
        """
        kinds, codes = np.asarray(kinds), np.asarray(codes)
        frames = [protocol.events(k % TAGS, kinds[at:at + self.bins], codes[at:at + self.bins])
                  for k, at in enumerate(range(0, len(kinds), self.bins))]
        self.source(protocol.Source.EVENTS)
        base = sent = 0                 # first frame not taken; next frame to send
        rewound, attempts, seen = None, [0] * len(frames), len(self.errors)

        def number(tag):
            """The frame in flight (or next) of sequence number ``tag``, or None."""
            k = base + (tag - base) % TAGS
            return k if k <= sent else None

        while base < len(frames):
            while sent < len(frames) and sent - base < window:
                attempts[sent] += 1
                if attempts[sent] > self.retries + 1:
                    raise LinkError(f"EVENTS frame {sent} failed {attempts[sent] - 1} times; "
                                    f"errors: {self.errors[-3:]}")
                self.port.write(frames[sent])
                sent += 1
            received = self._events()
            if received is None:                        # timeout: what is in flight was lost
                sent = base
                continue
            taken = base
            for frame in received:
                if frame.command == Command.STATUS and (k := number(frame.tag)) is not None \
                        and k < sent:
                    taken = max(taken, k + 1)           # the board takes frames in order
                elif found := protocol.results_of(frame):
                    yield found
            if taken > base:
                if progress:
                    progress(min(taken * self.bins, len(kinds)) - base * self.bins)
                base, rewound = taken, None
            for error in self.errors[seen:]:
                if error.code in (Status.SEQUENCE, Status.BUSY):
                    k = number(error.tag)
                    if k is not None and k >= base and rewound != k:
                        base = sent = rewound = k       # again from the frame it expects
            seen = len(self.errors)

    def process(self, counts, *, first_tag=0):
        """Lifetimes of ``counts`` ``(..., T)`` in the format of :func:`golden.intref.run_counts`.

        Returns ``tau_q`` ``(..., 3)``, ``fraction_q``, ``tau_defined`` ``(..., 3)``,
        ``fraction_defined`` and ``valid``; pixel ``i`` travels with tag ``first_tag + i``
        (modulo 2**16); they are one frame, ended by a FLUSH. Raises :class:`LinkError` when a
        pixel fails ``retries + 1`` times.
        """
        if self.window is None:
            self.ping()
        counts = check_counts(counts, self.bins)
        flat = counts.reshape(-1, self.bins)
        results = [None] * len(flat)
        attempts = [0] * len(flat)
        todo = deque(range(len(flat)))
        in_flight = OrderedDict()                       # tag -> pixel index

        def send(i):
            tag = (first_tag + i) % TAGS
            if attempts[i] > self.retries:
                raise LinkError(f"pixel {i} (tag {tag}) failed {attempts[i]} times; "
                                f"errors: {self.errors[-3:]}")
            attempts[i] += 1
            in_flight[tag] = i
            self.port.write(protocol.histogram(tag, flat[i]))

        errors_seen, flushed = len(self.errors), True
        while todo or in_flight:
            while todo and len(in_flight) < self.window:
                send(todo.popleft())
                flushed = False
            frames = None
            if todo or flushed:
                frames = self._events()
            # the end of the frame, or a timeout with a batch waiting for pixels held back
            if not flushed and (not todo or frames is None):
                self.port.write(protocol.flush())
                flushed = True
                continue
            if frames is None:                          # timeout: what is in flight was lost
                todo.extendleft(reversed(in_flight.values()))
                in_flight.clear()
                continue
            for frame in frames:
                for tag, result, _ in protocol.results_of(frame):
                    if tag in in_flight:
                        results[in_flight.pop(tag)] = result
            for error in self.errors[errors_seen:]:
                if error.code == Status.BUSY and error.tag in in_flight:
                    todo.appendleft(in_flight.pop(error.tag))
            errors_seen = len(self.errors)
        shape = counts.shape[:-1]
        return {key: np.array([r[key] for r in results]).reshape(shape + np.shape(value))
                for key, value in results[0].items()}
