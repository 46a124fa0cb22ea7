"""The ``boards`` section of BENCHMARKS.md and the throughput figures in it."""
import pytest

from boards import protocol
from boards.builds import entries, mark_stale, record
from boards.platforms import BOARDS
from boards.performance import cycles_per_pixel, frame_bytes, records_per_s, uart_pixels_per_s
from golden.benchmarks import load_section, section_body
from rtl.config import CoreConfig
from sim.des import simulate

from fakes import build_entry


def test_frame_bytes_is_a_histogram_frame():
    assert frame_bytes(135) == len(protocol.histogram(0, [0] * 135)) == 279
    assert uart_pixels_per_s(1_000_000, 135) == pytest.approx(1e5 / 279)


def test_records_per_s_counts_full_results_frames():
    """16 records a frame: the bytes of a RESULTS frame the encoder makes, 16 results."""
    record = {"tag": 1, "tau_q": [1, 2, 3], "fraction_q": 4, "tau_defined": [1, 1, 1],
              "fraction_defined": 1, "valid": 1, "photons": 99}
    frame = protocol.results([record] * 16)
    assert records_per_s(3_000_000, 16) == pytest.approx(3e5 * 16 / len(frame))
    assert records_per_s(3_000_000, 16) > 19_000


def test_cycles_of_a_core_come_from_the_des():
    cycles, source = cycles_per_pixel(CoreConfig(rows=16, batch=2, slots=2), bins=135)
    assert cycles == simulate(CoreConfig(rows=16, batch=2, slots=2))["cycles_per_pixel"]
    assert source.startswith("sim.des")


def test_record_keeps_the_other_boards(tmp_path):
    """A failed iCEBreaker build, then two ULX3S builds: two entries, the latest ULX3S one,
    and a table row each (frames/s = pixels/s over 32**2 and 128**2)."""
    results = tmp_path / "results"
    failed = {"board": "icebreaker", "core": BOARDS["icebreaker"].core.label(),
              "error": "the design does not fit the icebreaker (iCE40UP5K): 16 SB_MAC16 "
                       "(dsp) > 8", "build_seconds": 293.4}
    record(failed, "python -m boards build icebreaker", results=results)
    record(build_entry("ulx3s-85f", 41.0), "python -m boards build ulx3s-85f", results=results)
    record(build_entry("ulx3s-85f", 42.5), "python -m boards build ulx3s-85f", results=results)
    assert entries(results) == {"icebreaker": failed,
                                "ulx3s-85f": build_entry("ulx3s-85f", 42.5)}
    text = section_body(load_section("boards", results))
    row = next(line for line in text.splitlines() if line.startswith("| ulx3s-85f"))
    assert "| 16142/83640, 126/156, 22/208 | 42.5 | 40 | 8908 |" in row
    assert f"| {40e6 / 8908.3 / 32 ** 2:.4g} | {40e6 / 8908.3 / 128 ** 2:.4g} |" in row
    row = next(line for line in text.splitlines() if line.startswith("| icebreaker"))
    assert row.startswith(f"| icebreaker | {failed['core']} | the design does not fit")
    assert row.endswith("| – | 293.4 |")


def test_a_stale_build_says_so_until_it_is_rebuilt(tmp_path):
    results = tmp_path / "results"
    record(build_entry("ulx3s-85f", 52.5), "python -m boards build ulx3s-85f", results=results)
    mark_stale("ulx3s-85f", "the RTL changed", results=results)
    text = section_body(load_section("boards", results))
    assert "| ulx3s-85f (stale) |" in text and "**ulx3s-85f is stale:** the RTL changed" in text
    record(build_entry("ulx3s-85f", 53.0), "python -m boards build ulx3s-85f", results=results)
    assert "stale" not in section_body(load_section("boards", results))


def test_an_instrument_models_build_is_kept_beside_the_boards_own(tmp_path):
    """A build of a calibrated model is its own row, named after the model, and so is a build
    of another core; the shipped model's build of the default core stays the board's."""
    results = tmp_path / "results"
    record(build_entry("ulx3s-85f", 52.5), "python -m boards build ulx3s-85f", results=results)
    other = {**build_entry("ulx3s-85f", 48.0), "weights": "picoharp_s10.npz"}
    record(other, "python -m boards build ulx3s-85f --weights picoharp_s10.npz",
           results=results)
    smaller = {**other, "core": "multipixel(rows=32, batch=7, slots=3)"}
    record(smaller, "python -m boards build ulx3s-85f --weights picoharp_s10.npz --batch 7",
           results=results)
    assert entries(results) == {
        "ulx3s-85f": build_entry("ulx3s-85f", 52.5), "ulx3s-85f with picoharp_s10.npz": other,
        "ulx3s-85f with picoharp_s10.npz, multipixel(rows=32, batch=7, slots=3)": smaller}
    text = section_body(load_section("boards", results))
    assert "| ulx3s-85f with picoharp_s10.npz | multipixel(rows=32, batch=7, slots=3) |" in text
    assert "| ulx3s-85f | multipixel" in text
