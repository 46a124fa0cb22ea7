"""`python -m golden dataset` and `python -m golden train`: make data, train teacher or student."""
import time
from pathlib import Path

import numpy as np

from .benchmarks import command_line
from .datasets import TEST_RANGE, TRAIN_RANGE, load_dataset, make_dataset, save_dataset
from .models import build, load_weights, save_weights
from .progress import progress_bar
from .training import network_inputs, network_targets, predict, train

__all__ = ["add_parsers"]


def add_parsers(sub):
    p = sub.add_parser("dataset", help="simulate a training or test set (.npz)")
    p.add_argument("--n", type=int, required=True, help="number of pixels")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--test", action="store_true", help="test range: 100 .. 10^4 photons")
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_dataset)

    p = sub.add_parser("train", help="train a model (optionally distilled from a teacher)")
    p.add_argument("--model", choices=["teacher", "lite"], required=True)
    p.add_argument("--data", type=Path, required=True, help="dataset from `golden dataset`")
    p.add_argument("--limit", type=int, help="use only the first N pixels")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--teacher", type=Path, help="teacher weights for knowledge distillation")
    p.add_argument("--kd-alpha", type=float, default=0.5)
    p.add_argument("--init", type=Path, help="start from these weights")
    p.add_argument("--max-minutes", type=float)
    p.add_argument("--checkpoint", type=Path, help="resumable checkpoint (default OUT.ckpt)")
    p.add_argument("--out", type=Path, required=True, help="weights file (.pt)")
    p.set_defaults(func=cmd_train)


def cmd_dataset(args):
    prange = TEST_RANGE if args.test else TRAIN_RANGE
    with progress_bar() as bar:
        task = bar.add_task("simulating", total=args.n, status="")
        data = make_dataset(args.n, seed=args.seed, prange=prange,
                            progress=lambda k: bar.update(task, advance=k))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_dataset(args.out, data)
    print(f"wrote {args.n} pixels to {args.out}")


def cmd_train(args):
    began = time.monotonic()
    data, acq = load_dataset(args.data)
    if args.limit:
        data = {k: v[:args.limit] for k, v in data.items()}
    x, valid = network_inputs(data["counts"])
    data = {k: v[valid] for k, v in data.items()}
    x, y = x[valid], network_targets(data, acq)
    model = build(args.model)
    init_meta = None
    if args.init:
        init_model, init_meta = load_weights(args.init)
        model.load_state_dict(init_model.state_dict())
    teacher_y = None
    if args.teacher:
        teacher, _ = load_weights(args.teacher)
        teacher_y = np.concatenate([predict(teacher, x[i:i + 4096])
                                    for i in range(0, len(x), 4096)])
    checkpoint = args.checkpoint or args.out.with_suffix(".ckpt")
    history = train(model, x, y, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                    seed=args.seed, checkpoint=checkpoint, teacher_y=teacher_y,
                    kd_alpha=args.kd_alpha, max_minutes=args.max_minutes)
    meta = {"command": command_line("golden"),
            "pixels": int(len(x)), "history": history,
            "wall_seconds": round(time.monotonic() - began, 1), "init": init_meta}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_weights(model, args.out, meta)
    print(f"wrote {args.out} ({meta['wall_seconds']} s)")
