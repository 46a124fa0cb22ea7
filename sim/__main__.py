"""Command line: ``python -m sim COMMAND``. Each command lives in its own module with
``add_arguments(parser)`` and ``run(args) -> exit code``."""
import sys

from golden.commands import run_command

COMMANDS = {
    "cycles": ("sim.cli_cycles", "the one-pixel-at-a-time core's RTL cycles per pixel"),
    "validate": ("sim.cli_validate", "the discrete-event model against RTL simulation"),
    "resources": ("sim.cli_resources", "Yosys cell counts of multi-pixel configurations"),
    "run": ("sim.cli_run", "lifetime map of a recording or the phantom (golden or RTL-checked)"),
    "recordings": ("sim.cli_recordings", "every real recording of a folder mapped, into "
                                         "results/ (BENCHMARKS.md)"),
}


def main(argv=None):
    return run_command("python -m sim", __doc__, COMMANDS, argv)


if __name__ == "__main__":
    sys.exit(main())
