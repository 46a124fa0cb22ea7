"""PLL settings against the IceStorm / Trellis tools, and the PLL component's checks."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from boards.pll import PLL, PLLSettings, ecp5_settings, ice40_settings

BIN = Path(sys.executable).parent


def tool(name, *args):
    return subprocess.run([str(BIN / name), *args], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.parametrize("f_out", [18, 30, 16])
def test_ice40_matches_icepll(f_out):
    """``yowasp-icepll -i 12 -o F``: the same dividers and achieved frequency (16 MHz is not
    reachable: both settle on 15.9375)."""
    text = tool("yowasp-icepll", "-i", "12", "-o", str(f_out))
    want = {key: int(re.search(rf"{key}:\s+(\d+)", text).group(1))
            for key in ("DIVR", "DIVF", "DIVQ", "FILTER_RANGE")}
    got = ice40_settings(12, f_out)
    assert got.dividers == want
    assert got.f_out == pytest.approx(float(re.search(r"F_PLLOUT:\s+([\d.]+) MHz \(achieved",
                                                      text).group(1)), abs=1e-3)


@pytest.mark.parametrize("f_out", [50, 37, 80])
def test_ecp5_matches_ecppll(f_out):
    """``yowasp-ecppll -i 25 -o F``: the same three dividers and output frequency."""
    text = tool("yowasp-ecppll", "-i", "25", "-o", str(f_out))
    want = [int(re.search(rf"{label} divisor: (\d+)", text).group(1))
            for label in ("Refclk", "Feedback", "clkout0")]
    got = ecp5_settings(25, f_out)
    assert [got.dividers[k] for k in ("CLKI_DIV", "CLKFB_DIV", "CLKOP_DIV")] == want
    assert got.f_out == pytest.approx(float(re.search(r"clkout0 frequency: ([\d.]+) MHz",
                                                      text).group(1)))


def test_at_most_never_exceeds_the_request():
    """37 MHz: the nearest ECP5 setting is 37.5, the highest not above it 25 * 10 / 7."""
    assert ecp5_settings(25, 37).f_out == 37.5
    below = ecp5_settings(25, 37, at_most=True)
    assert below.f_out == pytest.approx(250 / 7)
    assert ice40_settings(12, 16, at_most=True).f_out == 15.9375


def test_unreachable_frequency_is_refused():
    with pytest.raises(ValueError, match=r"^no PLL setting reaches 1 MHz$"):
        ecp5_settings(25, 1, at_most=True)


def test_pll_checks_the_family():
    with pytest.raises(ValueError, match=r"^family must be 'ice40' or 'ecp5', not 'gw1n'$"):
        PLL(settings=PLLSettings("gw1n", 27, 50, {}), clk_pin=None)
