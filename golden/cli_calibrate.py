"""``python -m golden calibrate --like RECORDING --out MODEL``: an 8-bit Seq2SeqLite for the
instrument that made a recording (:mod:`golden.calibrate`), which ``sim run``, ``boards build``,
``boards run`` and ``rtl elaborate`` take as ``--weights MODEL``."""
import os
from pathlib import Path

from .benchmarks import load_section, table, update_section
from .calibrate import COMPARED, FRET_KEYS, FRET_PHOTONS, PHOTONS, TAU_MAX_NS, accuracy, \
    calibrate, instrument_for
from .commands import positive_float, positive_int
from .fixed import FixedSpec
from .models import lite
from .phasors import read_irf
from .physics import IRF
from .quantize import save_quantized
from .readers import read_input
from .validate import InputError

__all__ = ["add_arguments", "run", "section_body"]

SECTION = "calibrations"


def add_arguments(p):
    p.add_argument("--like", required=True, metavar="RECORDING",
                   help="a recording of the instrument (.sdt, .ptu, .tif, .npy)")
    p.add_argument("--out", type=Path, required=True, metavar="MODEL",
                   help="the integer model to write (.npz)")
    p.add_argument("--force", action="store_true", help="replace an existing MODEL")
    irf = p.add_mutually_exclusive_group()
    irf.add_argument("--irf", metavar="FILE",
                     help="the instrument's measured IRF (two columns: ns, counts); default: "
                          "fitted to the recording's rising edge")
    irf.add_argument("--irf-fwhm-ns", type=positive_float, help="a Gaussian IRF's FWHM")
    p.add_argument("--irf-offset-ns", type=float, help="with --irf-fwhm-ns: its centre")
    p.add_argument("--fret", action="store_true",
                   help="train for FRET-like decays (a 0.2-0.6 ns donor beside 2-3 ns, any "
                        "fraction) instead of lifetimes to --tau-max-ns")
    p.add_argument("--tau-max-ns", type=positive_float,
                   help=f"longest training lifetime (default {TAU_MAX_NS:g})")
    p.add_argument("--bins", type=positive_int,
                   help="rebin to T bins over the recording's window (default: its own bins, "
                        "at most 256)")
    p.add_argument("--pixels", type=positive_int, default=60_000,
                   help="simulated training decays (default 60,000)")
    p.add_argument("--epochs", type=positive_int, default=3,
                   help="float epochs from the shipped weights (default 3)")
    p.add_argument("--qat-epochs", type=positive_int, default=1,
                   help="quantization-aware epochs (default 1)")
    p.add_argument("--max-minutes", type=positive_float,
                   help="wall-time budget of each training phase")
    p.add_argument("--input-bits", type=positive_int, default=FixedSpec.input_bits,
                   help=f"width of the network's Q0.N input (default {FixedSpec.input_bits})")
    p.add_argument("--bits", type=positive_int, default=FixedSpec.bits,
                   help=f"width of the hidden state and the gates' tables (default "
                        f"{FixedSpec.bits})")
    p.add_argument("--weight-bits", type=positive_int, default=FixedSpec.weight_bits,
                   help=f"width of the weights (default {FixedSpec.weight_bits})")
    p.add_argument("--hidden", type=positive_int,
                   help="GRU units (default: the shipped network's 32; more start from its "
                        "weights)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--bin-width-ns", type=positive_float, help="bin width of a .npy or TIFF")
    p.add_argument("--laser-mhz", type=positive_float,
                   help="laser repetition rate, where the file does not state it")
    p.add_argument("--channel", type=int, help="channel (.ptu) or image block (.sdt)")
    p.add_argument("--test-pixels", type=positive_int, default=1000,
                   help="held-out decays per photon count in the accuracy table (default 1,000)")
    p.add_argument("--photons", type=positive_int, nargs="+", default=list(PHOTONS), metavar="N",
                   help=f"the accuracy table's photon counts (default "
                        f"{' '.join(map(str, PHOTONS))})")
    p.add_argument("--no-benchmarks", action="store_true",
                   help="do not record the run in results/ (BENCHMARKS.md's source)")


def _given_irf(args):
    if args.irf_fwhm_ns is None:
        if args.irf_offset_ns is not None:
            raise InputError("--irf-offset-ns goes with --irf-fwhm-ns")
        return None
    if args.irf_offset_ns is None:
        raise InputError("--irf-fwhm-ns needs --irf-offset-ns (the IRF's centre in ns)")
    return IRF(fwhm_ns=args.irf_fwhm_ns, offset_ns=args.irf_offset_ns)


