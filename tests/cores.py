"""Shared harness for whole-core tests: stream tagged pixels through a core, and the
expected integer results from the reference."""
from golden.intref import run_counts
from streams import simulate_streams

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
