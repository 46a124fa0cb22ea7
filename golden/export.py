"""Export for the RTL: integer weights, activation tables, the spec, and golden test vectors,
as ``.npz`` + JSON and as ``$readmemh`` hex files (one two's-complement word per line)."""
import json
from pathlib import Path

import numpy as np

from .fixed import build_lut
from .intref import lifetimes, run_network
from .physics import IRF, Acquisition, simulate_counts
from .preprocess import preprocess
from .quantize import load_quantized, save_quantized
from .validate import COUNT_MAX

__all__ = ["to_hex", "from_hex", "memories", "golden_counts", "golden_vectors", "export",
           "load_export"]

VECTOR_KEYS = ("counts", "x", "valid", "outputs", "sums", "first", "tau_q", "fraction_q",
               "tau_defined", "fraction_defined")


def to_hex(values, bits):
    """``$readmemh`` text: each value as a ``bits``-wide two's-complement hex word."""
    digits = (bits + 3) // 4
    mask = (1 << bits) - 1
    return "".join(f"{int(v) & mask:0{digits}x}\n" for v in np.ravel(values))


def from_hex(text, bits, signed=True):
    words = np.array([int(line, 16) for line in text.split()], dtype=np.int64)
    if signed:
        words = np.where(words >= 1 << (bits - 1), words - (1 << bits), words)
    return words


def memories(qmodel):
    """Every memory the RTL initialises: name -> ``(values, bits, signed)``."""
    spec = qmodel.spec
    mems = {"lut_sigmoid": (build_lut("sigmoid", spec), spec.sigmoid_frac, False),
            "lut_tanh": (build_lut("tanh", spec), spec.tanh_frac + 1, True),
            "head_w": (qmodel.head_w, spec.weight_bits, True),
            "head_b": (qmodel.head_b, spec.bias_bits, True)}
    for part in ("encoder", "decoder"):
        for i, layer in enumerate(getattr(qmodel, part)):
            for name in ("w_ih", "w_hh"):
                mems[f"{part}{i}_{name}"] = (getattr(layer, name), spec.weight_bits, True)
            for name in ("b_ih", "b_hh"):
                mems[f"{part}{i}_{name}"] = (getattr(layer, name), spec.bias_bits, True)
    return mems


def golden_counts(n, bins, seed=0):
    """Test histograms: edge cases first (zero photons, one saturated bin, all bins equal,
    maximum counts), then random mono- and bi-exponential decays at 50 .. 10^5 photons."""
    rng = np.random.default_rng(seed)
    edge = np.zeros((4, bins), np.int64)
    edge[1, bins // 4] = COUNT_MAX
    edge[2] = 1000
    edge[3] = COUNT_MAX
    m = max(n - len(edge), 0)
    taus = np.sort(rng.uniform(0.05, 3.0, (m, 2)), axis=1)
    mono = rng.random(m) < 0.3
    taus[mono, 0] = taus[mono, 1]
    frac = np.where(mono, 1.0, rng.random(m))
    photons = np.exp(rng.uniform(np.log(50), np.log(1e5), m))
    decays = simulate_counts(taus[:, 0], taus[:, 1], frac, photons,
                             acq=Acquisition(bins=bins), irf=IRF(), rng=rng)
    return np.concatenate([edge, np.minimum(decays, COUNT_MAX)])[:n]


def golden_vectors(qmodel, counts):
    """Inputs, outputs and the lifetimes of every pixel, plus every intermediate of pixel 0."""
    x, valid = preprocess(counts, qmodel.spec)
    result = run_network(qmodel, x)
    result.update(lifetimes(result["sums"], result["first"], qmodel.spec))
    vectors = {"counts": counts, "x": x, "valid": valid,
               **{k: result[k] for k in VECTOR_KEYS if k in result}}
    pixel0 = run_network(qmodel, x[:1], record=True)
    for part in ("encoder", "decoder"):
        for i, rec in enumerate(pixel0[part]):
            for key, value in rec.items():
                vectors[f"pixel0_{part}{i}_{key}"] = value[:, 0]
    return vectors


def export(qmodel, directory, *, vectors=256, seed=0):
    """Write everything into ``directory`` (which must exist and be empty of old exports)."""
    directory = Path(directory)
    (directory / "mem").mkdir()
    save_quantized(qmodel, directory / "weights.npz")
    layout = {}
    for name, (values, bits, signed) in memories(qmodel).items():
        (directory / "mem" / f"{name}.hex").write_text(to_hex(values, bits))
        layout[name] = {"shape": list(np.shape(values)), "bits": bits, "signed": signed}
    counts = golden_counts(vectors, qmodel.meta["acquisition"]["bins"], seed)
    np.savez_compressed(directory / "vectors.npz", **golden_vectors(qmodel, counts))
    fracs = {part: [{"w_ih_frac": l.w_ih_frac, "w_hh_frac": l.w_hh_frac,
                     "acc_frac": l.acc_frac, "in_frac": l.in_frac}
                    for l in getattr(qmodel, part)] for part in ("encoder", "decoder")}
    (directory / "spec.json").write_text(json.dumps({
        "spec": qmodel.spec.to_dict(), "fracs": fracs, "head_w_frac": qmodel.head_w_frac,
        "head_acc_frac": qmodel.head_acc_frac, "memories": layout, "meta": qmodel.meta,
        "vectors": {"pixels": len(counts), "seed": seed,
                    "edge_cases": ["zero photons", "one saturated bin", "all bins equal",
                                   "maximum counts"]}}, indent=2) + "\n")


def load_export(directory):
    """Read an export back: ``(qmodel, vectors)``."""
    directory = Path(directory)
    with np.load(directory / "vectors.npz") as f:
        vectors = {k: f[k] for k in f.files}
    return load_quantized(directory / "weights.npz"), vectors
