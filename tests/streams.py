"""Amaranth testbench plumbing shared by the RTL tests (it lives in :mod:`sim.rtl_backend`)."""
from sim.rtl_backend import simulate_streams

__all__ = ["simulate_streams"]
