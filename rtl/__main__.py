"""Command line: ``python -m rtl elaborate --out DIR``: the core as Verilog."""
import argparse
import json
import sys
from pathlib import Path

from amaranth.back import verilog

from golden.pipeline import DEFAULT_WEIGHTS
from golden.quantize import load_quantized

from .core import Seq2SeqCore


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rtl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("elaborate", help="write the Seq2SeqLite core as Verilog")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    p.add_argument("--multipliers", type=int, default=8)
    p.add_argument("--name", default="tauflow_core")
    args = parser.parse_args(argv)
    try:
        q = load_quantized(args.weights)
        core = Seq2SeqCore(qmodel=q, bins=q.meta["acquisition"]["bins"],
                           multipliers=args.multipliers)
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    source = args.out / f"{args.name}.v"
    source.write_text(verilog.convert(core, name=args.name))
    (args.out / f"{args.name}.json").write_text(json.dumps({
        "module": args.name, "weights": str(args.weights), "bins": core.bins,
        "multipliers": core.multipliers, "spec": q.spec.to_dict()}, indent=2) + "\n")
    print(f"wrote {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
