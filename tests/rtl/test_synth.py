import numpy as np
import pytest
from amaranth import Module, signed
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from rtl.synth import Flow, cell_counts
from sim.netlist import run_netlist


class _Mul(wiring.Component):
    a: In(signed(8))
    b: In(signed(8))
    p: Out(signed(16))

    def elaborate(self, platform):
        m = Module()
        m.d.sync += self.p.eq(self.a * self.b)
        return m


def test_counts_cells_of_a_registered_multiplier():
    assert cell_counts(_Mul(), "ecp5")["MULT18X18D"] == 1


def test_family_message():
    with pytest.raises(ValueError, match=r"^family must be one of \['ecp5', 'ice40'\], not 'xc7'$"):
        cell_counts(_Mul(), "xc7")


def test_flows():
    """The iCE40 flow runs synth_ice40 without -dsp (ice40_dsp rewrites instantiated
    SB_MAC16s); the ECP5 one with abc maps LUTs between two halves of synth_ecp5."""
    assert Flow("ice40").script("top")[2] == "synth_ice40 -top top"
    abc = Flow("ecp5", "abc")
    assert abc.script("top")[2] == "synth_ecp5 -run begin:map_luts -top top"
    assert abc.script("top")[-2:] == ["clean", "synth_ecp5 -run map_cells:"]
    assert Flow("ecp5", "abc9").script("top")[2:] == ["synth_ecp5 -top top"]


def test_lut_mapper_message():
    with pytest.raises(ValueError, match=r"^the LUT mapper is a choice of ECP5 builds \(abc9, "
                                         r"abc\), not 'abc' for ice40$"):
        Flow("ice40", "abc")


class _Memories(wiring.Component):
    """The multi-pixel core's three kinds of memory: a 9-bit ROM, a ROM wider than a block
    RAM's 36 bits, and a RAM with a write and a read port (not transparent: a read of the
    address being written gives the old word)."""

    def __init__(self, rom, wide, ram_shape, ram_depth):
        self.rom, self.wide = rom, wide
        self.ram_shape, self.ram_depth = ram_shape, ram_depth
        super().__init__({"rom_addr": In(range(len(rom))), "rom_data": Out(signed(9)),
                          "wide_addr": In(range(len(wide))),
                          **{f"wide_data{k}": Out(32) for k in range(8)},
                          "ram_waddr": In(range(ram_depth)), "ram_wdata": In(ram_shape),
                          "ram_we": In(1), "ram_raddr": In(range(ram_depth)),
                          "ram_rdata": Out(ram_shape)})

    def elaborate(self, platform):
        m = Module()
        m.submodules.rom = rom = Memory(shape=signed(9), depth=len(self.rom), init=self.rom)
        m.submodules.wide = wide = Memory(shape=256, depth=len(self.wide), init=self.wide)
        m.submodules.ram = ram = Memory(shape=self.ram_shape, depth=self.ram_depth, init=[])
        rom_read, wide_read, ram_read = rom.read_port(), wide.read_port(), ram.read_port()
        ram_write = ram.write_port()
        m.d.comb += [rom_read.addr.eq(self.rom_addr), self.rom_data.eq(rom_read.data),
                     wide_read.addr.eq(self.wide_addr),
                     *(getattr(self, f"wide_data{k}").eq(wide_read.data.word_select(k, 32))
                       for k in range(8)),
                     ram_write.addr.eq(self.ram_waddr), ram_write.data.eq(self.ram_wdata),
                     ram_write.en.eq(self.ram_we), ram_read.addr.eq(self.ram_raddr),
                     self.ram_rdata.eq(ram_read.data)]
        return m


def _memory_stimulus(dut, rng, cycles):
    """Random addresses and writes (reads of the address being written among them), and the
    outputs Amaranth's memory semantics give them one edge later."""
    ram_lo, ram_hi = -(1 << (dut.ram_shape.width - 1)), (1 << (dut.ram_shape.width - 1)) - 1
    depth = dut.ram_depth
    stimulus = {"rom_addr": rng.integers(0, len(dut.rom), cycles),
                "wide_addr": rng.integers(0, len(dut.wide), cycles),
                "ram_waddr": rng.integers(0, depth, cycles),
                "ram_wdata": rng.integers(ram_lo, ram_hi + 1, cycles),
                "ram_we": rng.integers(0, 2, cycles)}
    stimulus["ram_raddr"] = np.where(rng.random(cycles) < 0.2, stimulus["ram_waddr"],
                                     rng.integers(0, depth, cycles))
    ram, ram_out = np.zeros(depth, np.int64), []
    for cycle in range(cycles):
        ram_out.append(ram[stimulus["ram_raddr"][cycle]])        # the word before the edge
        if stimulus["ram_we"][cycle]:
            ram[stimulus["ram_waddr"][cycle]] = stimulus["ram_wdata"][cycle]
    outputs = {"rom_data": np.array(dut.rom)[stimulus["rom_addr"]], "ram_rdata": ram_out}
    for k in range(8):      # the wide ROM's words, 32 bits at a time
        outputs[f"wide_data{k}"] = [dut.wide[a] >> (32 * k) & 0xFFFFFFFF
                                    for a in stimulus["wide_addr"]]
    return stimulus, outputs


def test_ecp5_block_rams_keep_their_contents(tmp_path, rng):
    """Through the ULX3S flow, each memory kind maps onto DP16KD; under their model
    (Verilator) every read is right, including the wide ROM's INIT words."""
    rom = rng.integers(-256, 256, 2048).tolist()
    wide = [int.from_bytes(rng.bytes(32), "little") for _ in range(192)]
    dut = _Memories(rom, wide, signed(20), 96)
    stimulus, outputs = _memory_stimulus(dut, rng, 600)
    vectors = {**{f"in_{k}": v for k, v in stimulus.items()},
               **{f"out_{k}": np.array(v, np.int64) for k, v in outputs.items()},
               "latency": 1, "unsigned": [f"wide_data{k}" for k in range(8)]}
    tests, failed, cells = run_netlist(dut, Flow("ecp5", "abc"), name="memories",
                                       test_module="sim.cocotb_stimulus", build_dir=tmp_path,
                                       vectors=vectors, simulator="verilator")
    log = (tmp_path / "test.log").read_text()
    assert (tests, failed) == (1, 0), log[-3000:]
    assert cells["DP16KD"] == 1 + 8 + 1, cells
