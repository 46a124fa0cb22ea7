"""The boards' half of the benchmark suite (``python -m boards bench``; the estimators' half is
:mod:`sim.bench`): per board, the design-space exploration (best configuration and its speedup
over manual scheduling, cycles from the validated discrete-event model) and, where
``python -m boards build`` has recorded a bitstream, the built core's pixels/s at its nextpnr
Fmax and the UART ceiling."""
from sim.explore import NETWORKS, configurations, explore

from .builds import entries as built_boards
from .platforms import BOARDS

__all__ = ["grid_size", "projections"]


def grid_size(networks, max_batch, max_slots):
    """Configurations :func:`projections` evaluates over every board and network."""
    return sum(len(b.gate_kinds) for b in BOARDS.values()) * sum(
        len(configurations(NETWORKS[n][0], max_batch, max_slots)) for n in networks)


def _built(entry):
    if not entry or "error" in entry:
        return None
    keep = ("core", "luts", "luts_total", "dsp", "dsp_total", "bram", "bram_total", "fmax_mhz",
            "clock_mhz", "timing_met", "cycles_per_pixel", "pixels_per_s", "uart_pixels_per_s",
            "baud", "build_seconds", "command", "stale")
    return {k: entry[k] for k in keep if k in entry}


def projections(*, bins, networks=("lite", "teacher"), max_batch=8, max_slots=3,
                results=None, advance=None):
    """Per board: ``explore`` (per network, the sweep's best, baselines and speedups, without
    the full list of configurations), ``clock_source`` and ``built`` (the last recorded board
    build recorded in ``results``, default the repository's, or ``None``)."""
    recorded = built_boards(results)
    out = {}
    for name, board in BOARDS.items():
        reports = {}
        for network in networks:
            hidden, layers = NETWORKS[network]
            reports[network] = explore(board, bins=bins, hidden=hidden, layers=layers,
                                       max_batch=max_batch, max_slots=max_slots,
                                       advance=advance)
            reports[network].pop("configurations")
        out[name] = {"explore": reports, "clock_source": board.clock_source,
                     "built": _built(recorded.get(name))}
    return out
