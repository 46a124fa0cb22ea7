"""Lifetime maps from a board's integer results: :func:`golden.pipeline.analyse`'s maps, with
the integer reference replaced by the board: histograms sent over its link
(:meth:`boards.host.Host.process`), or a recording's single photons replayed into its
histogrammer (:meth:`boards.host.Host.replay`)."""
import numpy as np

from golden.events import MICRO_BITS, code_bins, image_events, scan_events
from golden.pipeline import analyse
from golden.validate import InputError

from .host import TAGS, LinkError

__all__ = ["board_maps", "check_replay_board", "replay_events", "frame_photons", "replay_maps",
           "CHUNK"]

CHUNK = 256
"""Pixels per :meth:`Host.process` call (the progress granularity)."""


def board_maps(counts, qmodel, process, *, progress=None):
    """Maps of ``counts`` ``(H, W, T)`` in :func:`golden.pipeline.analyse`'s format, from
    ``process(flat, first_tag=...)`` (``Host.process``: the results of
    :func:`golden.intref.run_counts` for ``(N, T)`` counts). ``progress(k)`` after each chunk."""
    return analyse(counts, qmodel, progress=progress, process=process, chunk=CHUNK)


def check_replay_board(board):
    """:class:`~golden.validate.InputError` unless ``board`` (a catalogue record) has a photon
    path whose TDC codes are those a recording's photons are given (:data:`MICRO_BITS`)."""
    if board.photons is None:
        raise InputError(f"the {board.name} has no photon path (boards/PHOTONS.md)")
    if board.photons.micro_bits != MICRO_BITS:
        raise InputError(f"the {board.name}'s TDC codes have {board.photons.micro_bits} bits, "
                         f"a replay's {MICRO_BITS}")


def replay_events(prepared, table, *, frames=None):
    """The event stream of a recording of single photons (:class:`golden.readers.Prepared`
    with ``codes``) for a board whose micro-time-to-bin ``table`` gives ``prepared.counts``:
    ``(kinds, micro)``. Its frames summed into one image (:func:`golden.events.image_events`),
    or, with ``frames``, its first ``frames`` frames one after another
    (:func:`golden.events.scan_events`).

    Raises :class:`~golden.validate.InputError` for an input that cannot be replayed as mapped.
    """
    if prepared.codes is None:
        raise InputError("only single photons can be replayed: a T3 .ptu recording holds them")
    photons, counts = prepared.recording.photons, prepared.counts
    pixels = counts[..., 0].size
    held = code_bins(prepared.codes, table) >= 0
    if not np.array_equal(counts.sum(axis=-1).ravel(),
                          np.bincount(photons.pixel[held], minlength=pixels)):
        raise InputError("the replay sends each pixel its own photons: spatial binning "
                         "(--bin) and counts scaled to fit the counters cannot be replayed")
    if pixels > TAGS:
        raise InputError(f"the board numbers at most {TAGS} pixels a frame, not {pixels}")
    if frames is None:
        return image_events(photons.pixel, prepared.codes, photons.shape)
    if not 0 < frames <= photons.frames:
        raise InputError(f"the recording holds {photons.frames} frames, not {frames}")
    return scan_events(photons.pixel, prepared.codes, photons.frame, photons.shape, frames)


def frame_photons(prepared, table):
    """Photons of each frame's pixels that the board's histograms hold (those whose code
    ``table`` puts in a bin): int64 ``(frames, pixels)``."""
    photons = prepared.recording.photons
    pixels = prepared.counts[..., 0].size
    held = code_bins(prepared.codes, table) >= 0
    flat = np.bincount(photons.frame[held] * pixels + photons.pixel[held],
                       minlength=photons.frames * pixels)
    return flat.reshape(photons.frames, pixels)


def replay_maps(prepared, qmodel, host, events, *, progress=None):
    """Maps of a recording of single photons whose histograms the board makes: its
    :func:`replay_events` ``events`` streamed into the board's event input
    (:meth:`boards.host.Host.replay`), each pixel's result taken from the RESULTS record of its
    number. The board's histograms are ``prepared.counts`` when the link is sound: each
    record's photon count is checked against them. ``progress(k)`` after ``k`` more events
    were taken. Raises :class:`~boards.host.LinkError` for pixels missing or with other photon
    counts."""
    counts = prepared.counts
    pixels = counts[..., 0].size
    records = {}
    for found in host.replay(*events, progress=progress):
        records.update((tag, (result, n)) for tag, result, n in found)
    for found in host.records():
        records.update((tag, (result, n)) for tag, result, n in found)
        if len(records) >= pixels:
            break
    missing = pixels - len(records.keys() & set(range(pixels)))
    if missing:
        raise LinkError(f"{missing} of {pixels} pixels got no result")
    sums = counts.reshape(pixels, -1).sum(axis=1)
    wrong = [tag for tag in range(pixels) if records[tag][1] != sums[tag]]
    if wrong:
        raise LinkError(f"{len(wrong)} pixels came back with other photon counts than sent "
                        f"(pixel {wrong[0]}: {records[wrong[0]][1]}, not {sums[wrong[0]]})")

    def process(flat, first_tag):
        found = [records[first_tag + k][0] for k in range(len(flat))]
        return {key: np.array([r[key] for r in found]) for key in found[0]}

    return analyse(counts, qmodel, process=process, chunk=CHUNK)
