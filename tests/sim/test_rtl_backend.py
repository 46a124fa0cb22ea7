from golden.export import golden_counts
from golden.pipeline import load_default
from rtl.config import CoreConfig
from rtl.multipixel import MultiPixelCore
from sim.rtl_backend import RESULT_KEYS, run_core
from sim.run import expected_records


def test_run_core_is_bit_exact_with_input_gaps(rng):
    """Short histograms with idle input cycles: results in order, tagged, timed."""
    q = load_default()
    counts = golden_counts(2, 12, seed=4)
    done = []
    core = MultiPixelCore(qmodel=q, bins=12, config=CoreConfig(rows=32, slots=1))
    records, cycles = run_core(core, counts, gaps=0.3, rng=rng, progress=done.append)
    assert [r["tag"] for r in records] == [0, 1] and done == [1, 1]
    assert [{k: r[k] for k in RESULT_KEYS} for r in records] == expected_records(q, counts)
    assert 0 < records[0]["cycle"] < records[1]["cycle"] == cycles
