"""``python -m rtl elaborate --out DIR``: :class:`rtl.multipixel.MultiPixelCore` with
``--rows/--batch/--slots [--gate-luts]`` as Verilog, and a JSON file of its parameters."""
import json
from pathlib import Path

from amaranth.back import verilog

from golden.pipeline import DEFAULT_WEIGHTS
from golden.quantize import load_quantized
from golden.validate import InputError

from .multipixel import MultiPixelCore


def add_arguments(p):
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    p.add_argument("--rows", type=int, default=32)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--slots", type=int, default=2)
    p.add_argument("--gate-luts", action="store_true")
    p.add_argument("--name", default="tauflow_core")


def run(args):
    try:
        q = load_quantized(args.weights)
        core = MultiPixelCore(qmodel=q, bins=q.meta["acquisition"]["bins"], rows=args.rows,
                              batch=args.batch, slots=args.slots, gate_luts=args.gate_luts)
    except (OSError, ValueError) as err:
        raise InputError(str(err)) from None
    args.out.mkdir(parents=True, exist_ok=True)
    source = args.out / f"{args.name}.v"
    source.write_text(verilog.convert(core, name=args.name))
    (args.out / f"{args.name}.json").write_text(json.dumps({
        "module": args.name, "weights": str(args.weights), "bins": core.bins,
        "rows": core.rows, "batch": core.batch, "slots": core.slots,
        "gate_luts": core.gate_luts, "lanes": core.lanes,
        "matmul_multipliers": core.multipliers, "spec": q.spec.to_dict()}, indent=2) + "\n")
    print(f"wrote {source}")
    return 0
