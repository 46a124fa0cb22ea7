"""First-harmonic phasors of a recording at its laser's frequency (phasorpy), calibrated as
phasorpy users do: against a reference of known lifetime measured on the same instrument, the
IRF (lifetime 0, ``--irf``) or a reference dye (``--reference``, ``--reference-lifetime``).

Phasors are taken on the recording's own time axis, each bin at its centre's phase
``2 pi f t`` (so a window shorter than the laser period is not stretched over it). Without a
reference, the IRF is taken as a Gaussian of the default width at the decay's rise, and the
plot says so.
"""
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from phasorpy.lifetime import phasor_calibrate
from phasorpy.phasor import phasor_from_signal

from .physics import IRF, Acquisition, irf_histogram
from .resample import rise_ns, trained_rises_ns
from .validate import InputError

__all__ = ["Phasors", "read_irf", "calibrated_phasors", "recording_phasors"]


@dataclass(frozen=True)
class Phasors:
    """Per-pixel phasor coordinates ``real``, ``imag`` (NaN without photons) at
    ``frequency_mhz``, and how they were calibrated (``calibration``, for the plot)."""
    real: np.ndarray
    imag: np.ndarray
    frequency_mhz: float
    calibration: str


def read_irf(path):
    """A measured IRF exported as two columns, time (ns) and counts (Becker & Hickl's
    ``.asc``): ``(counts, bin_width_ns)``."""
    path = Path(path)
    try:
        table = np.loadtxt(path, ndmin=2)
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read the IRF {path.name}: {str(err).splitlines()[0]}") from None
    if table.shape[1] != 2 or len(table) < 3 or not np.all(np.diff(table[:, 0]) > 0):
        raise InputError(f"{path.name}: an IRF is two columns (time in ns, counts) with rising "
                         f"times, not a table of shape {table.shape}")
    if table[:, 1].sum() <= 0:
        raise InputError(f"{path.name}: the IRF holds no counts")
    return table[:, 1], float(np.mean(np.diff(table[:, 0])))


def _phase(bins, bin_width_ns, frequency_mhz):
    return 2 * np.pi * frequency_mhz * 1e-3 * (np.arange(bins) + 0.5) * bin_width_ns


def _phasors(counts, bin_width_ns, frequency_mhz):
    counts = np.asarray(counts)                         # integers as they are: no float copy
    with np.errstate(invalid="ignore", divide="ignore"):
        return phasor_from_signal(counts, axis=-1, sample_phase=_phase(
            counts.shape[-1], bin_width_ns, frequency_mhz))


def calibrated_phasors(counts, bin_width_ns, frequency_mhz, reference, lifetime_ns):
    """``(mean, real, imag)`` of ``counts`` ``(..., T)`` at ``frequency_mhz``, calibrated
    against ``reference = (counts, bin_width_ns)``, a decay of known lifetime ``lifetime_ns``
    (0 for an IRF) measured on the same instrument; NaN where a decay has no photons."""
    mean, real, imag = _phasors(counts, bin_width_ns, frequency_mhz)
    with np.errstate(invalid="ignore", divide="ignore"):
        real, imag = phasor_calibrate(real, imag, *_phasors(*reference, frequency_mhz),
                                      frequency=frequency_mhz, lifetime=lifetime_ns)
    empty = ~(mean > 0)
    return mean, np.where(empty, np.nan, real), np.where(empty, np.nan, imag)


def _gaussian_irf(decay, layout, period_ns):
    """The default-width Gaussian IRF placed where the model's training IRFs sit relative to
    their rise, at ``decay``'s rise."""
    rise = rise_ns(decay, layout.bin_width_ns, layout.valid)
    offset = (rise if rise is not None else IRF.offset_ns) + IRF.offset_ns - \
        trained_rises_ns()[2]
    acq = Acquisition(bins=layout.bins, bin_width_ns=layout.bin_width_ns,
                      period_ns=max(period_ns, layout.window_ns))
    return irf_histogram(acq, IRF(offset_ns=offset))


def recording_phasors(counts, layout, *, irf=None, reference=None, reference_lifetime_ns=None):
    """Phasors of ``counts`` ``(..., T)`` on ``layout``.

    Parameters
    ----------
    irf : (counts, bin_width_ns), optional
        A measured IRF (:func:`read_irf`): the lifetime-0 reference.
    reference, reference_lifetime_ns : (counts, bin_width_ns), float, optional
        A reference recording's summed decay and its known lifetime.
    """
    counts = np.asarray(counts).reshape(-1, layout.bins)
    period = layout.laser_period_ns
    frequency = 1e3 / (period or layout.window_ns)
    if reference is not None:
        ref_counts, ref_width = reference
        lifetime, how = reference_lifetime_ns, f"a {reference_lifetime_ns:g} ns reference"
    elif irf is not None:
        (ref_counts, ref_width), lifetime, how = irf, 0.0, "the measured IRF"
    else:
        ref_counts, ref_width, lifetime = _gaussian_irf(counts.sum(axis=0), layout,
                                                        period or layout.window_ns), \
            layout.bin_width_ns, 0.0
        how = "a Gaussian IRF at the decay's rise (--irf or --reference for the instrument's)"
    _, real, imag = calibrated_phasors(counts, layout.bin_width_ns, frequency,
                                       (ref_counts, ref_width), lifetime)
    where = ("" if period else "; laser rate unknown: the window's frequency (--laser-mhz)")
    return Phasors(real, imag, frequency, f"calibrated against {how}{where}")
