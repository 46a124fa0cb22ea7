"""Command line: ``python -m rtl elaborate --out DIR``: :class:`rtl.multipixel.MultiPixelCore`
with ``--rows/--batch/--slots [--gate-luts]`` as Verilog."""
import argparse
import json
import sys
from pathlib import Path

from amaranth.back import verilog

from golden.pipeline import DEFAULT_WEIGHTS
from golden.quantize import load_quantized

from .multipixel import MultiPixelCore


def _build(args, q):
    bins = q.meta["acquisition"]["bins"]
    core = MultiPixelCore(qmodel=q, bins=bins, rows=args.rows, batch=args.batch,
                          slots=args.slots, gate_luts=args.gate_luts)
    return core, {"rows": core.rows, "batch": core.batch, "slots": core.slots,
                  "gate_luts": core.gate_luts, "lanes": core.lanes,
                  "matmul_multipliers": core.multipliers}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rtl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("elaborate", help="write a Seq2SeqLite core as Verilog")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    p.add_argument("--rows", type=int, default=32)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--slots", type=int, default=2)
    p.add_argument("--gate-luts", action="store_true")
    p.add_argument("--name", default="tauflow_core")
    args = parser.parse_args(argv)
    try:
        q = load_quantized(args.weights)
        core, params = _build(args, q)
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    source = args.out / f"{args.name}.v"
    source.write_text(verilog.convert(core, name=args.name))
    (args.out / f"{args.name}.json").write_text(json.dumps({
        "module": args.name, "weights": str(args.weights), "bins": core.bins,
        **params, "spec": q.spec.to_dict()}, indent=2) + "\n")
    print(f"wrote {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
