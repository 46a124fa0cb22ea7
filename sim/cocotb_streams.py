"""cocotb plumbing for Amaranth stream ports (``NAME__valid``, ``NAME__ready``,
``NAME__payload``): clock and reset, sending with gaps, receiving with stalls."""
import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge

__all__ = ["start", "send_all", "receive"]


async def start(dut, sources, sinks):
    """Start a 100 MHz clock and hold reset for 3 cycles with every stream idle."""
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    for name in sources:
        getattr(dut, f"{name}__valid").value = 0
    for name in sinks:
        getattr(dut, f"{name}__ready").value = 0
    for _ in range(3):                # registers start as X until reset reaches them
        await RisingEdge(dut.clk)
    dut.rst.value = 0


async def send_all(dut, name, words, rng, gap=0.0):
    """Drive each payload word into stream ``name``; a transfer happens at the edge where
    ``ready`` was high. Idles a cycle with probability ``gap`` before each word."""
    valid, ready = getattr(dut, f"{name}__valid"), getattr(dut, f"{name}__ready")
    payload = getattr(dut, f"{name}__payload")
    for word in words:
        while rng.random() < gap:
            valid.value = 0
            await RisingEdge(dut.clk)
        payload.value = int(word)
        valid.value = 1
        while True:
            await ReadOnly()
            accepted = bool(ready.value)
            await RisingEdge(dut.clk)
            if accepted:
                break
    valid.value = 0


async def receive(dut, name, count, rng, stall=0.0, limit=5_000_000):
    """Collect ``count`` payload words from stream ``name``, dropping ``ready`` with
    probability ``stall`` each cycle. Unresolved (X/Z) payload bits fail the test."""
    valid, ready = getattr(dut, f"{name}__valid"), getattr(dut, f"{name}__ready")
    payload = getattr(dut, f"{name}__payload")
    words, cycles = [], 0
    while len(words) < count:
        ready.value = int(rng.random() >= stall)
        await ReadOnly()
        if ready.value and valid.value:
            assert payload.value.is_resolvable, f"unresolved {name} bits: {payload.value}"
            words.append(int(payload.value))
        await RisingEdge(dut.clk)
        cycles += 1
        assert cycles < limit, f"timeout waiting for {name}"
    return words
