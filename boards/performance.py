"""Throughput of a built board: the core's cycles per pixel, the compute ceiling it gives at the
clock, and the ceiling the UART host link puts on it."""
import re

from golden.benchmarks import BENCHMARKS
from sim.des import Config, simulate

from .protocol import HEADER_BYTES, SYNC
from .uart import BITS_PER_BYTE

__all__ = ["cycles_per_pixel", "frame_bytes", "uart_pixels_per_s", "SENSORS"]

#: Sensor sizes for frames per second.
SENSORS = (32, 128)
CRC_BYTES = 2


def _measured_seq2seq(multipliers, path):
    """Cycles/pixel of ``Seq2SeqCore(multipliers=M)`` from the ``rtl-cycles`` table that
    ``python -m sim cycles`` writes into BENCHMARKS.md; ``None`` if M is not in it."""
    text = path.read_text() if path.exists() else ""
    section = re.search(r"<!-- rtl-cycles:start -->(.*?)<!-- rtl-cycles:end -->", text, re.S)
    for line in section.group(1).splitlines() if section else []:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] == str(multipliers) and len(cells) > 3:
            return float(cells[3])
    return None


def cycles_per_pixel(core, *, bins, benchmarks=BENCHMARKS):
    """``(cycles, source)`` for a core description (``{"kind", ...}``, as
    :data:`boards.platforms.Board.core`): the discrete-event model for the multi-pixel core,
    the measured RTL figure for the single-pixel core (``None`` if it was never measured)."""
    if core["kind"] == "multipixel":
        config = Config(rows=core["rows"], batch=core["batch"], slots=core["slots"], bins=bins)
        return simulate(config)["cycles_per_pixel"], "sim.des (within 0.01 % of RTL simulation)"
    cycles = _measured_seq2seq(core["multipliers"], benchmarks)
    source = ("BENCHMARKS.md rtl-cycles (Amaranth simulation, 4 significant digits)"
              if cycles else "not measured: run `python -m sim cycles --multipliers "
                             f"{core['multipliers']}`")
    return cycles, source


def frame_bytes(bins):
    """Bytes of one HISTOGRAM frame: sync, header, ``2 T`` payload, CRC."""
    return len(SYNC) + HEADER_BYTES + 2 * bins + CRC_BYTES


def uart_pixels_per_s(baud, bins):
    """Pixels per second the host link can deliver: ``baud / 10`` bytes/s over
    :func:`frame_bytes` (8N1, frames back to back)."""
    return baud / BITS_PER_BYTE / frame_bytes(bins)
