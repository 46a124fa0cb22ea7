"""``python -m sim recordings [--data DIR]``: every real recording in ``DIR`` (by default
``../shared/data/flim``) mapped as ``python -m sim run`` maps it with its defaults (integer
reference), its median tau_m and throughput into results/ (BENCHMARKS.md's source); files that cannot be mapped are
listed with the one-line reason ``sim run`` gives. Then a large T3 image (``--large-side``
square, 256 bins), simulated and written by ptufile, is timed through ``sim run`` end to end."""
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import ptufile

from golden.benchmarks import command_line, table, update_section
from golden.commands import positive_int
from golden.physics import Acquisition, expected_tpsf
from golden.datasets import Instrument
from golden.pipeline import load_default, withhold_dim
from golden.validate import InputError

from golden.readers import input_arguments, read_for_model
from .run import run_golden

#: The tau_m medians reported: over every pixel with a lifetime, and over bright ones.
BRIGHT_PHOTONS = 200


def add_arguments(p):
    p.add_argument("--data", default="../shared/data/flim", help="folder of recordings")
    p.add_argument("--large-side", type=positive_int, default=512,
                   help="side of the large simulated image timed end to end (default 512)")
    p.add_argument("--no-benchmarks", action="store_true", help="print only")


def _median(values):
    values = values[np.isfinite(values)]
    return round(float(np.median(values)), 3) if values.size else None


def _map(path, qmodel):
    """One recording through ``sim run``'s golden path: its row of the table."""
    args = input_arguments(path)
    prepared = read_for_model(args, Instrument.of(qmodel))
    maps, seconds = run_golden(prepared.counts, qmodel)
    maps = withhold_dim(maps, args.min_photons)
    layout = prepared.recording.layout
    bright = maps["photons"] >= BRIGHT_PHOTONS
    return {"file": path.name, "bins": layout.bins, "bin_width_ns": layout.bin_width_ns,
            "shape": list(prepared.counts.shape[:-1]), "shift_ns": round(prepared.shift_ns, 2),
            "with_lifetime": int(maps["valid"].sum()), "median_tau_m_ns": _median(maps["tau_m"]),
            "median_tau_m_bright_ns": _median(maps["tau_m"][bright]),
            "bright": int(bright.sum()),
            "pixels_per_s": round(prepared.counts[..., 0].size / seconds)}


#: The large image's time axis: 256 bins over an 80 MHz laser period, as a B&H SPC-150 records.
LARGE = Acquisition(bins=256, bin_width_ns=12.5 / 256, period_ns=12.5)


def _write_large(path, side, seed=0):
    """A ``side`` x ``side`` x 256 PicoHarp T3 image by ``ptufile.imwrite``: bi-exponential
    decays (1,024 shapes, tau 0.3-1 and 1.5-3 ns) at 50-300 photons; returns its photons."""
    rng = np.random.default_rng(seed)
    shapes = expected_tpsf(rng.uniform(0.3, 1.0, 1024), rng.uniform(1.5, 3.0, 1024),
                           rng.random(1024), acq=LARGE)
    counts = np.empty((side * side, LARGE.bins), np.uint16)
    for lo in range(0, len(counts), 16384):
        rows = counts[lo:lo + 16384]
        rate = shapes[rng.integers(len(shapes), size=len(rows))]
        rows[:] = rng.poisson(rate * rng.uniform(50, 300, (len(rows), 1)))
    ptufile.imwrite(path, counts.reshape(side, side, LARGE.bins), LARGE.period_ns * 1e-9,
                    LARGE.bin_width_ns * 1e-9)
    return int(counts.sum(dtype=np.int64))


def _time_large(side):
    """``sim run`` of a :func:`_write_large` image in a fresh process (imports, reading,
    putting on the model's axis, mapping, outputs): its size, photons, file size, wall time and pixels/s."""
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / f"simulated_{side}x{side}.ptu", Path(tmp) / "out"
        photons = _write_large(path, side)
        size_mb = path.stat().st_size / 1e6
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sim", "run", str(path), "--out", str(out)],
                       check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - began
        report = json.loads((out / "report.json").read_text())
    return {"side": side, "bins": LARGE.bins, "photons": photons, "file_mb": round(size_mb),
            "wall_s": round(wall, 1), "pixels_per_s": report["pixels_per_s"]}


def run(args):
    folder = Path(args.data)
    if not folder.is_dir():
        raise InputError(f"no recordings at {folder}: pass --data DIR")
    qmodel = load_default()
    mapped, refused = [], []
    began = time.perf_counter()
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in (".sdt", ".ptu",
                                                                             ".ht3")):
        try:
            mapped.append(_map(path, qmodel))
            print(f"{path.name}: median tau_m {mapped[-1]['median_tau_m_ns']} ns")
        except InputError as err:
            refused.append({"file": path.name, "reason": str(err)})
            print(f"{path.name}: refused: {err}")
    seconds = round(time.perf_counter() - began)
    large = _time_large(args.large_side)
    print(f"{large['side']} x {large['side']} x {large['bins']} simulated T3 image: "
          f"{large['wall_s']} s through sim run")
    if not args.no_benchmarks:
        data = {"folder": str(folder), "min_photons": input_arguments("x").min_photons,
                "bright_photons": BRIGHT_PHOTONS, "seconds": seconds, "mapped": mapped,
                "refused": refused, "large": large}
        update_section("real-recordings", "Real recordings", command_line("sim"), data,
                       renderer=__name__)
    return 0


def section_body(data):
    """The real-recordings section's Markdown, from each recording's figures."""
    bright = data["bright_photons"]
    rows = [[r["file"], f"{r['bins']} x {r['bin_width_ns']:.4g} ns",
             "x".join(map(str, r["shape"])), r["shift_ns"], r["with_lifetime"],
             r["median_tau_m_ns"], r["median_tau_m_bright_ns"], r["bright"], r["pixels_per_s"]]
            for r in data["mapped"]]
    large = data["large"]
    return (f"Every recording of `{data['folder']}` (made on real instruments by others; its "
            f"README says what each is) mapped with `python -m sim run FILE`'s defaults: the "
            f"shipped 8-bit Lite on the integer reference, pixels with fewer than "
            f"{data['min_photons']} photons get no lifetime; histograms are resampled onto "
            f"the model's axis, T3 `.ptu` photons binned one by one as the board's "
            f"histogrammer bins them. Pixels/s is the integer "
            f"reference's alone. {data['seconds']} s in all.\n\n"
            + table(["file", "bins", "mapped", "shift (ns)", "pixels with a lifetime",
                     "median tau_m (ns)", f"median tau_m, >= {bright} photons",
                     f"pixels >= {bright} photons", "pixels/s"], rows)
            + "\n\nRefused, as `sim run` refuses them:\n\n"
            + table(["file", "reason"], [[r["file"], r["reason"]] for r in data["refused"]])
            + "\n\nA large image: simulated bi-exponential decays (50-300 photons per pixel) "
              "written as a PicoHarp T3 image by `ptufile.imwrite`, then `python -m sim run "
              "FILE --out DIR` in a fresh process, timed from start to exit (imports, "
              "reading, putting on the model's axis, mapping, outputs); the issue's target for 512 x 512 x 256 "
              "is under 20 s:\n\n"
            + table(["image", "photons", "file (MB)", "sim run, wall (s)",
                     "pixels/s (mapping alone)"],
                    [[f"{large['side']} x {large['side']} x {large['bins']}",
                      f"{large['photons']:,}", large["file_mb"], large["wall_s"],
                      large["pixels_per_s"]]]))
