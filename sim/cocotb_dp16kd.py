"""cocotb testbench for the DP16KD model (``sim/models/DP16KD.v``) against the cell's documented
behaviour (Lattice FPGA-TN-02204, formerly TN1264, ECP5 memory usage guide; Yosys's
``share/lattice/brams_16kd.txt``), on the wrapper
of ``tests/sim/test_netlist_models.py``: six cells on shared inputs, differing in their
parameters (port A 18 bits wide, port B 9 bits, except ``pdp``: 36 bits, A writes, B reads).

- INITVAL_xx: 16 words of 18 bits with two pad bits each, word k of row r at address
  16 r + k; a 9-bit port reads an 18-bit word as its low byte (ADx[3] low) and high byte.
- A write's read latch per WRITEMODE (NORMAL, WRITETHROUGH, READBEFOREWRITE); byte enables
  on ADA[1:0] (18 bits) and ADA[3:0] (36 bits).
- REGMODE OUTREG: one more edge, loaded while OCEx is high.
- RSTx clears the outputs, not the array, at the edge (SYNC) or at once (ASYNC).
- A read of bits the other port writes at the same edge shows them inverted.
"""
import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, Timer

WORD = (1 << 18) - 1


def init_word(row, k):
    """The INITVAL word at address ``16 row + k`` (the wrapper's pattern)."""
    return (row * 0x2F1 + k * 0x1357 + 0x2A5) & WORD


async def edge(dut, **inputs):
    """Set ``inputs`` (the rest idle) before a rising edge; return after it (at the falling
    edge), when NOREG outputs show it."""
    idle = dict(ada=0, adb=0, dia=0, dib=0, wea=0, web=0, cea=1, ceb=1, ocea=1, oceb=1,
                rsta=0, rstb=0)
    for name, value in {**idle, **inputs}.items():
        getattr(dut, name).value = value
    await FallingEdge(dut.clk)


def out(dut, cell, port):
    return int(getattr(dut, f"{cell}_do{port}").value)


def start(dut):
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    return FallingEdge(dut.clk)


@cocotb.test()
async def init_values_and_byte_reads(dut):
    await start(dut)
    for row, k in [(0, 0), (0, 1), (0, 15), (0x3F, 0), (0x3F, 15)]:
        address = 16 * row + k
        await edge(dut, ada=address << 4, adb=(2 * address) << 3)
        assert out(dut, "normal", "a") == init_word(row, k), (row, k)
        assert out(dut, "normal", "b") == init_word(row, k) & 0x1FF, (row, k)
        await edge(dut, adb=(2 * address + 1) << 3)
        assert out(dut, "normal", "b") == init_word(row, k) >> 9, (row, k)
    await edge(dut, adb=1 << 5)                      # 36 bits: words 2 (low) and 3 (high)
    assert (out(dut, "pdp", "b") << 18 | out(dut, "pdp", "a")) == \
        init_word(0, 3) << 18 | init_word(0, 2)


@cocotb.test()
async def write_modes_and_byte_enables(dut):
    await start(dut)
    await edge(dut, ada=9 << 4)                      # read word 9: every latch holds it
    old, new = init_word(0, 9), 0x2B3C1
    await edge(dut, ada=9 << 4 | 0b11, dia=new, wea=1)
    assert out(dut, "normal", "a") == old, "NORMAL keeps the latch on a write"
    assert out(dut, "through", "a") == new, "WRITETHROUGH shows the written word"
    assert out(dut, "prior", "a") == old, "READBEFOREWRITE shows the old word"
    await edge(dut, ada=9 << 4 | 0b01, dia=0x3FFFF, wea=1)      # low byte only
    await edge(dut, ada=9 << 4)
    assert out(dut, "normal", "a") == (new & 0x3FE00) | 0x1FF
    await edge(dut, ada=9 << 4, cea=0, wea=1, dia=0)          # CEA low: no write, no read
    await edge(dut, ada=10 << 4, cea=0)
    assert out(dut, "normal", "a") == (new & 0x3FE00) | 0x1FF, "CEA low holds the latch"
    # 36 bits: bytes 0 and 3 of word 20 (array words 40 and 41)
    value = 0x9_8765_4321
    await edge(dut, ada=20 << 5 | 0b1001, dia=value & WORD, dib=value >> 18, wea=1)
    await edge(dut, adb=20 << 5)
    old36 = init_word(2, 9) << 18 | init_word(2, 8)
    mask = 0x1FF << 27 | 0x1FF
    assert (out(dut, "pdp", "b") << 18 | out(dut, "pdp", "a")) == \
        (value & mask) | (old36 & ~mask)


@cocotb.test()
async def output_register_and_resets(dut):
    await start(dut)
    await edge(dut, ada=1 << 4)
    assert out(dut, "outreg", "a") != init_word(0, 1)
    await edge(dut, ada=2 << 4)
    assert out(dut, "outreg", "a") == init_word(0, 1), "OUTREG: one edge later"
    await edge(dut, ada=3 << 4, ocea=0)
    assert out(dut, "outreg", "a") == init_word(0, 1), "OCEA low holds the output register"
    await edge(dut, ada=3 << 4)
    assert out(dut, "outreg", "a") == init_word(0, 3)
    await edge(dut, ada=5 << 4, rsta=1, dia=1, wea=1)
    assert out(dut, "normal", "a") == 0, "RSTA (SYNC) clears the latch at the edge"
    assert out(dut, "outreg", "a") == 0, "... and the output register"
    await edge(dut, ada=5 << 4)
    assert out(dut, "normal", "a") == init_word(0, 5), "... but neither the array nor writes"
    dut.rsta.value = 1
    await Timer(1, unit="ns")
    assert out(dut, "arst", "a") == 0, "RSTA (ASYNC) clears at once"
    assert out(dut, "normal", "a") == init_word(0, 5), "(SYNC waits for the edge)"


@cocotb.test()
async def collided_reads_are_wrong(dut):
    """A read of a byte the other port writes at that edge shows the old byte inverted."""
    await start(dut)
    await edge(dut, ada=6 << 4 | 0b10, dia=0, wea=1, adb=13 << 3)   # A writes byte 1 of word
    assert out(dut, "normal", "b") & 0x1FF == ~(init_word(0, 6) >> 9) & 0x1FF  # 6, B reads it
    await edge(dut, ada=6 << 4 | 0b10, dia=0, wea=1, adb=12 << 3)   # B reads byte 0
    assert out(dut, "normal", "b") == init_word(0, 6) & 0x1FF
    await edge(dut, ada=6 << 4 | 0b10, dia=0, wea=1, adb=14 << 3)   # B reads word 7
    assert out(dut, "normal", "b") == init_word(0, 7) & 0x1FF
    await edge(dut, adb=13 << 3)
    assert out(dut, "normal", "b") == 0, "the write happened"
