"""``python -m golden qat``: quantization-aware fine-tuning, then export to integers."""
import time
from pathlib import Path

from .benchmarks import command_line
from .datasets import load_dataset
from .fixed import FixedSpec
from .models import load_weights
from .pipeline import DEFAULT_FLOAT
from .qat import FakeQuantSeq2Seq
from .quantize import quantize_model, quantized_meta, save_quantized
from .training import network_inputs, network_targets, train


def add_arguments(p):
    p.add_argument("--float", dest="float_path", type=Path, default=DEFAULT_FLOAT)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--limit", type=int)
    p.add_argument("--bits", type=int, default=8)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--max-minutes", type=float)
    p.add_argument("--out", type=Path, required=True)


def run(args):
    began = time.monotonic()
    model, _ = load_weights(args.float_path)
    data, acq = load_dataset(args.data)
    if args.limit:
        data = {k: v[:args.limit] for k, v in data.items()}
    x, valid = network_inputs(data["counts"])
    data = {k: v[valid] for k, v in data.items()}
    spec = FixedSpec(bits=args.bits, weight_bits=args.bits)
    history = train(FakeQuantSeq2Seq(model, spec), x[valid], network_targets(data, acq),
                    epochs=args.epochs, lr=args.lr, max_minutes=args.max_minutes,
                    checkpoint=args.out.with_suffix(".ckpt"))
    q = quantize_model(model, spec)
    q.meta = quantized_meta(acq.bins, acq.bin_width_ns, method="qat",
                            command=command_line("golden"), pixels=int(valid.sum()),
                            history=history, wall_seconds=round(time.monotonic() - began, 1))
    save_quantized(q, args.out)
    print(f"wrote {args.out} ({q.meta['wall_seconds']} s)")
    return 0
