"""``python -m golden train``: train the teacher or the Lite student (optionally distilled)."""
import time
from pathlib import Path

import numpy as np

from .benchmarks import command_line
from .datasets import load_dataset
from .models import build, load_weights, save_weights
from .training import network_inputs, network_targets, predict, train

__all__ = ["add_arguments", "run"]


def add_arguments(p):
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


def run(args):
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
    return 0
