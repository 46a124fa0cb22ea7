"""Design-space exploration: every multi-pixel configuration through the discrete-event model,
costed with a resource model fitted to real Yosys reports, within a board's budget.

The resource model is a least-squares fit, per FPGA family and gate-multiplier kind (hard DSPs
or LUTs), of each resource (LUTs, DSPs, block RAMs) on the features ``1, rows*batch, batch,
slots`` and, where the reports include cores with some matmul products built from LUTs, their
number, to the synthesis reports stored in ``sim/resources.json`` (regenerate with
``python -m sim resources [--gate-luts] [--lut-multipliers N]``). A configuration that wants
more hard multipliers than the board has builds the rest from LUTs, if the model prices them. Those reports are of Seq2SeqLite (H = 32, one
layer). Other networks (the 2-layer, H = 128 teacher, which has no RTL) are costed by
:class:`StackedCost`: DSPs as for the Lite core (they do not depend on H), block RAMs as a
lower bound from the weights alone, LUTs not modelled.
"""
import json
from pathlib import Path

import numpy as np

from rtl.config import CoreConfig

from .cycles import gate_unit_macs, macs_per_pixel
from .des import baseline, simulate

__all__ = ["NETWORKS", "ResourceModel", "StackedCost", "weight_blocks",
           "cost_models", "configurations", "evaluate", "baseline_entry", "explore",
           "RESOURCES", "CELLS", "cell_total", "gate_label"]

RESOURCES = Path(__file__).with_name("resources.json")


#: ``(hidden, layers)`` of each network the exploration knows.
NETWORKS = {"lite": (32, 1), "teacher": (128, 2)}
#: Block-RAM shapes as (depth, bytes per word): ECP5 DP16KD and iCE40 SB_RAM40_4K.
BRAM_SHAPES = {"ecp5": ((512, 4), (1024, 2), (2048, 1)),
               "ice40": ((256, 2), (512, 1))}
#: Cell types counted as each resource, per family, with the LUTs each takes (an ECP5 carry
#: cell, CCU2C, is two LUT4s with their carry logic).
CELLS = {"ice40": {"luts": {"SB_LUT4": 1}, "dsp": {"SB_MAC16": 1}, "bram": {"SB_RAM40_4K": 1}},
         "ecp5": {"luts": {"LUT4": 1, "CCU2C": 2}, "dsp": {"MULT18X18D": 1},
                  "bram": {"DP16KD": 1}}}


def cell_total(cells, family, resource):
    """One resource's total in a ``{cell type: count}`` synthesis report."""
    return sum(weight * cells.get(cell, 0) for cell, weight in CELLS[family][resource].items())


def gate_label(entry):
    """How an entry's gate unit multiplies, for tables and plots (``""``: on DSPs)."""
    if not entry["gate_luts"]:
        return ""
    return ", LUT gates" + (f" ({entry['gate_dsps']} products on DSPs)"
                            if entry.get("gate_dsps") else "")


def _features(rows, batch, slots, lut_multipliers=0):
    return [1.0, rows * batch, batch, slots, lut_multipliers]


