"""Builds through the amaranth-boards platforms: tiny real builds (PLL and counter on the
iCEBreaker, ~20 s; a counter on the ULX3S with ABC's LUT mapper) for the report parser and
the synthesis options; failure messages; the toolchain environment. Each board's default: the
iCEBreaker's full build, the ULX3S's synthesis against its budget (its full build with
``-m slow``)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from amaranth import ClockDomain, Elaboratable, Module, Signal
from amaranth.lib import io

from boards.build import (BuildError, _failure, build, over_budget, parse_report, stage,
                          synthesise)
from boards.platforms import BOARDS, TOOLS, ULX3S85FPlatform, board_named, toolchain
from boards.pll import PLL, ice40_settings
from boards import protocol
from boards.top import uart_divisor
from boards.toplevel import BoardTop
from rtl.multipixel import MultiPixelCore
from golden.export import golden_counts
from golden.intref import run_counts
from golden.pipeline import load_default
from sim.explore import cell_total
from sim.netlist import run_placed

ICEBREAKER = BOARDS["icebreaker"]


class Blinky(Elaboratable):
    """The PLL at 24 MHz and a counter on LED 0."""

    def elaborate(self, platform):
        m = Module()
        m.domains.sync = ClockDomain()
        pin = platform.request("clk12", dir="-")
        m.submodules.pll = PLL(settings=ice40_settings(12, 24), clk_pin=pin.io)
        count = Signal(24)
        m.d.sync += count.eq(count + 1)
        m.submodules.led = led = io.Buffer("o", platform.request("led", 0, dir="-"))
        m.d.comb += led.o.eq(count[-1])
        return m


class Counter(Elaboratable):
    """A counter's parity (LUTs, not only carries) on LED 0, on the platform's default
    clock."""

    def elaborate(self, platform):
        m = Module()
        count = Signal(24)
        m.d.sync += count.eq(count + 1)
        m.submodules.led = led = io.Buffer("o", platform.request("led", 0, dir="-"))
        m.d.comb += led.o.eq(count.xor())
        return m


@pytest.fixture(scope="module")
def blinky(tmp_path_factory):
    build_dir = tmp_path_factory.mktemp("blinky")
    stages = []
    report, cells, seconds = build(Blinky(), ICEBREAKER, build_dir,
                                   on_stage=lambda s, t: stages.append(s), poll=0.2)
    return build_dir, report, cells, stages


def test_real_report_parses(blinky):
    """nextpnr's own report: LCs used of 5280, no DSP or RAM, the 24 MHz clock (derived by
    nextpnr from the PLL and the 12 MHz input) met."""
    build_dir, report, cells, stages = blinky
    got = parse_report(report, "ice40")
    assert 24 < got["luts"] < 100 and got["luts_total"] == 5280
    assert (got["dsp"], got["dsp_total"], got["bram"], got["bram_total"]) == (0, 8, 0, 30)
    assert report["fmax"]["clk"]["constraint"] == pytest.approx(24, abs=0.01)
    assert got["fmax_mhz"] > 24
    assert cells["SB_PLL40_PAD"] == 1 and cells["SB_LUT4"] > 0
    assert stage(build_dir, "ice40") == "done" and (build_dir / "top.bin").stat().st_size > 0
    assert stages[0] == "synthesis (Yosys)"


def test_ecp5_build_with_abc_lut_mapping(tmp_path):
    """``lut_mapper="abc"``: Yosys runs synth_ecp5 up to its LUT mapping, ``abc -lut 4`` in
    place of ABC9, then the rest of synth_ecp5; nextpnr places the LUTs it made."""
    report, cells, _ = build(Counter(), BOARDS["ulx3s-85f"], tmp_path, lut_mapper="abc")
    log = (tmp_path / "top.rpt").read_text()
    assert "Executing ABC pass" in log and "Executing ABC9 pass" not in log
    assert cells["LUT4"] > 0 and parse_report(report, "ecp5")["luts"] >= cells["LUT4"]
    assert (tmp_path / "top.bit").stat().st_size > 0


def test_lut_mapper_is_an_ecp5_choice(tmp_path):
    with pytest.raises(ValueError, match=r"^the LUT mapper is a choice of ECP5 builds \(abc9, "
                                         r"abc\), not 'abc' for ice40$"):
        build(Counter(), ICEBREAKER, tmp_path, lut_mapper="abc")
    assert not tmp_path.joinpath("top.il").exists()


def test_report_without_clock_is_an_error():
    report = {"utilization": {"ICESTORM_LC": {"used": 1, "available": 5280}}, "fmax": {}}
    with pytest.raises(BuildError, match=r"^the nextpnr report has no clock \(no Fmax\)$"):
        parse_report(report, "ice40")


def write_stat(build_dir, cells):
    """A Yosys ``stat -json`` file as the build writes it."""
    (build_dir / "stat.json").write_text(json.dumps(
        {"modules": {"\\top": {"num_cells_by_type": cells}}}))


def test_over_budget_names_each_resource():
    cells = {"SB_LUT4": 8394, "SB_MAC16": 16, "SB_RAM40_4K": 29}
    assert over_budget(cells, "ice40", ICEBREAKER) == \
        "8394 SB_LUT4 (luts) > 5280, 16 SB_MAC16 (dsp) > 8"
    assert over_budget({"SB_LUT4": 10}, "ice40", ICEBREAKER) == ""


def test_failure_message_names_the_resource(tmp_path):
    write_stat(tmp_path, {"SB_LUT4": 3000, "SB_MAC16": 14, "SB_RAM40_4K": 28})
    error = _failure(tmp_path, ICEBREAKER, subprocess.CalledProcessError(1, "sh"))
    assert str(error) == ("the design does not fit the icebreaker (iCE40UP5K): "
                          "14 SB_MAC16 (dsp) > 8")


def test_failure_message_quotes_the_tool(tmp_path):
    """A design that fits but fails: the last ERROR line of nextpnr's log."""
    write_stat(tmp_path, {"SB_LUT4": 10})
    (tmp_path / "top.tim").write_text("Info: x\nERROR: Unable to route net 'a'\n")
    error = _failure(tmp_path, ICEBREAKER, subprocess.CalledProcessError(1, "sh"))
    assert str(error) == "top.tim: ERROR: Unable to route net 'a'"


