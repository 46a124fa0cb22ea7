// Stand-in for the iCE40 SB_PLL40_PAD in simulations of a placed board netlist (Yosys ships only
// a blackbox of it): the pad's clock passes straight through as the PLL's output, and LOCK rises
// after 16 of its edges. The testbench drives the pad at the PLL's output rate, so every clock
// count of the design (UART divisor, timeouts) holds. The cell's type is renamed to this module
// in the netlist (sim.netlist.PLL_STANDIN).
module SB_PLL40_PAD_passthrough (
    input PACKAGEPIN, output PLLOUTCORE, output PLLOUTGLOBAL, input EXTFEEDBACK,
    input [7:0] DYNAMICDELAY, output reg LOCK, input BYPASS, input RESETB,
    input LATCHINPUTVALUE, output SDO, input SDI, input SCLK
);
    parameter FEEDBACK_PATH = "SIMPLE";
    parameter [3:0] DIVR = 0;
    parameter [6:0] DIVF = 0;
    parameter [2:0] DIVQ = 0;
    parameter [2:0] FILTER_RANGE = 0;

    assign PLLOUTCORE = PACKAGEPIN;
    assign PLLOUTGLOBAL = PACKAGEPIN;
    integer edges = 0;
    initial LOCK = 0;
    always @(posedge PACKAGEPIN) begin
        edges <= edges + 1;
        LOCK <= edges >= 15;
    end
endmodule
