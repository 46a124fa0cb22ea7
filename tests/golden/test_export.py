import json

import numpy as np

from golden.export import export, from_hex, golden_vectors, load_export, memories
from golden.intref import lifetimes, run_network
from golden.validate import COUNT_MAX


def test_export_round_trip(tmp_path, qlite):
    out = tmp_path / "exp"
    out.mkdir()
    export(qlite, out, vectors=40, seed=3)
    q, vectors = load_export(out)
    result = run_network(q, vectors["x"])
    result.update(lifetimes(result["sums"], result["first"], q.spec))
    for key in ("outputs", "sums", "first", "tau_q", "fraction_q"):
        assert np.array_equal(result[key], vectors[key]), key
    spec = json.loads((out / "spec.json").read_text())
    assert spec["spec"]["bits"] == 8 and spec["vectors"]["pixels"] == 40
    for name, (values, bits, signed) in memories(q).items():
        text = (out / "mem" / f"{name}.hex").read_text()
        assert np.array_equal(from_hex(text, bits, signed), np.ravel(values)), name
        assert spec["memories"][name]["bits"] == bits


def test_vectors_cover_edge_cases_and_pixel0_intermediates(qlite):
    from golden.export import golden_counts
    counts = golden_counts(10, 135, seed=1)
    assert counts[0].sum() == 0 and counts[1].max() == COUNT_MAX
    assert (counts[2] == counts[2, 0]).all() and (counts[3] == COUNT_MAX).all()
    vectors = golden_vectors(qlite, counts)
    assert vectors["valid"][:4].tolist() == [False, True, False, False]
    assert vectors["pixel0_encoder0_h"].shape == (135, 32)
    rec = run_network(qlite, vectors["x"][:1], record=True)
    assert np.array_equal(rec["decoder"][0]["n_pre"][:, 0], vectors["pixel0_decoder0_n_pre"])