class ResourceModel:
    """Per-family linear resource model fitted to synthesis reports.

    Parameters
    ----------
    reports : list of dict
        ``{"family", "rows", "batch", "slots", "gate_luts", "gate_dsps", "lut_multipliers",
        "cells": {cell type: count}}`` (``gate_dsps`` and ``lut_multipliers`` may be left out:
        0).
    family : str
    gate_luts : bool
    gate_dsps : int
        The gate unit the reports are of (see :class:`rtl.multipixel.MultiPixelCore`).

    Attributes
    ----------
    prices_lut_multipliers : bool
        Some report has matmul products from LUTs, so the model can cost them.
    """

    def __init__(self, reports, family, gate_luts=False, gate_dsps=0):
        points = [r for r in reports
                  if r["family"] == family and r.get("gate_luts", False) == gate_luts
                  and r.get("gate_dsps", 0) == gate_dsps]
        kind = ("LUT" if gate_luts else "DSP") + (f" ({gate_dsps} on DSPs)" if gate_dsps else "")
        if len(points) < 2:
            raise ValueError(f"need at least 2 synthesis reports for {family} with {kind} "
                             f"gates, have {len(points)}")
        self.prices_lut_multipliers = any(r.get("lut_multipliers", 0) for r in points)
        X = np.array([self._x(r["rows"], r["batch"], r["slots"], r.get("lut_multipliers", 0))
                      for r in points])
        self.family, self.gate_luts, self.gate_dsps = family, gate_luts, gate_dsps
        self.points = points
        self.coef = {}
        for resource in CELLS[family]:
            y = np.array([cell_total(r["cells"], family, resource) for r in points], float)
            self.coef[resource] = np.linalg.lstsq(X, y, rcond=None)[0]

    def _x(self, rows, batch, slots, lut_multipliers):
        x = _features(rows, batch, slots, lut_multipliers)
        return np.array(x if self.prices_lut_multipliers else x[:-1])

    @classmethod
    def load(cls, family, gate_luts=False, gate_dsps=0, path=RESOURCES):
        return cls(json.loads(Path(path).read_text()), family, gate_luts, gate_dsps)

    def predict(self, rows, batch, slots, lut_multipliers=0):
        """``{"luts", "dsp", "bram"}`` estimated for one configuration (rounded up), with
        ``lut_multipliers`` of its matmul products from LUTs."""
        if lut_multipliers and not self.prices_lut_multipliers:
            raise ValueError(f"no {self.family} synthesis report has matmul products from "
                             f"LUTs: cannot cost {lut_multipliers}")
        x = self._x(rows, batch, slots, lut_multipliers)
        return {k: int(np.ceil(round(max(c @ x, 0), 6))) for k, c in self.coef.items()}