def run(args):
    if args.out.exists() and not args.force:
        raise InputError(f"{args.out} exists; pass --force to replace it")
    if not args.out.parent.is_dir():
        raise InputError(f"cannot write {args.out}: no directory {args.out.parent}")
    if args.fret and args.tau_max_ns:
        raise InputError("--fret trains on FRET-like lifetimes: it takes no --tau-max-ns")
    if args.hidden is not None and args.hidden < lite().hidden_size:
        raise InputError(f"--hidden must be at least the shipped network's "
                         f"{lite().hidden_size} units, not {args.hidden}")
    try:
        spec = FixedSpec(bits=args.bits, weight_bits=args.weight_bits,
                         input_bits=args.input_bits)
    except ValueError as err:
        raise InputError(str(err)) from None
    irf = _given_irf(args)
    measured = read_irf(args.irf) if args.irf else None
    rec = read_input(args.like, bin_width_ns=args.bin_width_ns, laser_mhz=args.laser_mhz,
                     channel=args.channel)
    flat = rec.counts.reshape(-1, rec.layout.bins)
    try:
        instrument, notes = instrument_for(rec.layout, flat.sum(axis=0), bins=args.bins,
                                           measured_irf=measured, irf=irf,
                                           tau_max_ns=args.tau_max_ns or TAU_MAX_NS,
                                           fret=args.fret,
                                           photons_max=float(flat.sum(axis=1).max()))
    except ValueError as err:
        raise InputError(f"{args.like}: {err}") from None
    for note in rec.notes + tuple(notes):
        print(f"note: {note}")
    acq = instrument.acq
    print(f"instrument: {acq.bins} bins of {acq.bin_width_ns:g} ns, laser period "
          f"{acq.period_ns:g} ns; lifetimes {_lifetimes(instrument.prange)}, photons "
          f"{instrument.prange.photons[0]:g}-{instrument.prange.photons[1]:g}")
    q, model = calibrate(instrument, pixels=args.pixels, epochs=args.epochs,
                         qat_epochs=args.qat_epochs, seed=args.seed,
                         max_minutes=args.max_minutes, hidden_size=args.hidden,
                         spec=spec)
    print(f"accuracy on {args.test_pixels:,} held-out decays per photon count ...")
    q.meta.update(command=args.invocation, like=Path(args.like).name, notes=list(notes),
                  accuracy=accuracy(q, model, instrument, n=args.test_pixels,
                                    photons=sorted(set(args.photons)),
                                    f_pixels=max(args.test_pixels // 3, 50)),
                  test_pixels=args.test_pixels)
    partial = args.out.with_name(args.out.name + ".partial.npz")
    save_quantized(q, partial)
    os.replace(partial, args.out)
    print(_accuracy_table(q.meta["accuracy"]))
    print(f"wrote {args.out} ({q.meta['wall_seconds']} s training, {q.meta['pixels']:,} decays)")
    if not args.no_benchmarks:
        record = load_section(SECTION)
        runs = record["data"]["runs"] if record else {}
        runs[args.out.name] = {**{k: q.meta[k] for k in (
            "like", "command", "pixels", "wall_seconds", "acquisition", "irf", "notes",
            "accuracy", "test_pixels", "output_step_ns")}, "hidden": q.hidden_size,
            **{k: getattr(q.spec, k) for k in ("input_bits", "bits", "weight_bits")}}
        update_section(SECTION, "Instrument models (golden calibrate)",
                       "python -m golden calibrate ... (each run's command below)",
                       {"runs": runs}, renderer=__name__)
    return 0


def _lifetimes(prange):
    """The training lifetimes, in words."""
    if prange.tau2_ns is None:
        return f"to {prange.tau_ns[1]:g} ns"
    return (f"{prange.tau_ns[0]:g}-{prange.tau_ns[1]:g} ns beside "
            f"{prange.tau2_ns[0]:g}-{prange.tau2_ns[1]:g} ns")


def _accuracy_table(found):
    """tau_m MAE per photon count (those the run measured), the F-value and, where measured,
    the FRET-like set's errors."""
    photons = list(found[next(iter(found))]["tau_m_mae_ns"])
    rows = [[method, *(found[method]["tau_m_mae_ns"][p] for p in photons),
             found[method]["f_value"],
             *(found[method]["fret"][k] if "fret" in found[method] else "–" for k in FRET_KEYS)]
            for method in COMPARED if method in found]
    fret = (f"FRET tau1 MAE (ns) @ {FRET_PHOTONS}", f"FRET tau2 MAE (ns) @ {FRET_PHOTONS}",
            f"FRET fraction MAE @ {FRET_PHOTONS}")
    return table(["method", *(f"tau_m MAE (ns) @ {p}" for p in photons), "F @ 1000", *fret],
                 rows)


def section_body(data):
    """The calibrations section's Markdown: per run, its instrument, cost and accuracy."""
    parts = []
    for name, run in data["runs"].items():
        acq, irf = run["acquisition"], run["irf"]
        parts.append(
            f"### `{name}`, for `{run['like']}`\n\n`{run['command']}`: {acq['bins']} bins of "
            f"{acq['bin_width_ns']:.4g} ns, laser period {acq['period_ns']:.4g} ns; IRF FWHM "
            f"{irf['fwhm_ns']:.3f} ns at {irf['offset_ns']:.3f} ns, tail {irf['tail_ns']:.3f} "
            f"ns ({'; '.join(run['notes'])}). Trained on {run['pixels']:,} simulated decays "
            f"in {run['wall_seconds']:g} s (2 CPU cores), network input Q0."
            f"{run.get('input_bits', FixedSpec.input_bits)}, {run.get('hidden', 32)} GRU units "
            f"of {run.get('bits', FixedSpec.bits)}-bit states and "
            f"{run.get('weight_bits', FixedSpec.weight_bits)}-bit weights, "
            + (f"outputs {run['output_step_ns']:.4g} ns apart" if "output_step_ns" in run else
               "outputs a bin apart (measured before the output step: the same command now "
               "spaces them to span 6 x tau_max)")
            + f". Held-out decays of this instrument, {run['test_pixels']:,} per photon count, "
              f"every method given its IRF:\n\n"
            + _accuracy_table(run["accuracy"]))
    return "\n\n".join(parts)
