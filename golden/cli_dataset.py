"""``python -m golden dataset``: a simulated training or test set (``.npz``)."""
from pathlib import Path

from .datasets import TEST_RANGE, TRAIN_RANGE, make_dataset, save_dataset
from .progress import progress_bar


def add_arguments(p):
    p.add_argument("--n", type=int, required=True, help="number of pixels")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--test", action="store_true", help="test range: 100 .. 10^4 photons")
    p.add_argument("--out", type=Path, required=True)


def run(args):
    prange = TEST_RANGE if args.test else TRAIN_RANGE
    with progress_bar() as bar:
        task = bar.add_task("simulating", total=args.n, status="")
        data = make_dataset(args.n, seed=args.seed, prange=prange,
                            progress=lambda k: bar.update(task, advance=k))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_dataset(args.out, data)
    print(f"wrote {args.n} pixels to {args.out}")
    return 0
