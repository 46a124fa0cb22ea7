from golden.export import golden_counts
from golden.pipeline import load_default
from rtl.core import Seq2SeqCore

from cores import expected, simulate


def test_short_histograms_bit_exact_with_gaps_and_stalls(rng):
    """The shipped model on 20-bin histograms: edge cases and decays, tags preserved."""
    q = load_default()
    counts = golden_counts(7, 20, seed=9)
    tags = rng.permutation(1000)[:7]
    got, _ = simulate(Seq2SeqCore(qmodel=q, bins=20, multipliers=24), counts, tags, rng,
                      gap=0.3, stall=0.3)
    for tag, want in zip(tags, expected(q, counts)):
        assert got[tag] == want, tag


def test_paper_configuration_pixel(rng):
    """One full T = 135 pixel at 8 multipliers per layer (the paper configuration)."""
    q = load_default()
    counts = golden_counts(6, 135, seed=2)[5:6]
    got, cycles = simulate(Seq2SeqCore(qmodel=q, bins=135, multipliers=8), counts, [5], rng)
    assert got[5] == expected(q, counts)[0]