def test_failure_message_names_what_nextpnr_could_not_place(tmp_path):
    """Yosys's LUT count fits, but LUTs and flip-flops do not pack into the logic cells."""
    write_stat(tmp_path, {"SB_LUT4": 5205, "SB_MAC16": 4})
    (tmp_path / "top.tim").write_text(
        "Info: Device utilisation:\nInfo: \t         ICESTORM_LC:    6556/   5280   124%\n"
        "Info: \t        ICESTORM_RAM:      30/     30   100%\n"
        "ERROR: Unable to place cell 'x', no BELs remaining to implement cell type "
        "'ICESTORM_LC'\n")
    error = _failure(tmp_path, ICEBREAKER, subprocess.CalledProcessError(1, "sh"))
    assert str(error) == ("the design does not fit the icebreaker (iCE40UP5K): "
                          "6556 ICESTORM_LC > 5280 (nextpnr placement)")


def test_toolchain_sets_only_unset_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("YOSYS", "/opt/yosys")
    monkeypatch.delenv("ICEPACK", raising=False)
    with toolchain(tmp_path) as added:
        assert os.environ["YOSYS"] == "/opt/yosys" and "YOSYS" not in added
        assert os.environ["ICEPACK"] == str(tmp_path / TOOLS["ICEPACK"])
    assert "ICEPACK" not in os.environ and os.environ["YOSYS"] == "/opt/yosys"


def test_ulx3s_builds_without_openfpgaloader():
    assert "openFPGALoader" not in ULX3S85FPlatform().required_tools
    assert ULX3S85FPlatform().device == "LFE5U-85F"


def test_board_names():
    assert board_named("ulx3s-85f").family == "ecp5"
    with pytest.raises(ValueError, match=r"^board must be one of icebreaker, ulx3s-85f, "
                                         r"not 'arty'$"):
        board_named("arty")


