"""``python -m sim resources``: synthesise multi-pixel configurations with Yosys (YoWASP) and
store their cell counts in ``sim/resources.json``, the data the explorer's resource model is
fitted to."""
import json

from golden.pipeline import load_default
from golden.progress import progress_bar
from rtl.config import CoreConfig
from rtl.multipixel import MultiPixelCore
from rtl.synth import FAMILIES, cell_counts

from .cli_validate import config_arg
from .explore import RESOURCES

DEFAULT_CONFIGS = ("4,1,2", "8,1,2", "16,2,2", "32,2,3", "32,4,2")


def add_arguments(p):
    p.add_argument("--family", nargs="+", choices=sorted(FAMILIES), default=sorted(FAMILIES))
    p.add_argument("--configs", nargs="+", type=config_arg, metavar="ROWS,BATCH,SLOTS",
                   default=[config_arg(c) for c in DEFAULT_CONFIGS])
    p.add_argument("--gate-luts", action="store_true",
                   help="gate and head multipliers from LUTs (CoreConfig(gate_luts=True))")
    p.add_argument("--gate-dsps", type=int, default=0, metavar="K",
                   help="with --gate-luts: this many of the widest gate products on DSPs")
    p.add_argument("--lut-multipliers", type=int, default=0, metavar="N",
                   help="this many of each configuration's matmul products from LUTs "
                        "(CoreConfig(matmul_dsps=rows*batch-N))")


def run(args):
    q = load_default()
    bins = q.meta["acquisition"]["bins"]
    reports = json.loads(RESOURCES.read_text()) if RESOURCES.exists() else []
    jobs = [(f, c) for f in args.family for c in args.configs]
    with progress_bar() as bar:
        task = bar.add_task("Yosys synthesis", total=len(jobs), status="")
        for family, (rows, batch, slots) in jobs:
            bar.update(task, status=f"{family} rows={rows} batch={batch} slots={slots}")
            # built for the family, as a board build builds it (its multiplier instances)
            config = CoreConfig(rows=rows, batch=batch, slots=slots, gate_luts=args.gate_luts,
                                gate_dsps=args.gate_dsps, family=family,
                                matmul_dsps=rows * batch - args.lut_multipliers)
            core = MultiPixelCore(qmodel=q, bins=bins, config=config)
            entry = {"family": family, "rows": rows, "batch": batch, "slots": slots,
                     "bins": bins, "gate_luts": args.gate_luts, "gate_dsps": args.gate_dsps,
                     "lut_multipliers": args.lut_multipliers}
            # reports from before gate_dsps and lut_multipliers existed have none
            reports = [r for r in reports if {k: r.get(k, 0) for k in entry} != entry]
            reports.append({**entry, "cells": cell_counts(core, family)})
            RESOURCES.write_text(json.dumps(reports, indent=1) + "\n")
            bar.advance(task)
    print(f"wrote {RESOURCES}")
    return 0
