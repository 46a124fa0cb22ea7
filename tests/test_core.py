
from golden.export import golden_counts
from golden.intref import run_counts
from golden.pipeline import load_default
from rtl.core import Seq2SeqCore
from streams import simulate_streams

KEYS = ("tau", "fraction", "tau_defined", "fraction_defined", "valid")


def simulate(dut, counts, tags, rng, gap=0.0, stall=0.0):
    """Stream pixels in; collect result dicts keyed by tag, and the cycle count."""
    items = [(tag, c) for tag, hist in zip(tags, counts) for c in hist]

    def put(ctx, item):
        ctx.set(dut.inp.payload.tag, int(item[0]))
        ctx.set(dut.inp.payload.count, int(item[1]))

    def take(ctx, p):
        return p.tag, {"tau": [p.tau[k] for k in range(3)], "fraction": p.fraction,
                       "tau_defined": [(p.tau_defined >> k) & 1 for k in range(3)],
                       "fraction_defined": p.fraction_defined, "valid": p.valid}

    out, cycles = simulate_streams(dut, dut.inp, items, dut.out, len(tags), rng=rng, gap=gap,
                                   stall=stall, put=put, take=take)
    results = dict(out)
    assert len(results) == len(out), "a pixel was delivered twice"
    return results, cycles


def expected(q, counts):
    ref = run_counts(q, counts)
    return [{"tau": ref["tau_q"][n].tolist(), "fraction": int(ref["fraction_q"][n]),
             "tau_defined": ref["tau_defined"][n].astype(int).tolist(),
             "fraction_defined": int(ref["fraction_defined"][n]), "valid": int(ref["valid"][n])}
            for n in range(len(counts))]


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
