"""The board top: argument checks, and what it asks of each platform (pins, PLL), from the
build plan (no tools run)."""
import re

import pytest

from boards.platforms import BOARDS
from boards.toplevel import BoardTop
from rtl.config import CoreConfig
from rtl.multipixel import MultiPixelCore
from golden.pipeline import load_default


@pytest.fixture(scope="module")
def qmodel():
    return load_default()


def test_arguments_are_checked(qmodel):
    core = MultiPixelCore(qmodel=qmodel, bins=20, config=CoreConfig(rows=32, batch=1, slots=1))
    with pytest.raises(ValueError, match=r"^clock_mhz must be a positive number, not 0$"):
        BoardTop(board=BOARDS["icebreaker"], core=core, clock_mhz=0, baud=1_000_000)
    with pytest.raises(ValueError, match=r"^no UART rate of the board's fits its clock \(pass "
                                         r"one\): baud 3e\+06 is 10.7% off the nearest rate "
                                         r"clk_freq / 4; the UART needs 2%; baud 1e\+06 is 2.6% "
                                         r"off the nearest rate clk_freq / 11;"):
        BoardTop(board=BOARDS["ulx3s-85f"], core=core, clock_mhz=11.5)


@pytest.mark.parametrize("board, core, constraints, pll, divisor", [
    ("icebreaker", {"rows": 1, "batch": 1, "slots": 1},
     ["set_io uart_0__rx__io 6", "set_io uart_0__tx__io 9", "set_io led_0__io 11",
      "set_io led_1__io 37", "set_frequency clk12_0__io 12.0"],
     {"DIVR": "0", "DIVF": "79", "DIVQ": "5"}, 30),
    ("ulx3s-85f", {"rows": 1, "batch": 1, "slots": 1},
     ['LOCATE COMP "uart_0__rx__io" SITE "M1";', 'LOCATE COMP "uart_0__tx__io" SITE "L4";',
      'LOCATE COMP "led_0__io" SITE "B2";', 'FREQUENCY PORT "clk25_0__io" 25000000.0 HZ;',
      'LOCATE COMP "photon_events_0__strobe__io" SITE "B11";',
      'LOCATE COMP "photon_events_0__kind__io[1]" SITE "A10";',
      'LOCATE COMP "photon_events_0__micro__io[11]" SITE "A6";',
      'IOBUF PORT "photon_events_0__micro__io[11]" IO_TYPE=LVCMOS33 PULLMODE=DOWN;'],
     {"CLKI_DIV": "2", "CLKFB_DIV": "5", "CLKOP_DIV": "10"}, 21),
])
def test_plan(qmodel, board, core, constraints, pll, divisor):
    """UART on the FTDI pins, two LEDs, the board clock into the PLL (iCE40 30 MHz =
    12 * 80 / 32; ECP5 62.5 MHz = 25 * 5 / 2, VCO 625 MHz), the UART divisor from the PLL
    clock (the board's baud, the nearest whole number of clocks per bit: 1 Mbaud at 30 MHz,
    3 Mbaud at 62.5 MHz: 21); the ULX3S's event pins on J1 (gp0 the strobe, gp1 the kind's
    bit 1, gp7 the TDC code's bit 11), 3.3 V with pull-downs."""
    spec = BOARDS[board]
    top = BoardTop(board=spec,
                   core=MultiPixelCore(qmodel=qmodel, bins=20, config=CoreConfig(**core)),
                   clock_mhz=spec.clock_mhz)
    assert top.pll.f_out == spec.clock_mhz and top.link.divisor == divisor
    plan = spec.platform().prepare(top, name="top")
    text = plan.files["top.pcf" if spec.family == "ice40" else "top.lpf"]
    lines = {line.strip() for line in text.splitlines()}
    assert set(constraints) <= lines
    rtlil = " ".join(plan.files["top.il"].split())
    cell = re.search(r"cell \\(SB_PLL40_PAD|EHXPLLL) .*? end", rtlil).group(0)
    parameters = dict(re.findall(r"parameter \\(\w+) (\S+)", cell))
    assert parameters == {**parameters, **pll}
