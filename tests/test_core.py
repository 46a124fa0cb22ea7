from golden.export import golden_counts
from golden.pipeline import load_default
from rtl.core import Seq2SeqCore
from sim.rtl_backend import by_tag, run_core
from sim.run import expected_records


def test_short_histograms_bit_exact_with_gaps_and_stalls(rng):
    """The shipped model on 20-bin histograms: edge cases and decays, tags preserved."""
    q = load_default()
    counts = golden_counts(7, 20, seed=9)
    tags = rng.permutation(1000)[:7]
    records, _ = run_core(Seq2SeqCore(qmodel=q, bins=20, multipliers=24), counts, tags=tags,
                          gaps=0.3, stalls=0.3, rng=rng)
    got = by_tag(records)
    for tag, want in zip(tags, expected_records(q, counts)):
        assert got[tag] == want, tag


def test_paper_configuration_pixel():
    """One full T = 135 pixel at 8 multipliers per layer (the paper configuration)."""
    q = load_default()
    counts = golden_counts(6, 135, seed=2)[5:6]
    records, _ = run_core(Seq2SeqCore(qmodel=q, bins=135, multipliers=8), counts, tags=[5])
    assert by_tag(records) == {5: expected_records(q, counts)[0]}
