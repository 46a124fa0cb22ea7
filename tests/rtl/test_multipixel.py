"""The multi-pixel core: bit-exact to the integer reference for every pixel, with input gaps and
output stalls, tags kept, partly filled slots flushed at the end of the frame; pixels that come
slowly still share a slot."""
import numpy as np
import pytest

from golden.export import golden_counts
from golden.fixed import FixedSpec
from golden.pipeline import load_default
from golden.quantize import quantize_model
from rtl.config import CoreConfig
from rtl.multipixel import MultiPixelCore
from rtl.result import pixel_beats
from sim.rtl_backend import by_tag, result_record, run_core, stream_through
from sim.run import expected_records


@pytest.mark.parametrize("rows, message", [
    (5, "rows must divide 96 and be at most 32, not 5"),
    (48, "rows must divide 96 and be at most 32, not 48"),
])
def test_rows_must_suit_the_model(rows, message):
    with pytest.raises(ValueError, match=message):
        MultiPixelCore(qmodel=load_default(), bins=20, config=CoreConfig(rows=rows))


@pytest.mark.parametrize("rows, batch, slots, pixels, gate", [
    (16, 1, 2, 4, {}),      # one lane per slot, both units overlapping two pixels
    (32, 2, 3, 9, {}),      # batches of two, three slots, the last slot partly filled
    # row groups straddle the gates; one slot; the 4 widest gate products on hard
    # multipliers, the other 5 from LUTs; 50 of the 72 matmul products on hard multipliers
    (24, 3, 1, 3, {"gate_luts": True, "gate_dsps": 4, "matmul_dsps": 50}),
])
def test_short_histograms_bit_exact_with_gaps_and_stalls(rng, rows, batch, slots, pixels,
                                                         gate):
    q = load_default()
    counts = golden_counts(pixels, 20, seed=rows)
    tags = rng.permutation(60000)[:pixels]
    dut = MultiPixelCore(qmodel=q, bins=20,
                         config=CoreConfig(rows=rows, batch=batch, slots=slots, **gate))
    got = by_tag(run_core(dut, counts, tags=tags, gaps=0.3, stalls=0.3, rng=rng)[0])
    for tag, want in zip(tags, expected_records(q, counts)):
        assert got[tag] == want, tag


def test_wider_weights_than_states_bit_exact(rng, lite_model):
    """10-bit weights beside 8-bit states and tables (wider than the iCE40's dual 8 x 8
    products): still the integer reference's records. (10-bit states beside 8-bit weights are
    the tests' instrument model's, run end to end in ``tests/sim/test_cli_run.py``.)"""
    q = quantize_model(lite_model, FixedSpec(bits=8, weight_bits=10))
    q.meta = load_default().meta
    counts = golden_counts(3, 20, seed=10)
    dut = MultiPixelCore(qmodel=q, bins=20, config=CoreConfig(rows=32, batch=3, slots=1))
    got = by_tag(run_core(dut, counts, tags=[1, 2, 3], stalls=0.3, rng=rng)[0])
    assert [got[t] for t in (1, 2, 3)] == expected_records(q, counts)


def test_paper_configuration_round(rng):
    """T = 135: two pixels in two slots (a zero-photon edge case and a decay)."""
    q = load_default()
    counts = golden_counts(6, 135, seed=21)[[0, 5]]
    dut = MultiPixelCore(qmodel=q, bins=135, config=CoreConfig(rows=32, batch=1, slots=2))
    got = by_tag(run_core(dut, counts, tags=[7, 9], stalls=0.3, rng=rng)[0])
    assert [got[7], got[9]] == expected_records(q, counts)


def test_pixels_far_apart_still_share_a_slot():
    """Two pixels 200 cycles apart (T = 20, batch 2, one slot) run as one two-lane slot, which
    starts at the flush token: their results come back to back, bit-exact. (A timer that
    flushed an idle input used to run them as two one-lane slots, 7,400 cycles apart.)"""
    q = load_default()
    counts = golden_counts(2, 20, seed=5)
    dut = MultiPixelCore(qmodel=q, bins=20, config=CoreConfig(rows=32, batch=2, slots=1))
    got = stream_through(dut, dut.inp, pixel_beats([3, 4], counts), dut.out, 2,
                         rng=np.random.default_rng(0), pauses={20: 200, 40: 200},
                         put=lambda ctx, beat: ctx.set(dut.inp.payload, beat),
                         take=lambda ctx, payload: result_record(payload))
    (first, a), (second, b) = got
    assert second - first < 100            # one division pass apart, not a second slot
    records = by_tag([a, b])
    assert [records[3], records[4]] == expected_records(q, counts)
