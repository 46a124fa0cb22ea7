"""The core configuration: its checks, how reports name it, and its command-line options."""
import argparse

import pytest

from rtl.config import SIMULATED, CoreConfig, add_core_arguments, core_from_arguments


@pytest.mark.parametrize("kwargs, message", [
    ({"rows": 0}, "rows must be a positive integer, not 0"),
    ({"batch": 1.5}, "batch must be a positive integer, not 1.5"),
    ({"slots": -1}, "slots must be a positive integer, not -1"),
    ({"gate_dsps": 2}, "gate_dsps must be 0 .. 9 and needs gate_luts, not 2"),
    ({"gate_luts": True, "gate_dsps": 10}, "gate_dsps must be 0 .. 9 and needs gate_luts, not 10"),
    ({"rows": 8, "batch": 2, "matmul_dsps": 17},
     r"matmul_dsps must be 0 \.\. 16 \(rows x batch\), not 17"),
    ({"family": "xilinx"}, "family must be one of"),
])
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CoreConfig(**kwargs)


def test_derived_counts_and_label():
    config = CoreConfig(rows=32, batch=8, slots=3, gate_luts=True, matmul_dsps=156,
                        family="ecp5")
    assert (config.lanes, config.multipliers, config.hard_matmul) == (24, 256, 156)
    assert config.hard_gates == ()
    assert CoreConfig(rows=4).hard_matmul == 4 and len(CoreConfig().hard_gates) == 9
    assert config.label() == ("multipixel(rows=32, batch=8, slots=3, gate_luts=True, "
                              "gate_dsps=0, matmul_dsps=156)")
    assert "matmul_dsps" not in CoreConfig().params() and "family" not in config.params()


def test_options_override_only_what_is_given():
    parser = argparse.ArgumentParser()
    add_core_arguments(parser, SIMULATED)
    assert core_from_arguments(parser.parse_args([]), SIMULATED) == SIMULATED
    got = core_from_arguments(parser.parse_args(["--batch", "2", "--gate-luts", "--gate-dsps",
                                                 "3"]), SIMULATED)
    assert got == CoreConfig(rows=32, batch=2, slots=2, gate_luts=True, gate_dsps=3)
    assert "(default: 32)" in parser.format_help()