def build_default(board, out):
    """``python -m boards build BOARD --out OUT``, as a user runs it; returns its report."""
    done = subprocess.run([sys.executable, "-m", "boards", "build", board, "--out",
                           str(out), "--no-benchmarks"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads((out / "report.json").read_text())


@pytest.fixture(scope="module")
def icebreaker_default(tmp_path_factory):
    out = tmp_path_factory.mktemp("icebreaker")
    return out, build_default("icebreaker", out)


def check_default(out, report, board):
    """A bitstream that meets timing at the board's configured clock (not only after a rebuild
    below it), within the budget."""
    assert report["timing_met"] and report["fmax_mhz"] >= report["clock_mhz"]
    assert report["clock_mhz"] == board_named(board).clock_mhz and len(report["attempts"]) == 1
    assert report["luts"] <= report["luts_total"] and report["dsp"] <= report["dsp_total"]
    assert report["bram"] <= report["bram_total"]
    assert (out / report["bitstream"]).exists()


def test_icebreaker_default_builds(icebreaker_default):
    """The iCEBreaker's default build from scratch (about 3 min), in the default suite: a
    default that stops fitting or meeting timing fails here."""
    check_default(*icebreaker_default, "icebreaker")


@pytest.mark.slow
def test_ulx3s_default_builds(tmp_path):
    """The ULX3S's default build from scratch (about 40 min): opt-in."""
    check_default(tmp_path, build_default("ulx3s-85f", tmp_path), "ulx3s-85f")


#: Share of each resource a default's synthesis may use before it counts as not fitting: the
#: LUT estimate (Yosys's LUTs times the board's measured packing into nextpnr's cells,
#: :data:`boards.platforms.BOARDS`) stays 3 % below the total.
SYNTHESIS_MARGIN = 0.97


def test_ulx3s_default_synthesises_within_budget(tmp_path):
    """The ULX3S default (T = 135) through its own Yosys flow only (about 3 min; the full build
    is opt-in): hard multipliers and block RAMs within the FPGA's, LUTs within the margin."""
    board = BOARDS["ulx3s-85f"]
    top = BoardTop(board=board, core=MultiPixelCore(qmodel=load_default(), bins=135,
                                                   config=board.core),
                   clock_mhz=board.clock_mhz)
    cells = synthesise(top, board, tmp_path, lut_mapper=board.lut_mapper)
    assert cell_total(cells, "ecp5", "dsp") <= board.dsp
    assert cell_total(cells, "ecp5", "bram") <= board.bram
    luts = cell_total(cells, "ecp5", "luts") * board.packing
    assert luts <= SYNTHESIS_MARGIN * board.luts, f"{luts:.0f} LUTs of {board.luts}"


def _result_frames(q, tags, counts):
    """The RESULT frames the board owes for ``counts``: :func:`golden.intref.run_counts`."""
    ref = run_counts(q, counts)
    return b"".join(protocol.result(tag, ref["tau_q"][k], ref["fraction_q"][k],
                                    ref["tau_defined"][k], ref["fraction_defined"][k],
                                    ref["valid"][k]) for k, tag in enumerate(tags))


@pytest.mark.slow
def test_icebreaker_placed_netlist_through_its_uart(icebreaker_default, tmp_path):
    """The netlist nextpnr placed for the iCEBreaker default (its ``top.json`` as Verilog,
    Yosys's iCE40 cell models, the PLL passing its clock through), a HISTOGRAM frame into its
    UART pin at 1 Mbaud: the bytes on its tx pin are exactly the RESULT frame of the integer
    reference (319k cycles, about 25 min under Icarus)."""
    out, report = icebreaker_default
    q = load_default()
    counts = golden_counts(6, q.meta["acquisition"]["bins"], seed=5)[4:5]    # a decay
    tags = [7]
    send = b"".join(protocol.histogram(tag, c) for tag, c in zip(tags, counts))
    tests, failed = run_placed(out / "build" / "top.json", build_dir=tmp_path, vectors={
        "send": np.frombuffer(send, np.uint8),
        "expected": np.frombuffer(_result_frames(q, tags, counts), np.uint8),
        "divisor": uart_divisor(report["clock_mhz"] * 1e6, report["baud"]),
        "idle_limit": 2 * int(report["cycles_per_pixel"])})
    assert (tests, failed) == (1, 0), (tmp_path / "test.log").read_text()[-3000:]
