"""The cell models that stand in where Yosys ships none (the ECP5 MULT18X18D and DP16KD), each
tested on its own against the cell's documented behaviour (:mod:`sim.cocotb_mult18`,
:mod:`sim.cocotb_dp16kd`)."""
import pytest

from sim.cocotb_dp16kd import init_word
from sim.cocotb_run import run_cocotb
from sim.netlist import CELL_MODELS, DP16KD_MODEL

#: The MULT18X18D as rtl/dsp.py instantiates it, with buses for the testbench.
WRAPPER = """
module mult18 (input clk, input ce, input rst, input signed_a, input signed_b,
               input [17:0] a, input [17:0] b, output [35:0] p);
    MULT18X18D #(.REG_INPUTA_CLK("CLK0"), .REG_INPUTB_CLK("CLK0"), .REG_OUTPUT_CLK("CLK0"),
                 .REG_INPUTC_CLK("NONE"), .REG_PIPELINE_CLK("NONE"), .GSR("DISABLED")) mult (
        .CLK0(clk), .CE0(ce), .RST0(rst), .SIGNEDA(signed_a), .SIGNEDB(signed_b),
        .SOURCEA(1'b0), .SOURCEB(1'b0),
        """ + ", ".join(f".A{i}(a[{i}]), .B{i}(b[{i}]), .C{i}(1'b0)" for i in range(18)) + """,
        """ + ", ".join(f".P{i}(p[{i}])" for i in range(36)) + """);
endmodule
"""


def test_mult18x18d_model_follows_the_documented_registers(tmp_path):
    tests, failed = run_cocotb(WRAPPER, name="mult18", test_module="sim.cocotb_mult18",
                               build_dir=tmp_path, vectors={}, models=CELL_MODELS["ecp5"])
    assert (tests, failed) == (2, 0), (tmp_path / "test.log").read_text()[-3000:]


@pytest.mark.parametrize("simulator", ["icarus", "verilator"])
def test_a_build_of_the_same_design_is_run_again_unbuilt(simulator, tmp_path):
    """:func:`sim.cocotb_run.run_cocotb` reuses a build: the MULT18X18D model's testbench twice
    in one folder, the second run passes without a build; a changed define builds again."""
    args = dict(name="mult18", test_module="sim.cocotb_mult18", build_dir=tmp_path,
                vectors={}, models=CELL_MODELS["ecp5"], simulator=simulator)
    assert run_cocotb(WRAPPER, **args) == (2, 0)
    log = tmp_path / "build.log"
    built = log.stat().st_mtime_ns
    assert run_cocotb(WRAPPER, **args) == (2, 0)
    assert log.stat().st_mtime_ns == built
    assert run_cocotb(WRAPPER, **args, defines={"UNUSED": 1}) == (2, 0)
    assert log.stat().st_mtime_ns > built



def _initvals():
    """Every INITVAL_xx of the DP16KD wrapper: :func:`sim.cocotb_dp16kd.init_word`, with the
    two pad bits of every word set (a model that reads them fails)."""
    return ", ".join(
        f".INITVAL_{row:02X}(320'h" + "".join(f"{3 << 18 | init_word(row, k):05X}"
                                              for k in reversed(range(16))) + ")"
        for row in range(64))


#: DP16KD cells on shared inputs: name -> parameters (besides the INITVALs).
DP16KD_CELLS = {
    "normal": {"WRITEMODE_A": '"NORMAL"'},
    "through": {"WRITEMODE_A": '"WRITETHROUGH"'},
    "prior": {"WRITEMODE_A": '"READBEFOREWRITE"'},
    "outreg": {"REGMODE_A": '"OUTREG"', "REGMODE_B": '"OUTREG"'},
    "arst": {"RESETMODE": '"ASYNC"'},
    "pdp": {"DATA_WIDTH_A": "36", "DATA_WIDTH_B": "36"},
}


def _dp16kd_wrapper():
    ports = ("input clk, input [13:0] ada, adb, input [17:0] dia, dib, "
             "input wea, web, cea, ceb, ocea, oceb, rsta, rstb")
    outputs = ", ".join(f"output [17:0] {cell}_doa, {cell}_dob" for cell in DP16KD_CELLS)
    bits = lambda port, bus, n: ", ".join(f".{port}{i}({bus}[{i}])" for i in range(n))
    body = []
    for cell, params in DP16KD_CELLS.items():
        params = {"DATA_WIDTH_A": "18", "DATA_WIDTH_B": "9", **params}
        body.append(
            "    DP16KD #(" + ", ".join(f".{k}({v})" for k, v in params.items()) + ", "
            + _initvals() + f") {cell} (\n        .CLKA(clk), .CLKB(clk), .WEA(wea), "
            ".WEB(web), .CEA(cea), .CEB(ceb), .OCEA(ocea), .OCEB(oceb), .RSTA(rsta), "
            ".RSTB(rstb), .CSA0(1'b0), .CSA1(1'b0), .CSA2(1'b0), .CSB0(1'b0), .CSB1(1'b0), "
            ".CSB2(1'b0),\n        " + ", ".join([
                bits("ADA", "ada", 14), bits("ADB", "adb", 14), bits("DIA", "dia", 18),
                bits("DIB", "dib", 18), bits("DOA", f"{cell}_doa", 18),
                bits("DOB", f"{cell}_dob", 18)]) + ");")
    return f"module bram ({ports}, {outputs});\n" + "\n".join(body) + "\nendmodule\n"


@pytest.mark.parametrize("simulator", ["icarus", "verilator"])   # netlists run on Verilator
def test_dp16kd_model_follows_the_memory_guide(simulator, tmp_path):
    tests, failed = run_cocotb(_dp16kd_wrapper(), name="bram", test_module="sim.cocotb_dp16kd",
                               build_dir=tmp_path, vectors={}, models=[DP16KD_MODEL],
                               simulator=simulator)
    assert (tests, failed) == (4, 0), (tmp_path / "test.log").read_text()[-3000:]
