"""The cell model that stands in where Yosys ships none (the ECP5 MULT18X18D), tested on its own
against the cell's documented register behaviour (:mod:`sim.cocotb_mult18`)."""
from sim.cocotb_run import run_cocotb
from sim.netlist import CELL_MODELS

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
