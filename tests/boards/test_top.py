import re

import pytest

from boards.top import LinkTop
from golden.pipeline import load_default
from rtl.config import CoreConfig
from rtl.multipixel import MultiPixelCore


@pytest.mark.parametrize("kwargs, message", [
    ({"clk_freq": 0}, "clk_freq must be a positive number, not 0"),
    ({"baud": "fast"}, "baud must be a positive number, not 'fast'"),
    ({"baud": 1.4e6}, "clk_freq / baud must be at least 4, not 2.85714"),
    ({"baud": 1.1e6}, "baud 1.1e+06 is 9.1% off the nearest rate clk_freq / 4; "
                      "the UART needs 2%"),
    ({"timeout_bytes": 1}, "timeout_bytes must be an integer of at least 2, not 1"),
])
def test_arguments_are_checked(kwargs, message):
    args = {"core": MultiPixelCore(qmodel=load_default(), bins=135,
                                   config=CoreConfig(rows=32, slots=1)),
            "clk_freq": 4e6, "baud": 1e6, **kwargs}
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        LinkTop(**args)


def test_divisor_and_timeout_from_clock_and_baud():
    """12 MHz / 115200 baud -> 104 clocks per bit (0.2 % fast); 64 byte times of timeout."""
    core = MultiPixelCore(qmodel=load_default(), bins=135, config=CoreConfig(rows=32, slots=1))
    top = LinkTop(core=core, clk_freq=12e6, baud=115200)
    assert (top.divisor, top.receiver.timeout) == (104, 64 * 10 * 104)
