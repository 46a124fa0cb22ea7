"""``python -m rtl elaborate --out DIR``: :class:`rtl.multipixel.MultiPixelCore` as Verilog, and
a JSON file of its parameters; the core options as :func:`rtl.config.add_core_arguments`."""
import json
from pathlib import Path

from amaranth.back import verilog

from golden.pipeline import add_weights_argument, load_model
from golden.validate import InputError

from .config import SIMULATED, add_core_arguments, core_from_arguments
from .multipixel import MultiPixelCore


def add_arguments(p):
    p.add_argument("--out", type=Path, required=True, help="output directory")
    add_weights_argument(p)
    p.add_argument("--name", default="tauflow_core")
    add_core_arguments(p, SIMULATED)


def run(args):
    q = load_model(args.weights)
    try:
        config = core_from_arguments(args, SIMULATED)
        core = MultiPixelCore(qmodel=q, bins=q.meta["acquisition"]["bins"], config=config)
    except (OSError, ValueError) as err:
        raise InputError(str(err)) from None
    args.out.mkdir(parents=True, exist_ok=True)
    source = args.out / f"{args.name}.v"
    source.write_text(verilog.convert(core, name=args.name))
    (args.out / f"{args.name}.json").write_text(json.dumps({
        "module": args.name, "weights": str(args.weights), "bins": core.bins,
        **config.params(), "lanes": config.lanes, "matmul_multipliers": config.multipliers,
        "spec": q.spec.to_dict()}, indent=2) + "\n")
    print(f"wrote {source}")
    return 0
