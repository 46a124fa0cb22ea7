"""PicoQuant ``.ptu`` T3 recordings read photon by photon, each in the pixel ptufile gives it.

:func:`read_t3_photons` returns the photons of one channel, frames summed, as a pixel index and
a TDC code each (:class:`T3Photons`). They are exactly the photons that
``ptufile.PtuFile.decode_image(frame=-1, channel=None, dtime=0, keepdims=False)`` (ptufile
2026.2.6) counts for that channel, so their histogram per pixel equals its image; for a point
measurement they are the photons ``decode_histogram(dtime=0)`` counts. ptufile reads the header
and decodes the records (``decode_records``: global ``time`` in sync periods, ``dtime``,
``channel`` >= 0 for photons and -1 otherwise, ``marker`` > 0 for markers); the pixel
assignment below is done here, vectorised, from ptufile's documented behaviour and its source.

How ptufile places a photon in an image (``_ptufile.decode_t3_image`` with its defaults):

- Markers are masks from the header (``ImgHdr_LineStart``/``LineStop``/``Frame``: bit
  ``value - 1``); one marker record is read as frame change, then line stop, then line start.
- A frame change ends the open line and restarts the line count; the first line start after it
  (or after the start of the recording) begins a new frame, so frames are counted by their
  lines, and lines before the first frame marker belong to the first frame.
- A line start opens line ``y`` (its rank in the frame) at its time; a line stop or frame
  change closes it. Photons while no line is open are not counted: before the first line
  start, during retrace, and in lines past ``ImgHdr_PixY``.
- In an open line the photon's offset from the line start, in sync periods, must lie in
  ``[0, line_time)``; its column is ``offset // pixel_time`` and must be below ``ImgHdr_PixX``.
  ``pixel_time`` and ``line_time`` are ptufile's defaults (``PtuFile.global_pixel_time`` and
  ``global_line_time``): ``ImgHdr_TimePerPixel`` when the header states it, with
  ``line_time = PixX * pixel_time``; else ``line_time`` is the mean time from line start to
  line stop and ``pixel_time`` that over ``PixX``, rounded (the last periods of a line can
  then fall past the last column).
  Bidirectional scans mirror the offset of odd lines (``line_time - 1 - offset``, no shift);
  sinusoidal scans look the column up in ptufile's own table
  (``ptufile.ptufile.sinusoidal_correction``) instead of dividing.
- Incomplete frames are dropped as ptufile drops them: with ``PixY`` lines expected, a frame
  change after fewer than ``PixY - 1`` lines marks the first frame (if it ends the first frame)
  or the last frame (otherwise, until a complete frame follows) as incomplete, and so does a
  final frame of 1 to ``PixY - 2`` lines when there are several frames. An incomplete first
  frame is skipped; decoding stops at the first line of the ``N + 1``-th frame after it, ``N``
  being the number of frames less the incomplete ones but at least 1 (so of two incomplete
  frames the second is counted).
- Photons with ``dtime >= number_bins_in_period`` are not counted (``dtime=0``); overflow
  records only carry the global time.
"""
import operator
from pathlib import Path
from typing import NamedTuple

import numpy as np
import ptufile

from .validate import InputError

__all__ = ["T3Photons", "read_t3_photons"]

#: T3 record types ptufile decodes -> its number of channels (``number_channels_max``).
_T3_CHANNELS = {0x00010303: 4,      # PicoHarp T3
                0x00010304: 64,     # HydraHarp T3 (v1)
                0x01010304: 64,     # HydraHarp 2 T3
                0x00010305: 64,     # TimeHarp 260 N T3
                0x00010306: 64,     # TimeHarp 260 P T3
                0x00010307: 64}     # MultiHarp / PicoHarp 330 T3
#: The largest TDC code + 1 of a record type (``number_bins_max``).
_T3_BINS = {0x00010303: 4096}
_HT3_BINS = 32768
_MARKER_TAGS = ("ImgHdr_LineStart", "ImgHdr_LineStop", "ImgHdr_Frame")


