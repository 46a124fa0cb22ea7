"""Cycles per pixel of the RTL core, measured in Amaranth simulation, and the MAC counts."""
from rtl.config import CoreConfig
from rtl.multipixel import MultiPixelCore

from .rtl_backend import run_core

__all__ = ["measure_core", "macs_per_pixel", "gate_unit_macs", "cycles_per_pixel"]


def macs_per_pixel(bins, hidden, inputs=1, layers=1):
    """DESIGN.md: ``T*3H(I+H)`` (encoder) + ``T*(3H*H + 3*H)`` (decoder and head), plus
    ``T*3H*2H`` per stacked layer in each of encoder and decoder."""
    stacked = 2 * bins * (layers - 1) * 3 * hidden * 2 * hidden
    return (bins * 3 * hidden * (inputs + hidden) + bins * (3 * hidden * hidden + 3 * hidden)
            + stacked)


def gate_unit_macs(bins, hidden, inputs=1):
    """The part of :func:`macs_per_pixel` the gate unit does rather than the matmul: the
    encoder's input products ``T*3H*I`` and the head's ``T*3H``."""
    return bins * 3 * hidden * inputs + bins * 3 * hidden


def cycles_per_pixel(records):
    """``(latency, interval)`` of :func:`~sim.rtl_backend.run_core` records: cycles to the
    first result, and the mean cycles between consecutive results (steady state; the latency
    when there is only one)."""
    first, last = records[0]["cycle"], records[-1]["cycle"]
    return first, ((last - first) / (len(records) - 1) if len(records) > 1 else first)


def measure_core(qmodel, counts, rows):
    """Stream ``counts`` ``(N, T)`` with no stalls through the one-pixel-at-a-time core
    (:class:`~rtl.multipixel.MultiPixelCore` with ``rows`` matmul multipliers, one slot, one
    lane: the explorer's baseline).

    Returns ``(latency, interval)``: cycles from a pixel's first bin to its result, and the
    cycles between consecutive results (steady-state cycles per pixel).
    """
    core = MultiPixelCore(qmodel=qmodel, bins=counts.shape[1],
                          config=CoreConfig(rows=rows, batch=1, slots=1))
    records, _ = run_core(core, counts)
    return cycles_per_pixel(records)
