import numpy as np

from golden.intref import run_network
from golden.pipeline import load_default
from rtl.head import DenseHead
from streams import simulate_streams


def test_outputs_and_integrals_match_the_reference(rng):
    """The shipped model's decoder states through the head: every step's outputs, the sums
    and first values equal the integer reference (with output stalls)."""
    q = load_default()
    x = rng.integers(0, 256, (2, 20))
    ref = run_network(q, x, record=True)
    states = ref["decoder"][0]["h"]                       # (T, N, H)
    dut = DenseHead(qmodel=q, bins=20)
    items = [(states[t, n], t == 0) for n in range(2) for t in range(20)]

    def put(ctx, item):
        for i in range(32):
            ctx.set(dut.step.payload.h[i], int(item[0][i]))
        ctx.set(dut.step.payload.first, item[1])

    def take(ctx, y):     # the integrals are updated at the transfer: read them after it
        return ([y[k] for k in range(3)], [ctx.get(dut.sums[k]) for k in range(3)],
                [ctx.get(dut.first[k]) for k in range(3)])

    got, _ = simulate_streams(dut, dut.step, items, dut.out, 40, rng=rng, stall=0.3, put=put,
                              take=take)
    outputs = [g[0] for g in got]
    finals = [(got[i][1], got[i][2]) for i in (19, 39)]
    assert np.array_equal(np.array(outputs).reshape(2, 20, 3), ref["outputs"])
    assert np.array_equal([f[0] for f in finals], ref["sums"])
    assert np.array_equal([f[1] for f in finals], ref["first"])
