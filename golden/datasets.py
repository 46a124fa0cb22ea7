"""Simulated training and test sets: random bi-exponential decays over the full parameter range,
and the instrument a model was trained for."""
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from .physics import IRF, Acquisition, simulate_counts
from .validate import COUNT_MAX

__all__ = ["ParameterRange", "TRAIN_RANGE", "TEST_RANGE", "FRET_RANGE", "Instrument",
           "sample_parameters", "make_dataset", "save_dataset", "load_dataset"]

CHUNK = 4096


@dataclass(frozen=True)
class ParameterRange:
    """Ranges the decays are drawn from (uniform, photons log-uniform). Both lifetimes come from
    ``tau_ns`` (sorted), or, given ``tau2_ns``, the short one from ``tau_ns`` and the long one from
    ``tau2_ns``."""
    tau_ns: tuple = (0.05, 3.0)
    tau2_ns: tuple | None = None
    photons: tuple = (50, 1e5)
    background: tuple = (0.0, 0.05)
    irf_fwhm_ns: tuple = (0.15, 0.45)
    irf_offset_ns: tuple = (0.9, 1.6)
    irf_tail_ns: tuple = (0.05, 0.3)
    tailed_share: float = 0.3
    mono_share: float = 0.15


TRAIN_RANGE = ParameterRange()
#: Held-out test range: photons 100 .. 10^4 and one known instrument (the default :class:`IRF`),
#: as a calibrated microscope has; fits and phasors are given that IRF.
TEST_RANGE = ParameterRange(photons=(100, 1e4), irf_fwhm_ns=(IRF.fwhm_ns, IRF.fwhm_ns),
                            irf_offset_ns=(IRF.offset_ns, IRF.offset_ns), tailed_share=0.0)
#: FRET-like decays (FLI-Net's simulator range): a quenched donor at 0.2-0.6 ns beside 2-3 ns,
#: any fraction, always two components, on the test range's instrument.
FRET_RANGE = replace(TEST_RANGE, tau_ns=(0.2, 0.6), tau2_ns=(2.0, 3.0), mono_share=0.0)


@dataclass(frozen=True)
class Instrument:
    """What a model was trained for: its time axis, the range its training decays came from,
    and the IRF at the centre of that range (where :func:`golden.resample.to_model_axis`
    moves a rise it was not trained on)."""
    acq: Acquisition = field(default_factory=Acquisition)
    prange: ParameterRange = TRAIN_RANGE
    irf: IRF = field(default_factory=IRF)
    #: Time between the network's output samples (ns; ``None``: the bin width). The T outputs
    #: of a longer step reach further than the window, so that the decay of a lifetime long
    #: beside the window is integrated whole (:mod:`golden.lifetimes`).
    output_step_ns: float | None = None

    @property
    def step_ns(self):
        return self.output_step_ns or self.acq.bin_width_ns

    def meta(self):
        """The instrument as a quantized model's ``meta`` keys."""
        return {"acquisition": asdict(self.acq), "training_range": asdict(self.prange),
                "irf": asdict(self.irf), "output_step_ns": self.step_ns}

    @classmethod
    def of(cls, qmodel):
        """The instrument of a quantized model (the shipped one's: the defaults but its axis)."""
        meta = qmodel.meta
        prange = meta.get("training_range")
        return cls(Acquisition(**meta["acquisition"]),
                   ParameterRange(**{k: tuple(v) if isinstance(v, list) else v
                                     for k, v in prange.items()}) if prange else TRAIN_RANGE,
                   IRF(**meta["irf"]) if "irf" in meta else IRF(),
                   meta.get("output_step_ns"))


def sample_parameters(n, rng, prange=TRAIN_RANGE):
    """Draw ``n`` decay and instrument parameter sets as a dict of ``(n,)`` arrays."""
    if prange.tau2_ns is None:
        taus = np.sort(rng.uniform(*prange.tau_ns, size=(n, 2)), axis=1)
    else:
        taus = np.stack([rng.uniform(*prange.tau_ns, n), rng.uniform(*prange.tau2_ns, n)], 1)
    mono = rng.random(n) < prange.mono_share
    taus[mono, 0] = taus[mono, 1]
    frac = np.where(mono, 1.0, rng.random(n))
    tailed = rng.random(n) < prange.tailed_share
    lo, hi = np.log(prange.photons)
    return {
        "tau1": taus[:, 0], "tau2": taus[:, 1], "frac": frac,
        "photons": np.exp(rng.uniform(lo, hi, n)),
        "background": rng.uniform(*prange.background, n),
        "irf_fwhm": rng.uniform(*prange.irf_fwhm_ns, n),
        "irf_offset": rng.uniform(*prange.irf_offset_ns, n),
        "irf_tail": np.where(tailed, rng.uniform(*prange.irf_tail_ns, n), 0.0),
    }


def make_dataset(n, *, seed, prange=TRAIN_RANGE, acq=Acquisition(), progress=None):
    """Simulate ``n`` pixels: parameters plus ``counts`` (uint16, saturating like a counter).

    ``progress`` is an optional callable advanced with the number of pixels done.
    """
    rng = np.random.default_rng(seed)
    params = sample_parameters(n, rng, prange)
    counts = np.empty((n, acq.bins), dtype=np.uint16)
    for start in range(0, n, CHUNK):
        sl = slice(start, min(start + CHUNK, n))
        irf = IRF(params["irf_fwhm"][sl], params["irf_offset"][sl], params["irf_tail"][sl])
        raw = simulate_counts(params["tau1"][sl], params["tau2"][sl], params["frac"][sl],
                              params["photons"][sl], acq=acq, irf=irf,
                              background=params["background"][sl], rng=rng)
        counts[sl] = np.minimum(raw, COUNT_MAX)
        if progress:
            progress(sl.stop - sl.start)
    return {"counts": counts, **params}


def save_dataset(path, data, acq=Acquisition()):
    np.savez_compressed(path, bins=acq.bins, bin_width_ns=acq.bin_width_ns,
                        period_ns=acq.period_ns, **data)


def load_dataset(path):
    """Load a dataset written by :func:`save_dataset`; returns ``(data, acquisition)``."""
    with np.load(path) as f:
        data = {k: f[k] for k in f.files}
    acq = Acquisition(int(data.pop("bins")), float(data.pop("bin_width_ns")),
                      float(data.pop("period_ns")))
    return data, acq
