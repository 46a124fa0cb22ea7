"""``python -m golden report``: BENCHMARKS.md rendered from the measured sections in
``results/`` (each measuring command records its own there)."""
from .benchmarks import BENCHMARKS, RESULTS, render


def add_arguments(p):
    p.add_argument("--results", default=str(RESULTS), help="folder of recorded sections")
    p.add_argument("--out", default=str(BENCHMARKS), help="the Markdown file written")


def run(args):
    render(args.results, args.out)
    print(f"wrote {args.out} from {args.results}")
    return 0
