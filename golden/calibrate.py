"""Instrument models: the 8-bit Seq2SeqLite trained for one instrument's time axis and IRF.

A network trained on one synthetic instrument cannot be trusted on another: bin width, bin
count, window, laser period and IRF all shape the decays it sees. :func:`calibrate` makes a
model for a recording's instrument:

1. **Time axis** (:func:`instrument_axis`): the recording's bins of its bin width, its laser
   period (the window if neither the file nor the user states one); more than
   :data:`MAX_BINS` bins, or ``bins`` asked for, are rebinned to that many over the same window.
2. **IRF** (:func:`fit_irf`): a Gaussian with an exponential tail (:class:`golden.physics.IRF`)
   fitted by least squares, to the measured IRF when there is one, else to the recording's
   summed decay as that IRF convolved with a bi-exponential decay over a flat background: the
   decay's rising edge fixes the IRF's centre and width.
3. **Training set** (:func:`training_range`): decays simulated on that axis with lifetimes up to
   ``tau_max_ns``, the IRF's centre within :data:`OFFSET_JITTER_NS` and its width within
   :data:`WIDTH_JITTER` of the fit (drift between recordings), photons from
   :data:`MIN_PHOTONS` to the recording's brightest pixel, and at least to
   :data:`PHOTONS_COVERED` (spatial binning brightens a dim recording's pixels).
4. **Output step** (:func:`output_step`): the network's T output samples span at least
   :data:`OUTPUT_SPAN_TAUS` of the longest lifetime, so that the integral a lifetime comes from
   (:mod:`golden.lifetimes`) holds the whole decay even where the window does not.
5. **Training** from the shipped float Lite weights (the network takes one input per step, so
   its weights suit any T), then quantization-aware fine-tuning to the fixed-point spec (the
   default one, or another, e.g. a wider input); the integer model carries its
   :class:`~golden.datasets.Instrument` in its meta.
6. **Accuracy** (:func:`accuracy`): the integer model and the float one it was quantized from
   beside FLIMLib's least-squares fit, all given the instrument's IRF, on held-out decays of the
   instrument at fixed photon counts, and their F-values on mono-exponential decays.
"""
import time
from dataclasses import replace

import numpy as np
from scipy.optimize import least_squares

from .datasets import FRET_RANGE, TRAIN_RANGE, Instrument, make_dataset
from .evaluate import estimate, f_value, metrics
from .fixed import FixedSpec
from .models import load_weights, widen
from .physics import IRF, Acquisition, expected_tpsf, irf_histogram
from .pipeline import DEFAULT_FLOAT
from .qat import FakeQuantSeq2Seq
from .quantize import quantize_model
from .resample import resample, rise_ns
from .training import network_inputs, network_targets, train

__all__ = ["MAX_BINS", "TAU_MAX_NS", "instrument_axis", "fit_irf", "training_range",
           "output_step", "instrument_for", "calibrate", "accuracy", "PHOTONS", "COMPARED",
           "FRET_PHOTONS", "FRET_KEYS"]

#: Photon counts of the accuracy table.
PHOTONS = (100, 300, 1000, 3000, 10000)
#: The methods the accuracy table compares (:func:`golden.evaluate.estimate`), and the one each
#: uses for the F-value (on mono-exponential decays, a fit fits the mono-exponential model).
COMPARED = {"lite_int": "lite_int", "lite_float": "lite_float", "flimlib_lma": "flimlib_lma_mono"}

#: Photons of the FRET-like held-out decays, and what is reported of them.
FRET_PHOTONS = 1000
FRET_KEYS = ("tau1_mae_ns", "tau2_mae_ns", "frac_mae")
#: Most bins a calibrated model reads by default: the core's cycles per pixel grow with T.
MAX_BINS = 256
#: Longest training lifetime by default (ns).
TAU_MAX_NS = 5.0
#: A calibrated model's outputs span at least this many of its longest lifetime: the decay
#: past them, ``e^-6`` of it, is what the lifetime misses.
OUTPUT_SPAN_TAUS = 6
#: The training IRFs' centres spread this far either side of the fitted one (ns).
OFFSET_JITTER_NS = 0.1
#: The training IRFs' widths spread by this share either side of the fitted one.
WIDTH_JITTER = 0.2
#: IRF widths (ns) a fit to a recording's decay starts from; the best fit wins.
FWHM_STARTS_NS = (0.1, 0.3, 0.8)
#: Fewest photons in a training decay.
MIN_PHOTONS = 50
#: Most photons in a training decay, however bright the recording.
MAX_PHOTONS = 1e5
#: Training decays reach this many photons however dim the recording.
PHOTONS_COVERED = 1e4


