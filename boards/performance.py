"""Throughput of a built board: the core's cycles per pixel, the compute ceiling it gives at the
clock, and the ceilings the UART host link puts on it: histograms in, and (with a photon path)
result records out."""
from sim.des import simulate

from .protocol import HEADER_BYTES, RECORD_BYTES, SYNC
from .uart import BITS_PER_BYTE

__all__ = ["cycles_per_pixel", "frame_bytes", "uart_pixels_per_s", "records_per_s", "SENSORS"]

#: Sensor sizes for frames per second.
SENSORS = (32, 128)
CRC_BYTES = 2


def cycles_per_pixel(core, *, bins):
    """``(cycles, source)`` of a core (:class:`rtl.config.CoreConfig`): the discrete-event
    model's steady state."""
    return (simulate(core, bins=bins)["cycles_per_pixel"],
            "sim.des (within 0.01 % of RTL simulation)")


def frame_bytes(bins):
    """Bytes of one HISTOGRAM frame: sync, header, ``2 T`` payload, CRC."""
    return len(SYNC) + HEADER_BYTES + 2 * bins + CRC_BYTES


def uart_pixels_per_s(baud, bins):
    """Pixels per second the host link can deliver: ``baud / 10`` bytes/s over
    :func:`frame_bytes` (8N1, frames back to back)."""
    return baud / BITS_PER_BYTE / frame_bytes(bins)


def records_per_s(baud, records):
    """Results per second the link can carry as RESULTS records, ``records`` a frame (full
    frames back to back): ``baud / 10`` bytes/s over a record plus its share of a frame's
    sync, header and CRC."""
    return baud / BITS_PER_BYTE / (RECORD_BYTES + (len(SYNC) + HEADER_BYTES + CRC_BYTES) / records)