def weight_blocks(family, rows, hidden, layers):
    """Block RAMs that hold the encoder's and decoder's 8-bit weights when each cycle reads one
    ``rows``-byte word (``rows`` rows of a matrix), in the cheapest block shape."""
    weights = 2 * (3 * hidden * (1 + hidden) + (layers - 1) * 3 * hidden * 2 * hidden)
    words = -(-weights // rows)
    return min(-(-rows // width) * -(-words // depth) for depth, width in BRAM_SHAPES[family])


class StackedCost:
    """Resources of a network other than the synthesised Lite (``hidden`` units, ``layers``
    stacked): DSPs from ``lite`` (a :class:`ResourceModel`; they depend only on rows, batch
    and the gate unit), block RAMs at least :func:`weight_blocks`, LUTs unknown (``None``)."""

    def __init__(self, lite, hidden, layers):
        self.lite, self.hidden, self.layers = lite, hidden, layers
        self.family, self.gate_luts, self.gate_dsps = lite.family, lite.gate_luts, lite.gate_dsps
        # without a LUT cost, matmul products from LUTs could never be ruled out
        self.prices_lut_multipliers = False

    def predict(self, rows, batch, slots):
        return {"luts": None, "dsp": self.lite.predict(rows, batch, slots)["dsp"],
                "bram": weight_blocks(self.family, rows, self.hidden, self.layers)}


def cost_models(board, hidden=32, layers=1):
    """One cost model per gate-multiplier kind the board explores: fitted
    :class:`ResourceModel` for the Lite network, :class:`StackedCost` for any other."""
    models = [ResourceModel.load(board.family, *kind) for kind in board.gate_kinds]
    if (hidden, layers) == NETWORKS["lite"]:
        return models
    return [StackedCost(model, hidden, layers) for model in models]


def configurations(hidden=32, max_batch=8, max_slots=3):
    """Every legal ``(rows, batch, slots)``: rows divide ``3H`` and are at most ``H``."""
    rows = [r for r in range(1, hidden + 1) if (3 * hidden) % r == 0]
    return [(r, b, s) for r in rows for b in range(1, max_batch + 1)
            for s in range(1, max_slots + 1)]


def evaluate(board, model, rows, batch, slots, *, bins=135, hidden=32, layers=1):
    """The report entry of one configuration on ``board``, costed by ``model`` (whose
    ``gate_luts`` and ``gate_dsps`` the entry records). Matmul products beyond the board's DSPs are built from
    LUTs (``lut_multipliers``) if the model prices them. ``fits`` ignores LUTs the model does
    not know. ``dsp_efficiency`` is the multiply-accumulates done on hard DSPs per DSP of the
    board per cycle (products from LUTs do not count, nor do LUT gate units' few on DSPs)."""
    config = CoreConfig(rows=rows, batch=batch, slots=slots, gate_luts=model.gate_luts,
                        gate_dsps=model.gate_dsps, family=board.family)
    cycles = simulate(config, bins=bins, hidden=hidden, layers=layers)["cycles_per_pixel"]
    clock = board.clock_mhz * 1e6
    used = model.predict(rows, batch, slots)
    spill = min(used["dsp"] - board.dsp, config.multipliers)
    lut_multipliers = spill if spill > 0 and model.prices_lut_multipliers else 0
    if lut_multipliers:
        used = model.predict(rows, batch, slots, lut_multipliers)
    pixels_per_s = clock / cycles
    gate_macs = gate_unit_macs(bins, hidden)
    matmul_macs = macs_per_pixel(bins, hidden, layers=layers) - gate_macs
    dsp_macs = (matmul_macs * (1 - lut_multipliers / config.multipliers)
                + (0 if model.gate_luts else gate_macs))
    return {"rows": rows, "batch": batch, "slots": slots, "gate_luts": model.gate_luts,
            "gate_dsps": model.gate_dsps,
            "lanes": config.lanes,
            "multipliers": used["dsp"], "matmul_multipliers": config.multipliers,
            "lut_multipliers": lut_multipliers,
            "cycles_per_pixel": cycles, "pixels_per_s": pixels_per_s,
            "dsp_efficiency": dsp_macs * pixels_per_s / (board.dsp * clock),
            "luts": used["luts"], "bram": used["bram"],
            "board_luts": None if used["luts"] is None else round(used["luts"] * board.packing),
            "fits": (used["luts"] is None or used["luts"] * board.packing <= board.luts)
            and used["dsp"] <= board.dsp and used["bram"] <= board.bram}


def baseline_entry(board, model, *, bins=135, hidden=32, layers=1):
    """The manual-scheduling baseline on the board's multiplier budget: one pixel at a time,
    program order, the largest legal row count whose hard multipliers fit, as ``model`` counts
    them (the iCE40 holds two 8-bit products per DSP; at least one row)."""
    fitting = [r for r in range(1, hidden + 1) if model.predict(r, 1, 1)["dsp"] <= board.dsp]
    config = baseline(max(fitting, default=1), hidden=hidden)
    return evaluate(board, model, config.rows, 1, 1, bins=bins, hidden=hidden, layers=layers)


def explore(board, *, bins=135, hidden=32, layers=1, max_batch=8, max_slots=3, advance=None):
    """Sweep every configuration (and gate-multiplier kind) on ``board``.

    ``advance`` is called once per configuration evaluated (for a progress bar). Returns the
    report: ``board``, ``family``, ``clock_mhz_assumed``, ``budget``, ``bins``, ``hidden``,
    ``layers``, ``best`` (fastest that fits, ``None`` if nothing fits), ``baseline`` (one pixel
    at a time on the widest matmul that fits) and ``speedup`` over it, ``sequential`` (one
    pixel, one multiply at a time: rows 1) and ``speedup_vs_sequential``, and
    ``configurations`` (every entry).
    """
    models = cost_models(board, hidden, layers)
    entries = []
    for model in models:
        for rows, batch, slots in configurations(hidden, max_batch, max_slots):
            entries.append(evaluate(board, model, rows, batch, slots, bins=bins, hidden=hidden,
                                    layers=layers))
            if advance:
                advance()
    fitting = [e for e in entries if e["fits"]]
    best = max(fitting, key=lambda e: e["pixels_per_s"]) if fitting else None
    base = max((baseline_entry(board, model, bins=bins, hidden=hidden, layers=layers)
                for model in models),
               key=lambda e: (e["fits"], e["pixels_per_s"]))
    sequential = evaluate(board, models[0], 1, 1, 1, bins=bins, hidden=hidden, layers=layers)
    return {"board": board.name, "family": board.family, "clock_mhz_assumed": board.clock_mhz,
            "budget": {"luts": board.luts, "dsp": board.dsp, "bram": board.bram},
            "bins": bins, "hidden": hidden, "layers": layers, "best": best, "baseline": base,
            "speedup": best["pixels_per_s"] / base["pixels_per_s"] if best else None,
            "sequential": sequential,
            "speedup_vs_sequential": best["pixels_per_s"] / sequential["pixels_per_s"]
            if best else None,
            "configurations": entries}
