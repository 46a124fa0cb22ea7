"""``python -m golden export``: weights, tables, spec and golden vectors for the RTL."""
from pathlib import Path

from .export import export
from .outputs import output_dir
from .pipeline import DEFAULT_WEIGHTS
from .quantize import load_quantized


def add_arguments(p):
    p.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    p.add_argument("--vectors", type=int, default=256, help="test-vector pixels")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--force", action="store_true")
    p.add_argument("--out", type=Path, required=True)


def run(args):
    q = load_quantized(args.weights)
    with output_dir(args.out, force=args.force) as tmp:
        export(q, tmp, vectors=args.vectors, seed=args.seed)
    print(f"exported {args.weights} and {args.vectors} golden vectors to {args.out}")
    return 0
