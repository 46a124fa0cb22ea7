"""The board top level: PLL -> core clock domain, :class:`boards.top.LinkTop` on the FTDI UART
(and, with a photon path, on the board's event pins), and two status LEDs (a 1 Hz heartbeat
once the PLL locked; UART activity)."""
from amaranth import ClockDomain, Elaboratable, Module, Signal
from amaranth.lib import io
from amaranth.lib.cdc import ResetSynchronizer

from .pll import PLL, ecp5_settings, ice40_settings
from .top import LinkTop, uart_divisor

__all__ = ["BoardTop", "ACTIVITY_SECONDS"]

ACTIVITY_SECONDS = 0.02
"""The activity LED stays on this long after the last low bit on ``rx`` or ``tx``."""


def _fastest_baud(bauds, clk_freq):
    """The first of ``bauds`` within the UART's tolerance at ``clk_freq``."""
    errors = []
    for baud in bauds:
        try:
            uart_divisor(clk_freq, baud)
            return baud
        except ValueError as err:
            errors.append(str(err))
    raise ValueError("no UART rate of the board's fits its clock (pass one): "
                     + "; ".join(errors))


class BoardTop(Elaboratable):
    """Everything on one board.

    Parameters
    ----------
    board : boards.platforms.Board
    core : wiring.Component
        The core behind the link (:class:`rtl.multipixel.MultiPixelCore`).
    clock_mhz : float
        Requested core clock; the PLL's highest setting not above it is used
        (``self.pll.f_out``).
    baud : int or None
        UART bit rate; ``None``: the first of ``board.bauds`` the UART can make from the PLL
        clock.

    Attributes
    ----------
    pll : boards.pll.PLLSettings
        The PLL setting, with the frequency it achieves.
    link : boards.top.LinkTop
    """

    def __init__(self, *, board, core, clock_mhz, baud=None):
        if not isinstance(clock_mhz, (int, float)) or not clock_mhz > 0:
            raise ValueError(f"clock_mhz must be a positive number, not {clock_mhz!r}")
        settings = {"ice40": ice40_settings, "ecp5": ecp5_settings}[board.family]
        self.board = board
        self.pll = settings(board.platform().default_clk_frequency / 1e6, clock_mhz,
                            at_most=True)
        clk_freq = self.pll.f_out * 1e6
        self.link = LinkTop(core=core, clk_freq=clk_freq,
                            baud=baud or _fastest_baud(board.bauds, clk_freq),
                            photons=board.photons)

    def elaborate(self, platform):
        m = Module()
        # nextpnr derives the core clock's constraint from the PLL and its input's constraint
        m.domains.sync = ClockDomain()
        pin = platform.request(platform.default_clk, dir="-")
        if self.board.family == "ice40":            # SB_PLL40_PAD takes the pad itself
            clk_pin = pin.io
        else:
            m.submodules.clk_buffer = clk_buffer = io.Buffer("i", pin)
            clk_pin = clk_buffer.i
        m.submodules.pll = pll = PLL(settings=self.pll, clk_pin=clk_pin)
        m.submodules.reset = ResetSynchronizer(~pll.locked, domain="sync")

        m.submodules.link = link = self.link
        uart = platform.request("uart", 0, dir="-")
        m.submodules.rx_buffer = rx = io.Buffer("i", uart.rx)
        m.submodules.tx_buffer = tx = io.Buffer("o", uart.tx)
        m.d.comb += [link.rx.eq(rx.i), tx.o.eq(link.tx)]
        if self.board.photons:
            platform.add_resources([self.board.event_pins(self.board.photons.micro_bits)])
            pins = platform.request("photon_events", 0, dir="-")
            for name in ("strobe", "kind", "micro"):
                m.submodules[f"{name}_buffer"] = buffer = io.Buffer("i", getattr(pins, name))
                m.d.comb += getattr(link.pins, name).eq(buffer.i)

        clock = round(self.pll.f_out * 1e6)
        heartbeat = Signal(range(clock // 2))
        blink = Signal()
        m.d.sync += heartbeat.eq(heartbeat + 1)
        with m.If(heartbeat == clock // 2 - 1):
            m.d.sync += [heartbeat.eq(0), blink.eq(~blink)]
        stretch = round(ACTIVITY_SECONDS * clock)
        activity = Signal(range(stretch + 1))
        with m.If(~link.rx | ~link.tx):
            m.d.sync += activity.eq(stretch)
        with m.Elif(activity != 0):
            m.d.sync += activity.eq(activity - 1)
        for index, value in enumerate((blink, activity != 0)):
            m.submodules[f"led{index}"] = led = io.Buffer("o", platform.request("led", index,
                                                                                dir="-"))
            m.d.comb += led.o.eq(value)
        return m
