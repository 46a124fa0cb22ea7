"""``python -m sim recordings [--data DIR]``: every real recording in ``DIR`` (by default
``../shared/data/flim``) mapped as ``python -m sim run`` maps it with its defaults (integer
reference), its median tau_m and throughput into BENCHMARKS.md; files that cannot be mapped are
listed with the one-line reason ``sim run`` gives."""
import argparse
import time
from pathlib import Path

import numpy as np

from golden.benchmarks import command_line, table, update_section
from golden.physics import Acquisition
from golden.pipeline import load_default, withhold_dim
from golden.validate import InputError

from .readers import add_input_arguments, read_for_model
from .run import run_golden

#: The tau_m medians reported: over every pixel with a lifetime, and over bright ones.
BRIGHT_PHOTONS = 200


def add_arguments(p):
    p.add_argument("--data", default="../shared/data/flim", help="folder of recordings")
    p.add_argument("--no-benchmarks", action="store_true", help="print only")


def _defaults(path):
    """``sim run``'s input arguments with their defaults for ``path``."""
    parser = argparse.ArgumentParser()
    add_input_arguments(parser)
    return parser.parse_args([str(path)])


def _median(values):
    values = values[np.isfinite(values)]
    return round(float(np.median(values)), 3) if values.size else None


def _map(path, qmodel, acq):
    """One recording through ``sim run``'s golden path: its row of the table."""
    args = _defaults(path)
    prepared = read_for_model(args, acq)
    maps, seconds = run_golden(prepared.counts, qmodel)
    maps = withhold_dim(maps, args.min_photons)
    layout = prepared.recording.layout
    bright = maps["photons"] >= BRIGHT_PHOTONS
    return [path.name, f"{layout.bins} x {layout.bin_width_ns:.4g} ns",
            "x".join(map(str, prepared.counts.shape[:-1])), round(prepared.shift_ns, 2),
            int(maps["valid"].sum()), _median(maps["tau_m"]),
            _median(maps["tau_m"][bright]), int(bright.sum()),
            round(prepared.counts[..., 0].size / seconds)]


def run(args):
    folder = Path(args.data)
    if not folder.is_dir():
        raise InputError(f"no recordings at {folder}: pass --data DIR")
    qmodel = load_default()
    acq = Acquisition(**qmodel.meta["acquisition"])
    rows, refused = [], []
    began = time.perf_counter()
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in (".sdt", ".ptu",
                                                                             ".ht3")):
        try:
            rows.append(_map(path, qmodel, acq))
            print(f"{path.name}: median tau_m {rows[-1][5]} ns")
        except InputError as err:
            refused.append([path.name, str(err)])
            print(f"{path.name}: refused: {err}")
    if not args.no_benchmarks:
        body = (f"Every recording of `{folder}` (made on real instruments by others; its "
                f"README says what each is) mapped with `python -m sim run FILE`'s defaults: "
                f"the shipped 8-bit Lite on the integer reference, pixels with fewer than "
                f"{_defaults('x').min_photons} photons get no lifetime. Pixels/s is the "
                f"integer reference's alone. {time.perf_counter() - began:.0f} s in all.\n\n"
                + table(["file", "bins", "mapped", "shift (ns)", "pixels with a lifetime",
                         "median tau_m (ns)", f"median tau_m, >= {BRIGHT_PHOTONS} photons",
                         f"pixels >= {BRIGHT_PHOTONS} photons", "pixels/s"], rows)
                + "\n\nRefused, as `sim run` refuses them:\n\n"
                + table(["file", "reason"], refused))
        update_section("real-recordings", "Real recordings", body, command_line("sim"))
    return 0
