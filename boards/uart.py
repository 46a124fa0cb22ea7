"""8N1 UART receiver and transmitter (neither amaranth nor amaranth-boards ships one)."""
from amaranth import Cat, Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.cdc import FFSynchronizer
from amaranth.lib.wiring import In, Out

__all__ = ["UARTRx", "UARTTx", "MIN_DIVISOR", "BITS_PER_BYTE"]

MIN_DIVISOR = 4
BITS_PER_BYTE = 10                  # start, 8 data, stop


def _check_divisor(divisor):
    if not isinstance(divisor, int) or divisor < MIN_DIVISOR:
        raise ValueError(f"divisor must be an integer of at least {MIN_DIVISOR}, not {divisor!r}")


class UARTRx(wiring.Component):
    """Receiver: two-flop synchroniser, start-bit check and sampling in the middle of each bit.

    Parameters
    ----------
    divisor : int
        Clock cycles per bit (at least 4).

    Attributes
    ----------
    rx : In(1), idle high
        The line.
    out : Out(stream.Signature(unsigned(8)))
        One byte per good stop bit, held until taken.
    error : Out(1)
        One-cycle pulse (registered) on a framing error (stop bit low); that byte is dropped and
        the receiver waits for the line to go high again.
    overrun : Out(1)
        One-cycle pulse (registered) when a byte completes while ``out`` still holds the last one;
        the new byte is dropped (the line has no backpressure, so a slow consumer loses bytes).
    """

    def __init__(self, *, divisor):
        _check_divisor(divisor)
        self.divisor = divisor
        super().__init__({"rx": In(1, init=1), "out": Out(stream.Signature(8)),
                          "error": Out(1), "overrun": Out(1)})

    def elaborate(self, platform):
        m = Module()
        d = self.divisor
        rx = Signal(init=1)
        m.submodules.sync = FFSynchronizer(self.rx, rx, init=1)
        timer, bit, shift = Signal(range(d)), Signal(range(8)), Signal(8)
        m.d.sync += [self.error.eq(0), self.overrun.eq(0)]
        with m.If(self.out.ready):
            m.d.sync += self.out.valid.eq(0)
        with m.If(timer != 0):
            m.d.sync += timer.eq(timer - 1)
        with m.FSM():
            with m.State("IDLE"):
                with m.If(~rx):
                    m.d.sync += timer.eq(d // 2 - 1)
                    m.next = "START"
            with m.State("START"):
                with m.If(timer == 0):
                    m.d.sync += [timer.eq(d - 1), bit.eq(0)]
                    m.next = "DATA"
                    with m.If(rx):              # a glitch, not a start bit
                        m.next = "IDLE"
            with m.State("DATA"):
                with m.If(timer == 0):
                    m.d.sync += [timer.eq(d - 1), shift.eq(Cat(shift[1:], rx)), bit.eq(bit + 1)]
                    with m.If(bit == 7):
                        m.next = "STOP"
            with m.State("STOP"):
                with m.If(timer == 0):
                    with m.If(rx & self.out.valid & ~self.out.ready):
                        m.d.sync += self.overrun.eq(1)
                        m.next = "IDLE"
                    with m.Elif(rx):
                        m.d.sync += [self.out.payload.eq(shift), self.out.valid.eq(1)]
                        m.next = "IDLE"
                    with m.Else():
                        m.d.sync += self.error.eq(1)
                        m.next = "BREAK"
            with m.State("BREAK"):
                with m.If(rx):
                    m.next = "IDLE"
        return m


class UARTTx(wiring.Component):
    """Transmitter: start bit, 8 data bits LSB first, stop bit, from a registered shift register.

    Parameters
    ----------
    divisor : int
        Clock cycles per bit (at least 4).

    Attributes
    ----------
    inp : In(stream.Signature(unsigned(8)))
        Bytes to send; ready while the line is idle.
    tx : Out(1), idle high
        The line.
    """

    def __init__(self, *, divisor):
        _check_divisor(divisor)
        self.divisor = divisor
        super().__init__({"inp": In(stream.Signature(8)), "tx": Out(1, init=1)})

    def elaborate(self, platform):
        m = Module()
        d = self.divisor
        shift = Signal(BITS_PER_BYTE, init=(1 << BITS_PER_BYTE) - 1)
        bits, timer = Signal(range(BITS_PER_BYTE + 1)), Signal(range(d))
        m.d.comb += [self.tx.eq(shift[0]), self.inp.ready.eq(bits == 0)]
        with m.If(self.inp.valid & self.inp.ready):
            m.d.sync += [shift.eq(Cat(0, self.inp.payload, 1)), bits.eq(BITS_PER_BYTE),
                         timer.eq(d - 1)]
        with m.Elif(bits != 0):
            m.d.sync += timer.eq(timer - 1)
            with m.If(timer == 0):
                m.d.sync += [shift.eq(Cat(shift[1:], 1)), bits.eq(bits - 1), timer.eq(d - 1)]
        return m
