"""PLL settings and instances: iCE40 ``SB_PLL40_PAD`` and ECP5 ``EHXPLLL``.

The searches are those of ``icepll`` (IceStorm) and ``ecppll`` (Trellis), which ship as
``yowasp-icepll`` / ``yowasp-ecppll``; ``tests/boards/test_pll.py`` checks them against the
tools' answers.
"""
from dataclasses import dataclass

from amaranth import ClockSignal, Const, Instance, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import Out

__all__ = ["PLLSettings", "ice40_settings", "ecp5_settings", "PLL"]


@dataclass(frozen=True)
class PLLSettings:
    """Dividers of one PLL; ``f_out`` is the frequency they achieve, in MHz."""
    family: str
    f_in: float
    f_out: float
    dividers: dict


def _best(candidates, f_out, at_most, centre=None):
    """The candidate ``(f_out, f_vco, dividers)`` closest to ``f_out`` (and not above it if
    ``at_most``); ties go to the VCO nearest ``centre`` if given, else to the first;
    ``ValueError`` when there is none."""
    if at_most:
        candidates = [c for c in candidates if c[0] <= f_out]
    if not candidates:
        raise ValueError(f"no PLL setting reaches {f_out:g} MHz")
    return min(candidates, key=lambda c: (abs(c[0] - f_out),
                                          0 if centre is None else abs(c[1] - centre)))


def ice40_settings(f_in, f_out, *, at_most=False):
    """``SB_PLL40`` in SIMPLE feedback: PFD 10..133 MHz, VCO 533..1066 MHz, as ``icepll``;
    the nearest frequency to ``f_out`` (MHz), or the highest not above it if ``at_most``."""
    candidates = []
    for divr in range(16):
        f_pfd = f_in / (divr + 1)
        if not 10 <= f_pfd <= 133:
            continue
        for divf in range(128):
            f_vco = f_pfd * (divf + 1)
            if not 533 <= f_vco <= 1066:
                continue
            for divq in range(1, 7):
                candidates.append((f_vco / 2 ** divq, f_vco, (divr, divf, divq, f_pfd)))
    got, _, (divr, divf, divq, f_pfd) = _best(candidates, f_out, at_most)
    filter_range = sum(f_pfd >= edge for edge in (17, 26, 44, 66, 101)) + 1
    return PLLSettings("ice40", f_in, got, {"DIVR": divr, "DIVF": divf, "DIVQ": divq,
                                            "FILTER_RANGE": filter_range})


def ecp5_settings(f_in, f_out, *, at_most=False):
    """``EHXPLLL`` with CLKOP feedback: PFD 3.125..400 MHz, VCO 400..800 MHz, as ``ecppll``;
    the nearest frequency to ``f_out`` (MHz), or the highest not above it if ``at_most``."""
    candidates = []
    for ref in range(1, 129):
        f_pfd = f_in / ref
        if not 3.125 <= f_pfd <= 400:
            continue
        for fb in range(1, 81):
            for out in range(1, 129):
                f_vco = f_pfd * fb * out
                if 400 <= f_vco <= 800:
                    candidates.append((f_pfd * fb, f_vco, (ref, fb, out)))
    got, _, (ref, fb, out) = _best(candidates, f_out, at_most, centre=600)
    # ecppll shifts CLKOP by 180 degrees, as Lattice's tools do
    return PLLSettings("ecp5", f_in, got, {"CLKI_DIV": ref, "CLKFB_DIV": fb, "CLKOP_DIV": out,
                                           "CLKOP_CPHASE": out // 2})


class PLL(wiring.Component):
    """The core clock from the board clock pin: drives domain ``sync``'s clock.

    Parameters
    ----------
    settings : PLLSettings
    clk_pin : amaranth.hdl.IOPort or Signal
        iCE40: the clock pad (``platform.request(..., dir="-").io``); ECP5: the buffered
        clock input.

    Attributes
    ----------
    locked : Out(1)
        The PLL's lock output.
    """

    def __init__(self, *, settings, clk_pin):
        if settings.family not in ("ice40", "ecp5"):
            raise ValueError(f"family must be 'ice40' or 'ecp5', not {settings.family!r}")
        self.settings, self.clk_pin = settings, clk_pin
        super().__init__({"locked": Out(1)})

    def elaborate(self, platform):
        m = Module()
        s, d = self.settings, self.settings.dividers
        clock = Signal()
        m.d.comb += ClockSignal("sync").eq(clock)
        if s.family == "ice40":
            m.submodules.pll = Instance(
                "SB_PLL40_PAD", p_FEEDBACK_PATH="SIMPLE", p_DIVR=d["DIVR"], p_DIVF=d["DIVF"],
                p_DIVQ=d["DIVQ"], p_FILTER_RANGE=d["FILTER_RANGE"],
                i_PACKAGEPIN=self.clk_pin, i_RESETB=Const(1), i_BYPASS=Const(0),
                o_PLLOUTGLOBAL=clock, o_LOCK=self.locked)
        else:
            m.submodules.pll = Instance(
                "EHXPLLL", a_FREQUENCY_PIN_CLKI=f"{s.f_in:g}", a_FREQUENCY_PIN_CLKOP=f"{s.f_out:g}",
                a_ICP_CURRENT="12", a_LPF_RESISTOR="8", a_MFG_ENABLE_FILTEROPAMP="1",
                a_MFG_GMCREF_SEL="2",
                p_PLLRST_ENA="DISABLED", p_INTFB_WAKE="DISABLED", p_STDBY_ENABLE="DISABLED",
                p_DPHASE_SOURCE="DISABLED", p_OUTDIVIDER_MUXA="DIVA", p_OUTDIVIDER_MUXB="DIVB",
                p_OUTDIVIDER_MUXC="DIVC", p_OUTDIVIDER_MUXD="DIVD",
                p_CLKI_DIV=d["CLKI_DIV"], p_CLKOP_ENABLE="ENABLED", p_CLKOP_DIV=d["CLKOP_DIV"],
                p_CLKOP_CPHASE=d["CLKOP_CPHASE"], p_CLKOP_FPHASE=0, p_FEEDBK_PATH="CLKOP",
                p_CLKFB_DIV=d["CLKFB_DIV"],
                i_RST=Const(0), i_STDBY=Const(0), i_CLKI=self.clk_pin, i_CLKFB=clock,
                i_PHASESEL0=Const(0), i_PHASESEL1=Const(0), i_PHASEDIR=Const(1),
                i_PHASESTEP=Const(1), i_PHASELOADREG=Const(1), i_PLLWAKESYNC=Const(0),
                i_ENCLKOP=Const(0), o_CLKOP=clock, o_LOCK=self.locked)
        return m
