"""``python -m golden quantize``: post-training quantization of a float model."""
from pathlib import Path

from .benchmarks import command_line
from .fixed import FixedSpec
from .models import load_weights
from .pipeline import DEFAULT_FLOAT
from .quantize import quantize_model, quantized_meta, save_quantized


def add_arguments(p):
    p.add_argument("--float", dest="float_path", type=Path, default=DEFAULT_FLOAT)
    p.add_argument("--bits", type=int, default=8)
    p.add_argument("--out", type=Path, required=True, help="integer model (.npz)")


def run(args):
    model, meta = load_weights(args.float_path)
    q = quantize_model(model, FixedSpec(bits=args.bits, weight_bits=args.bits))
    q.meta = quantized_meta(method="ptq", command=command_line("golden"),
                            float_weights=str(args.float_path))
    save_quantized(q, args.out)
    print(f"wrote {args.out}")
    return 0
