"""``python -m golden simulate``: decays or the phantom, simulated, to ``.npz``."""
from pathlib import Path

import numpy as np

from .phantom import phantom
from .physics import IRF, Acquisition, simulate_counts
from .validate import InputError


def add_arguments(p):
    p.add_argument("--tau1", type=float, default=0.5)
    p.add_argument("--tau2", type=float, default=2.0)
    p.add_argument("--frac", type=float, default=0.5, help="amplitude fraction of tau1")
    p.add_argument("--photons", type=float, default=1000)
    p.add_argument("--n", type=int, default=1000, help="pixels (ignored with --phantom)")
    p.add_argument("--phantom", type=int, metavar="SIZE", help="simulate the SIZE x SIZE phantom")
    p.add_argument("--background", type=float, default=0.0, help="uniform share of photons")
    p.add_argument("--irf-fwhm", type=float, default=IRF.fwhm_ns)
    p.add_argument("--irf-offset", type=float, default=IRF.offset_ns)
    p.add_argument("--irf-tail", type=float, default=IRF.tail_ns)
    p.add_argument("--bins", type=int, default=Acquisition.bins)
    p.add_argument("--bin-width-ns", type=float, default=Acquisition.bin_width_ns)
    p.add_argument("--period-ns", type=float, default=Acquisition.period_ns)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, required=True, help=".npz with counts and ground truth")


def run(args):
    try:
        acq = Acquisition(args.bins, args.bin_width_ns, args.period_ns)
    except ValueError as err:
        raise InputError(str(err)) from None
    irf = IRF(args.irf_fwhm, args.irf_offset, args.irf_tail)
    if not 0 <= args.frac <= 1 or min(args.tau1, args.tau2) <= 0 or args.photons < 0:
        raise InputError("need tau1, tau2 > 0, 0 <= frac <= 1 and photons >= 0")
    if args.phantom:
        data = phantom(args.phantom, photons=args.photons, acq=acq, irf=irf, seed=args.seed)
    else:
        counts = simulate_counts(args.tau1, args.tau2, args.frac, np.full(args.n, args.photons),
                                 acq=acq, irf=irf, background=args.background,
                                 rng=np.random.default_rng(args.seed))
        data = {"counts": counts, "tau1": np.full(args.n, args.tau1),
                "tau2": np.full(args.n, args.tau2), "frac": np.full(args.n, args.frac)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, bin_width_ns=acq.bin_width_ns, **data)
    print(f"wrote {data['counts'].shape} counts to {args.out}")
    return 0