class T3Photons(NamedTuple):
    """Photons of a T3 recording in record order; an image sums its frames."""
    pixel: np.ndarray     # int64 (N,): y * width + x of each photon's pixel
    dtime: np.ndarray     # int64 (N,): each photon's TDC code, 0 <= dtime < bins
    frame: np.ndarray     # int64 (N,): each photon's frame, 0 .. frames - 1 (ptufile's index)
    shape: tuple          # (height, width); (1, 1) for a point measurement
    bins: int             # ptu.number_bins_in_period
    bin_width_ns: float   # ptu.tcspc_resolution * 1e9
    period_ns: float | None   # 1e9 / ptu.syncrate, None if syncrate <= 0
    frames: int           # frames summed (1 for a point measurement)


def read_t3_photons(path, channel) -> T3Photons:
    """The photons of ``channel`` of the T3 recording at ``path``, as ptufile counts them.

    Parameters
    ----------
    path : str or Path
        A PicoQuant ``.ptu`` file holding T3 records: an image or a point measurement.
    channel : int
        Index ``0 .. number_channels - 1`` along the C axis of ptufile's ``decode_image`` (and
        ``decode_histogram``). ptufile trims the channel axis to the channels with photons:
        index ``c`` holds the records whose ``channel`` field (as ``decode_records`` gives it;
        PicoHarp's detector 1 is 0) is ``first + c``, ``first`` being the lowest channel with
        any photon; inactive channels between the first and the last active one keep their
        index (and hold no photons).

    Returns
    -------
    T3Photons
        Only the photons ``decode_image(frame=-1, channel=None, dtime=0, keepdims=False)``
        counts in that channel (``decode_histogram(dtime=0)`` for a point measurement, all in
        pixel 0 of a 1 x 1 image): ``np.bincount(p.pixel * p.bins + p.dtime,
        minlength=H * W * p.bins).reshape(H, W, p.bins)`` equals ptufile's array, and that of
        the photons with ``p.frame == f`` equals ``decode_image(frame=f, ...)``. ``frames`` is
        the number of frames any of whose lines were counted.

    Raises
    ------
    InputError
        Naming the file: not a readable ``.ptu`` file, a T2 recording, a channel out of range,
        a line scan, an image ptufile does not decode (no line markers, bidirectional without
        an image header, more TDC codes per period than the record type has), line durations
        ptufile would have to measure line by line, or records ptufile cannot classify.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} does not exist")
    try:
        with ptufile.PtuFile(path) as ptu:
            return _photons(ptu, channel, path.name)
    except InputError:
        raise
    except (ValueError, KeyError, OSError) as err:   # ptufile on corrupt headers and records
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"cannot read {path.name}: {reason}") from None


def _photons(ptu, channel, name):
    """:func:`read_t3_photons` of an open ``ptufile.PtuFile``; ``name`` is used in messages."""
    rectype = int(ptu.tags["TTResultFormat_TTTRRecType"])
    if not ptu.is_t3:
        raise InputError(f"{name} is a T2 recording (photon times without a laser sync, so "
                         f"no decay histograms): record in T3 mode")
    if rectype not in _T3_CHANNELS:
        raise InputError(f"{name}: ptufile has no T3 decoder for record type {rectype:#010x}")
    raw = ptu.read_records()
    if rectype != 0x00010303:
        # HydraHarp-style special records that are neither overflow (63) nor marker (1-15):
        # ptufile's image decoder refuses them and its other decoders reuse stale fields
        kind = (raw >> 25) & 0x3F
        bad = int(np.count_nonzero((raw >> 31).astype(bool) & ((kind == 0) | ((kind > 15)
                                                                          & (kind != 63)))))
        if bad:
            raise InputError(f"{name} holds {bad} special records that are neither overflows "
                             f"nor markers (ptufile cannot decode them)")
    rec = ptu.decode_records(raw)
    chan = rec["channel"]
    photon = chan >= 0
    counted = np.bincount(chan[photon].astype(np.intp), minlength=_T3_CHANNELS[rectype])
    active = np.flatnonzero(counted[:_T3_CHANNELS[rectype]])
    first = int(active[0]) if active.size else 0
    nchannels = int(active[-1]) - first + 1 if active.size else 1
    try:
        index = operator.index(channel)
    except TypeError:
        raise InputError(f"{name}: channel must be an integer, not {channel!r}") from None
    if not 0 <= index < nchannels:
        raise InputError(f"{name} has {nchannels} channel{'s' * (nchannels > 1)} "
                         f"(0-{nchannels - 1}), not channel {channel}")

    bins = int(ptu.number_bins_in_period)
    period = 1e9 / ptu.syncrate if ptu.syncrate > 0 else None
    layout = dict(bins=bins, bin_width_ns=ptu.tcspc_resolution * 1e9, period_ns=period)
    # dtime is int16; photons' codes are >= 0 (15 bits at most)
    use = np.flatnonzero((chan == first + index) & (rec["dtime"] < bins))
    dtime = rec["dtime"][use].astype(np.int64)

    ndim = ptu.measurement_ndim
    if ndim == 2:
        raise InputError(f"{name} is a line scan: only images and point measurements are read")
    if ndim != 3:   # a point measurement: decode_histogram counts every such photon
        zeros = np.zeros(use.size, np.int64)
        return T3Photons(zeros, dtime, zeros, (1, 1), frames=1, **layout)

    pixel, frame, keep, height, width, frames = _image_pixels(ptu, rec, use, rectype, bins, name)
    return T3Photons(pixel, dtime[keep], frame, (height, width), frames=frames, **layout)


def _image_pixels(ptu, rec, use, rectype, bins, name):
    """Pixels and frames of the photon records ``use`` of an image: ``(pixel, frame, keep,
    height, width, frames)``, ``pixel`` and ``frame`` being those of ``use[keep]``, the photons
    decode_image counts."""
    tags = ptu.tags
    if "ImgHdr_LineStart" not in tags:
        raise InputError(f"{name} is an old-style image without line markers (ptufile does "
                         f"not decode it)")
    if "ImgHdr_PixX" not in tags:
        raise InputError(f"{name} is an image without ImgHdr_PixX (ptufile cannot size it)")
    for key in _MARKER_TAGS:
        if not 0 < tags.get(key, 1) <= 32:
            raise InputError(f"{name}: invalid marker {key} = {tags[key]}")
    if ptu.is_bidirectional and not ptu.is_image:
        raise InputError(f"{name}: bidirectional scanning without an image header "
                         f"(ImgHdr_Dimensions = 3), which ptufile does not decode")
    if bins > _T3_BINS.get(rectype, _HT3_BINS):
        raise InputError(f"{name}: {bins} TDC codes per laser period exceed the record type's "
                         f"{_T3_BINS.get(rectype, _HT3_BINS)} (ptufile refuses the image)")
    height, width = int(ptu.lines_in_frame), int(ptu.pixels_in_line)
    pixel_time, line_time = int(ptu.global_pixel_time), int(ptu.global_line_time)
    if line_time <= 0:
        raise InputError(f"{name}: lines have no duration in the header or from their markers "
                         f"(ptufile would measure each line to its next marker: not supported)")
    table = None
    if ptu.is_sinusoidal:
        # the column of each offset is ptufile's own table (float rounding decides columns)
        try:
            from ptufile.ptufile import sinusoidal_correction
        except ImportError:
            raise InputError(f"{name}: sinusoidal scanning needs ptufile's "
                             f"sinusoidal_correction, which this ptufile lacks") from None
        try:
            table = sinusoidal_correction(tags["ImgHdr_SinCorrection"], line_time, width,
                                          dtype=np.uint16).astype(np.int64)
        except ValueError as err:
            raise InputError(f"{name}: sinusoidal scan ptufile cannot decode: {err}") from None

    # --- the markers that change the state, and the lines they open
    start, stop, change = (ptu.line_start_mask & 0xFF, ptu.line_stop_mask & 0xFF,
                           ptu.frame_change_mask & 0xFF)
    event = np.flatnonzero(rec["marker"] & (start | stop | change))
    marker = rec["marker"][event]
    is_change, is_start = (marker & change) != 0, (marker & start) != 0
    order = np.arange(event.size)
    starts_before = np.cumsum(is_start) - is_start      # line starts before each event
    last_change = np.maximum.accumulate(np.where(is_change, order, -1))
    since = np.where(last_change >= 0, starts_before[np.maximum(last_change, 0)], 0)
    line = starts_before - since                       # y of each line start in its frame
    new_frame = is_start & (line == 0)
    frame = np.cumsum(new_frame) - 1                   # frame of each line start, from 0

    skip_first, frames_kept = _incomplete_frames(ptu, is_change, is_start, starts_before, since,
                                                 new_frame)
    frame = frame - skip_first
    is_open = is_start & (frame >= 0) & (frame < max(frames_kept, 1)) & (line < height)
    frames = int(np.unique(frame[is_open]).size)

    # --- each photon in the state left by the last marker before it
    which = np.searchsorted(event, use, side="right") - 1
    which_ok = np.maximum(which, 0)
    keep = (which >= 0) & is_open[which_ok] if event.size else np.zeros(use.size, bool)
    which = which_ok[keep]
    offset = (rec["time"][use[keep]].astype(np.int64)
              - rec["time"][event[which]].astype(np.int64))
    y = line[which]
    if ptu.is_bidirectional:
        offset = np.where(y % 2 == 1, line_time - 1 - offset, offset)
    inside = (offset >= 0) & (offset < line_time)
    x = np.full(offset.shape, width, np.int64)
    x[inside] = table[offset[inside]] if table is not None else offset[inside] // pixel_time
    inside &= x < width
    keep[np.flatnonzero(keep)[~inside]] = False
    return (y[inside] * width + x[inside], frame[which][inside].astype(np.int64), keep, height,
            width, frames)


def _incomplete_frames(ptu, is_change, is_start, starts_before, since, new_frame):
    """ptufile's trimming of incomplete frames: ``(skip_first, frames_kept)``.

    ``frames_kept`` is what ptufile reports as ``number_images`` (before ``max(.., 1)``)."""
    tags = ptu.tags
    expected = 0    # ptufile checks frames against ImgHdr_PixY of image measurements only
    if "ImgHdr_PixY" in tags and tags["Measurement_SubMode"] == 3:
        expected = max(1, int(tags["ImgHdr_PixY"]))
    frames = int(np.count_nonzero(new_frame))
    if frames == 0:
        return 0, 0
    changes = np.flatnonzero(is_change)
    # lines of the frame each change marker ends, and frames begun before it
    before = np.concatenate([[0], since[changes[:-1]]]) if changes.size else changes
    lines = starts_before[changes] - before
    begun = np.cumsum(new_frame)[changes] - new_frame[changes]
    short = expected > lines + 1
    skip_first = bool(np.any(short & (begun == 1)))
    decisive = ~(short & (begun == 1))   # these set (short) or clear the last-frame flag
    skip_last = bool(short[decisive][-1]) if decisive.any() else False
    last_lines = int(np.count_nonzero(is_start)) - (int(since[changes[-1]]) if changes.size
                                                    else 0)
    if frames > 1 and last_lines > 0 and expected > last_lines + 1:
        skip_last = True
    kept = frames - skip_first
    if skip_last and kept > 0:
        kept -= 1
    return int(skip_first), kept
