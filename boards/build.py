"""Bitstream builds through the amaranth-boards platforms, and what their reports say.

:func:`build` runs ``platform.build`` (Yosys, nextpnr, the packer) with nextpnr's JSON report
(``--report report.json``) and Yosys's cell statistics (``stat.json``); :func:`parse_report`
turns the nextpnr report into resources and Fmax; :func:`over_budget` names what does not fit
when nextpnr gives up.
"""
import json
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

from rtl.synth import Flow

from .platforms import toolchain

__all__ = ["BuildError", "BELS", "CELLS", "build", "synthesise", "parse_report", "over_budget",
           "stage", "NAME"]

NAME = "top"
#: nextpnr bel type counted as each resource, per family.
BELS = {"ice40": {"luts": "ICESTORM_LC", "dsp": "ICESTORM_DSP", "bram": "ICESTORM_RAM"},
        "ecp5": {"luts": "TRELLIS_COMB", "dsp": "MULT18X18D", "bram": "DP16KD"}}
#: Yosys cell type counted as each resource, per family.
CELLS = {"ice40": {"luts": "SB_LUT4", "dsp": "SB_MAC16", "bram": "SB_RAM40_4K"},
         "ecp5": {"luts": "LUT4", "dsp": "MULT18X18D", "bram": "DP16KD"}}
#: A line of nextpnr's "Device utilisation" table: bel type, used, available.
UTILISATION = re.compile(r"Info:\s+(\w+):\s+(\d+)/\s*(\d+)\s+\d+%")
STATISTICS = "tee -q -o stat.json stat -json"
#: Products whose appearance in the build directory marks the end of a stage.
BITSTREAM = {"ice40": f"{NAME}.bin", "ecp5": f"{NAME}.bit"}
PLACED = {"ice40": f"{NAME}.asc", "ecp5": f"{NAME}.config"}


class BuildError(RuntimeError):
    """A build failed; the message is one line."""


def stage(build_dir, family):
    """The stage a running build in ``build_dir`` is at, from the files it has written."""
    build_dir = Path(build_dir)
    if (build_dir / BITSTREAM[family]).exists():
        return "done"
    if (build_dir / PLACED[family]).exists():
        return "bitstream (packer)"
    if (build_dir / f"{NAME}.json").exists():
        return "place and route (nextpnr)"
    return "synthesis (Yosys)"


def parse_report(report, family):
    """Resources and Fmax from a nextpnr ``--report`` JSON (a dict).

    Returns ``{"luts", "luts_total", "dsp", "dsp_total", "bram", "bram_total", "fmax_mhz"}``;
    ``fmax_mhz`` is the lowest achieved Fmax over the constrained clocks.
    """
    used = report["utilization"]
    result = {}
    for resource, bel in BELS[family].items():
        entry = used.get(bel, {"used": 0, "available": 0})
        result[resource], result[f"{resource}_total"] = entry["used"], entry["available"]
    if not report.get("fmax"):
        raise BuildError("the nextpnr report has no clock (no Fmax)")
    result["fmax_mhz"] = min(clock["achieved"] for clock in report["fmax"].values())
    return result


def over_budget(cells, family, budget):
    """``"14 SB_MAC16 (dsp) > 8"``-style text for each resource Yosys used beyond ``budget``
    (a :class:`boards.platforms.Board`), joined by ``", "``; empty if everything fits."""
    over = []
    for resource, cell in CELLS[family].items():
        count, total = cells.get(cell, 0), getattr(budget, resource)
        if count > total:
            over.append(f"{count} {cell} ({resource}) > {total}")
    return ", ".join(over)