def instrument_axis(layout, *, bins=None):
    """The :class:`~golden.physics.Acquisition` a model for a recording on ``layout``
    (:class:`golden.resample.Layout`) reads: its own bins, or ``bins`` (default: at most
    :data:`MAX_BINS`, the fewest whole-number rebinnings) over the same window. Returns
    ``(acquisition, notes)``."""
    notes = []
    if bins is None:
        factor = -(-layout.bins // MAX_BINS)
        bins = -(-layout.bins // factor)
    if not isinstance(bins, int) or bins <= 8:
        raise ValueError(f"bins must be an integer greater than 8, not {bins!r}")
    width = layout.window_ns / bins
    if bins != layout.bins:
        notes.append(f"{layout.bins} bins of {layout.bin_width_ns:g} ns rebinned to {bins} of "
                     f"{width:g} ns")
    period = layout.laser_period_ns
    if period is None:
        period = layout.window_ns
        notes.append(f"no laser period stated (--laser-mhz): taken as the {period:g} ns "
                     f"window, no tail of the previous pulse")
    return Acquisition(bins=bins, bin_width_ns=width, period_ns=max(period,
                                                                      bins * width)), notes


def _fit(residuals, starts, lower, upper):
    """The least-squares parameters from the best of ``starts``."""
    fits = [least_squares(residuals, start, bounds=(lower, upper), x_scale="jac",
                          diff_step=1e-3) for start in starts]
    return min(fits, key=lambda fit: fit.cost).x


def fit_irf(decay, acq, *, measured=None):
    """The ex-Gaussian :class:`~golden.physics.IRF` of an instrument: fitted to ``measured``
    ``(counts, bin_width_ns)`` (a measured IRF whose first bin starts at the window's start),
    else to ``decay`` ``(acq.bins,)``, the summed decay of a recording on ``acq``'s axis.
    Returns ``(irf, how)``: ``how`` says what was fitted and how well (the root-mean-square
    residual over the peak)."""
    if measured is not None:
        counts, width = np.asarray(measured[0], float), float(measured[1])
        axis = Acquisition(bins=len(counts), bin_width_ns=width,
                           period_ns=max(acq.period_ns, len(counts) * width))
        peak = (int(np.argmax(counts)) + 0.5) * width

        def shape(p):
            return irf_histogram(axis, IRF(fwhm_ns=p[0], offset_ns=p[1], tail_ns=p[2]))

        def residuals(p):
            return shape(p[:3]) * p[3] - counts / counts.sum()

        p = _fit(residuals, [[0.3, peak, 0.05, 1.0]], [2 * width, 0, 0, 0.5],
                 [3.0, axis.window_ns, 2.0, 2.0])
        error = np.sqrt(np.mean(residuals(p) ** 2)) / (counts.max() / counts.sum())
        return IRF(*map(float, p[:3])), (f"ex-Gaussian fitted to the measured IRF: FWHM "
                                         f"{p[0]:.3f} ns at {p[1]:.3f} ns, tail {p[2]:.3f} "
                                         f"ns (rms residual {error:.1%} of its peak)")
    decay = np.asarray(decay, float)
    rise = rise_ns(decay, acq.bin_width_ns)
    if rise is None:
        raise ValueError("the summed decay has no rising edge to fit an IRF to")
    scale = decay.max()

    def model(p):
        fwhm, offset, tau1, tau2, frac, amplitude, background = p
        tpsf = expected_tpsf(np.array([tau1]), np.array([tau2]), np.array([frac]), acq=acq,
                             irf=IRF(fwhm_ns=fwhm, offset_ns=offset))[0]
        return amplitude * tpsf / tpsf.max() + background

    def residuals(p):
        return model(p) - decay / scale

    p = _fit(residuals, [[fwhm, rise + fwhm / 2, 0.5, 3.0, 0.5, 1.0, 0.01]
                         for fwhm in FWHM_STARTS_NS],
             [acq.bin_width_ns / 2, 0, 0.02, 0.05, 0, 0, 0],
             [3.0, acq.window_ns, 20, 20, 1, 2, 0.5])
    error = np.sqrt(np.mean(residuals(p) ** 2))
    return IRF(fwhm_ns=float(p[0]), offset_ns=float(p[1])), (
        f"Gaussian IRF fitted to the recording's summed decay (no IRF given): FWHM {p[0]:.3f} "
        f"ns at {p[1]:.3f} ns (rms residual {error:.1%} of the peak)")


def training_range(irf, *, photons_max, tau_max_ns=TAU_MAX_NS, fret=False):
    """The :class:`~golden.datasets.ParameterRange` of an instrument's training decays around
    its fitted ``irf``, photons up to ``photons_max`` (clipped to
    ``[PHOTONS_COVERED, MAX_PHOTONS]``), lifetimes to ``tau_max_ns``, or with ``fret`` those
    of :data:`golden.datasets.FRET_RANGE` (always two components)."""
    tailed = irf.tail_ns > 0
    prange = replace(
        TRAIN_RANGE, tau_ns=(TRAIN_RANGE.tau_ns[0], tau_max_ns),
        photons=(MIN_PHOTONS, float(np.clip(photons_max, PHOTONS_COVERED, MAX_PHOTONS))),
        irf_fwhm_ns=(irf.fwhm_ns * (1 - WIDTH_JITTER), irf.fwhm_ns * (1 + WIDTH_JITTER)),
        irf_offset_ns=(irf.offset_ns - OFFSET_JITTER_NS, irf.offset_ns + OFFSET_JITTER_NS),
        irf_tail_ns=((irf.tail_ns * (1 - WIDTH_JITTER), irf.tail_ns * (1 + WIDTH_JITTER))
                     if tailed else TRAIN_RANGE.irf_tail_ns),
        tailed_share=1.0 if tailed else 0.0)
    return _fret_lifetimes(prange) if fret else prange


def _fret_lifetimes(prange):
    """``prange`` with :data:`golden.datasets.FRET_RANGE`'s lifetimes (always two
    components)."""
    return replace(prange, tau_ns=FRET_RANGE.tau_ns, tau2_ns=FRET_RANGE.tau2_ns,
                   mono_share=FRET_RANGE.mono_share)


def output_step(acq, tau_max_ns):
    """Time (ns) between a model's output samples on ``acq``: the bin width, or longer where
    the window is shorter than :data:`OUTPUT_SPAN_TAUS` of ``tau_max_ns``."""
    return max(acq.bin_width_ns, OUTPUT_SPAN_TAUS * tau_max_ns / acq.bins)


def instrument_for(layout, decay, *, bins=None, measured_irf=None, irf=None,
                   tau_max_ns=TAU_MAX_NS, fret=False, photons_max):
    """The :class:`~golden.datasets.Instrument` of a recording: its axis
    (:func:`instrument_axis`), its IRF (given, or :func:`fit_irf`), the training range around
    it (:func:`training_range`) and the output step (:func:`output_step`). ``decay`` is the
    summed decay on ``layout``. Returns ``(instrument, notes)``."""
    if fret:
        tau_max_ns = FRET_RANGE.tau2_ns[1]
    acq, notes = instrument_axis(layout, bins=bins)
    if irf is None:
        summed = resample(np.asarray(decay)[None], layout, acq, 0.0)[0]
        irf, how = fit_irf(summed, acq, measured=measured_irf)
        notes.append(how)
    step = output_step(acq, tau_max_ns)
    if step > acq.bin_width_ns:
        notes.append(f"outputs {step:.4g} ns apart ({step / acq.bin_width_ns:.3g} bins): "
                     f"{acq.bins} of them span {OUTPUT_SPAN_TAUS} x {tau_max_ns:g} ns")
    prange = training_range(irf, photons_max=photons_max, tau_max_ns=tau_max_ns, fret=fret)
    return Instrument(acq, prange, irf, step), notes


def calibrate(instrument, *, pixels, epochs, qat_epochs, seed=0, max_minutes=None,
              hidden_size=None, spec=FixedSpec(), log=print):
    """Train the Seq2SeqLite for ``instrument`` (:class:`~golden.datasets.Instrument`) to
    ``spec``: ``pixels`` simulated decays, ``epochs`` of float training from the shipped
    weights, then ``qat_epochs`` of quantization-aware fine-tuning. ``max_minutes`` bounds
    each phase's wall time (after the epoch it runs out in); ``hidden_size`` widens the
    shipped network first (:func:`golden.models.widen`). Returns the quantized model, its meta holding the instrument, the data size, each phase's history and the wall
    time, and the float model it was quantized from."""
    began = time.monotonic()
    acq = instrument.acq
    data = make_dataset(pixels, seed=seed, prange=instrument.prange, acq=acq)
    x, valid = network_inputs(data["counts"], spec)
    data = {k: v[valid] for k, v in data.items()}
    x, y = x[valid], network_targets(data, acq, instrument.step_ns)
    model, _ = load_weights(DEFAULT_FLOAT)
    if hidden_size and hidden_size != model.hidden_size:
        model = widen(model, hidden_size, seed=seed)
    log(f"training on {len(x):,} decays of {acq.bins} bins")
    history = {"float": train(model, x, y, epochs=epochs, lr=1e-3, seed=seed,
                              max_minutes=max_minutes, log=log)}
    history["qat"] = train(FakeQuantSeq2Seq(model, spec), x, y, epochs=qat_epochs, lr=5e-4,
                           seed=seed, max_minutes=max_minutes, log=log)
    q = quantize_model(model, spec)
    q.meta = {**instrument.meta(), "method": "calibrate", "pixels": int(len(x)),
              "history": history, "wall_seconds": round(time.monotonic() - began, 1)}
    return q, model


def _held_out(instrument, photons):
    """The instrument's decays of exactly ``photons``, all on its own IRF."""
    irf = instrument.irf
    return replace(instrument.prange, photons=(photons, photons),
                   irf_fwhm_ns=(irf.fwhm_ns, irf.fwhm_ns),
                   irf_offset_ns=(irf.offset_ns, irf.offset_ns),
                   irf_tail_ns=(irf.tail_ns, irf.tail_ns), tailed_share=float(irf.tail_ns > 0))


def accuracy(qmodel, model, instrument, *, photons=PHOTONS, n=1000, f_pixels=300, seed=8080):
    """``{method: {"tau_m_mae_ns": {photons: MAE}, "f_value": F at 1,000 photons, "fret":
    {tau1_mae_ns, tau2_mae_ns, frac_mae}}}`` of each :data:`COMPARED` method (``lite_int``:
    ``qmodel``; ``lite_float``: the float ``model`` given ``qmodel``'s inputs) on ``n``
    held-out decays of ``instrument`` per photon count, and ``n`` FRET-like ones
    (:data:`golden.datasets.FRET_RANGE`'s lifetimes) of :data:`FRET_PHOTONS` (seeds apart
    from training's), every method given the instrument's IRF."""
    acq, irf, spec = instrument.acq, instrument.irf, qmodel.spec
    models = {"lite_int": qmodel, "lite": model}

    def scores(prange, data_seed):
        data = make_dataset(n, seed=data_seed, prange=prange, acq=acq)
        counts = data["counts"].astype(np.int64)
        return {method: metrics(estimate(method, counts, models, acq=acq, irf=irf, spec=spec,
                                         step_ns=instrument.step_ns), data)
                for method in COMPARED}

    out = {m: {"tau_m_mae_ns": {}} for m in COMPARED}
    for level in photons:
        for method, found in scores(_held_out(instrument, level), seed + level).items():
            out[method]["tau_m_mae_ns"][str(level)] = found["tau_m_mae_ns"]
    fret = _fret_lifetimes(_held_out(instrument, FRET_PHOTONS))
    for method, found in scores(fret, seed + 1).items():
        out[method]["fret"] = {k: found[k] for k in FRET_KEYS}
    for method, mono in COMPARED.items():
        out[method]["f_value"] = f_value(
            lambda c: estimate(mono, c.astype(np.int64), models, acq=acq, irf=irf,
                               spec=spec, step_ns=instrument.step_ns)["tau_m"],
            photons=1000, pixels=f_pixels, seed=seed, acq=acq, irf=irf)["mean"]
    return out
