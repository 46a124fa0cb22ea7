import pytest
from amaranth import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from boards.simulation import SimulatedPort
from boards.uart import UARTRx, UARTTx


class Loopback(wiring.Component):
    """Echoes every byte: UART receiver into UART transmitter."""

    def __init__(self, *, divisor):
        self.divisor = divisor
        super().__init__({"rx": In(1, init=1), "tx": Out(1, init=1)})

    def elaborate(self, platform):
        m = Module()
        m.submodules.rx = rx = UARTRx(divisor=self.divisor)
        m.submodules.tx = tx = UARTTx(divisor=self.divisor)
        m.d.comb += [rx.rx.eq(self.rx), self.tx.eq(tx.tx)]
        wiring.connect(m, rx.out, tx.inp)
        return m


def test_timeout_is_checked():
    with pytest.raises(ValueError, match=r"^timeout must be a positive integer, not 0$"):
        SimulatedPort(Loopback(divisor=4), timeout=0)


def test_echo_and_read_timeout(rng):
    """Written bytes come back; a read asking for more returns what came within the timeout."""
    port = SimulatedPort(Loopback(divisor=5), timeout=2000)
    data = rng.integers(0, 256, 20).astype("u1").tobytes()
    assert port.write(data) == 20
    assert port.read(25) == data
    assert port.cycles >= 2000 and port.framing_errors == 0