def _failure(build_dir, board, error):
    """A one-line :class:`BuildError` for a failed build: the resource over budget if Yosys's
    statistics show one, else the tools' last ``ERROR`` line."""
    stat = build_dir / "stat.json"
    if stat.exists():
        over = over_budget(_cells(build_dir), board.family, board)
        if over:
            return BuildError(f"the design does not fit the {board.name} "
                              f"({board.platform.device}): {over}")
    for log in (f"{NAME}.tim", f"{NAME}.rpt"):
        path = build_dir / log
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        overfull = [f"{used} {bel} > {total}" for bel, used, total in
                    (m.groups() for m in map(UTILISATION.match, lines) if m)
                    if int(used) > int(total)]
        if overfull:
            return BuildError(f"the design does not fit the {board.name} "
                              f"({board.platform.device}): {', '.join(overfull)} "
                              f"(nextpnr placement)")
        errors = [line for line in lines if re.match(r"\s*ERROR", line)]
        if errors:
            return BuildError(f"{log}: {errors[-1].strip()}")
    return BuildError(f"build failed: {error}")


def _plan(top, board, flow, *, seed=1, router="router1"):
    """Amaranth's build plan of ``top`` for ``board``: Yosys through ``flow`` (a
    :class:`rtl.synth.Flow`, writing ``stat.json``), then nextpnr with its placer ``seed`` and
    ``router``, and the packer."""
    return board.platform().build(
        top, name=NAME, do_build=False, synth_opts=flow.synth_opts,
        script_after_read=flow.after_read,
        script_after_synth="\n".join(filter(None, [flow.after_synth, STATISTICS])),
        nextpnr_opts=f"--report report.json --timing-allow-fail --seed {seed} "
                     f"--router {router}")


def _cells(build_dir):
    stats = json.loads((Path(build_dir) / "stat.json").read_text())
    return stats["modules"][f"\\{NAME}"]["num_cells_by_type"]


def synthesise(top, board, build_dir, *, lut_mapper=None):
    """Only the Yosys step of :func:`build`, the same script, in ``build_dir`` (emptied
    first): Yosys's cell counts of the mapped design, before placement."""
    flow = Flow(board.family, lut_mapper)
    build_dir = Path(build_dir)
    shutil.rmtree(build_dir, ignore_errors=True)
    _plan(top, board, flow).extract(build_dir)
    with toolchain():
        done = subprocess.run([os.environ["YOSYS"], "-q", "-l", f"{NAME}.rpt", f"{NAME}.ys"],
                              cwd=build_dir, capture_output=True, text=True)
    if done.returncode != 0:
        raise _failure(build_dir, board, done.stderr.strip()[-200:])
    return _cells(build_dir)


def build(top, board, build_dir, *, seed=1, router="router1", lut_mapper=None, on_stage=None,
          poll=1.0):
    """Build ``top`` for ``board`` in ``build_dir`` (emptied first) with nextpnr's placer seed
    ``seed`` and ``router``, and Yosys's :class:`rtl.synth.Flow` for the board's family with
    ``lut_mapper``; no programming.

    ``on_stage(stage, seconds)`` is called every ``poll`` seconds while the tools run.
    Returns ``(report, cells, seconds)``: the nextpnr report (dict), Yosys's cell counts and
    the wall time. Raises :class:`BuildError` with a one-line message on failure.
    """
    flow = Flow(board.family, lut_mapper)
    build_dir = Path(build_dir)
    shutil.rmtree(build_dir, ignore_errors=True)
    outcome = {}

    def run():
        try:
            with toolchain():
                _plan(top, board, flow, seed=seed, router=router).execute_local(
                    str(build_dir))
        except Exception as error:              # re-raised in the calling thread
            outcome["error"] = error

    began = time.perf_counter()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(poll)
        if on_stage:
            on_stage(stage(build_dir, board.family), time.perf_counter() - began)
    seconds = time.perf_counter() - began
    if isinstance(outcome.get("error"), subprocess.CalledProcessError):
        raise _failure(build_dir, board, outcome["error"])
    if "error" in outcome:
        raise outcome["error"]
    report = json.loads((build_dir / "report.json").read_text())
    return report, _cells(build_dir), seconds
