"""Simulation harnesses: cocotb on the elaborated Verilog, and (later) the scheduler model."""
