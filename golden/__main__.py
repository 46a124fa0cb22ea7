"""Command line: ``python -m golden COMMAND``. Each command lives in its own module with
``add_arguments(parser)`` and ``run(args) -> exit code``."""
import sys

from .commands import run_command

COMMANDS = {
    "simulate": ("golden.cli_simulate", "simulate decays or the phantom to .npz"),
    "map": ("golden.cli_map", "lifetime map of an .npz/.npy input or the phantom"),
    "dataset": ("golden.cli_dataset", "simulate a training or test set (.npz)"),
    "train": ("golden.cli_train", "train a model (optionally distilled from a teacher)"),
    "quantize": ("golden.cli_quantize", "post-training quantization of a float model"),
    "qat": ("golden.cli_qat", "quantization-aware fine-tuning, then export to integers"),
    "calibrate": ("golden.cli_calibrate", "an 8-bit model for a recording's instrument: its "
                                          "time axis and IRF"),
    "agree": ("golden.cli_agree", "a model's tau_m on a recording's bright pixels beside "
                                  "FLIMLib's reconvolution fit with the IRF"),
    "sweep": ("golden.cli_sweep", "accuracy vs bit width (PTQ) beside the shipped QAT model"),
    "export": ("golden.cli_export", "weights, tables, spec and golden vectors for the RTL"),
    "eval": ("golden.cli_eval", "compare teacher, Lite (float and integer), FLIMLib, phasor"),
    "report": ("golden.cli_report", "render BENCHMARKS.md from the sections in results/"),
    "speed": ("golden.cli_speed", "pixels/s of golden.intref (numpy) and golden.intref_fast "
                                  "(numba) on simulated decays"),
}


def main(argv=None):
    return run_command("python -m golden", __doc__, COMMANDS, argv)


if __name__ == "__main__":
    sys.exit(main())
