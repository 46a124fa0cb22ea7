"""The ``boards`` section of BENCHMARKS.md: one entry per board, model and core (the board's
name alone for its default core and the shipped model), kept in the section's data
(``results/boards.json``) so that building one leaves the others' figures in place."""
from golden.benchmarks import RESULTS, load_section, table, update_section
from golden.pipeline import DEFAULT_WEIGHTS

from .performance import SENSORS
from .platforms import BOARDS

__all__ = ["SECTION", "entries", "entry_key", "record", "mark_stale", "section_body"]

SECTION = "boards"
TITLE = "Boards: bitstreams, resources, Fmax and pixels/s"


def entries(results=None):
    """The entries stored in the section (board name -> report dict) in ``results`` (default
    the repository's); empty if none."""
    section = load_section(SECTION, RESULTS if results is None else results)
    return section["data"] if section else {}


def _label(entry):
    """The board's name, with the model's file name unless it is the shipped model."""
    weights = entry.get("weights", DEFAULT_WEIGHTS.name)
    return entry["board"] + ("" if weights == DEFAULT_WEIGHTS.name else f" with {weights}")


def entry_key(entry):
    """Where a build report is kept: :func:`_label`, with the core unless it is the board's
    default."""
    board = BOARDS.get(entry["board"])
    default = board is not None and entry["core"] == board.core.label()
    return _label(entry) if default else f"{_label(entry)}, {entry['core']}"


def _row(e):
    if "error" in e:
        return [_label(e), e["core"], e["error"], *[None] * 9, e["build_seconds"]]
    frames = [e["pixels_per_s"] / s ** 2 for s in SENSORS]
    return [_label(e) + (" (stale)" if "stale" in e else ""), e["core"],
            f"{e['luts']}/{e['luts_total']}, {e['dsp']}/{e['dsp_total']}, "
            f"{e['bram']}/{e['bram_total']}",
            e["fmax_mhz"], e["clock_mhz"], e["cycles_per_pixel"], e["pixels_per_s"], *frames,
            e["uart_pixels_per_s"], e.get("records_per_s"), e["baud"], e["build_seconds"]]


def record(entry, command, results=None):
    """Store ``entry`` (a build report, or ``{"board", "core", "weights", "error",
    "build_seconds"}``) under its :func:`entry_key` (in ``results``, default the
    repository's)."""
    results = RESULTS if results is None else results
    update_section(SECTION, TITLE, command, {**entries(results), entry_key(entry): entry},
                   renderer=__name__, results=results)


def mark_stale(key, why, results=None):
    """Flag the build recorded under ``key`` (:func:`entry_key`) as no longer describing the
    RTL, saying ``why``; its next :func:`record` replaces it."""
    results = RESULTS if results is None else results
    stored = entries(results)
    section = load_section(SECTION, results)
    stored[key] = {**stored[key], "stale": why}
    update_section(SECTION, TITLE, section["command"], stored, renderer=__name__,
                   results=results)


def section_body(stored):
    """The boards section's Markdown: a row per board's latest build."""
    header = ["board (model)", "core", "LUTs, DSPs, block RAMs (used/total)", "Fmax (MHz)",
              "clock (MHz)", "cycles/pixel", "pixels/s (compute)",
              *(f"frames/s {s}x{s}" for s in SENSORS), "pixels/s (UART ceiling)",
              "results/s (RESULTS ceiling)", "baud", "build (s)"]
    return ("Each board's latest `python -m boards build` (YoWASP Yosys + nextpnr, on the "
            "project machine). pixels/s (compute) = min(Fmax, clock) / cycles per pixel; the "
            "UART ceiling is what the host link can deliver (baud / 10 bytes/s over one "
            "HISTOGRAM frame of 2T + 11 bytes), so the board runs at the lower of the two. "
            "A board with a photon path (on-chip photons, histogrammed on the chip) sends only "
            "results, as RESULTS records; their ceiling is baud / 10 bytes/s over 14 bytes a "
            "record and its share of a full frame's 9. "
            "Frames/s are compute-bound, for 32x32 and 128x128 sensors. LUTs are nextpnr's "
            "logic cells (iCE40 LCs, ECP5 LUT4s).\n\n"
            + table(header, [_row(e) for e in stored.values()])
            + "".join(f"\n\n**{key} is stale:** {e['stale']}" for key, e in stored.items()
                      if "stale" in e))
