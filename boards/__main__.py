"""Command line: ``python -m boards COMMAND``. Each command lives in its own module with
``add_arguments(parser)`` and ``run(args) -> exit code``; bad input exits 2, a failed build,
flash or link 1, each with a one-line ``error: ...``."""
import sys

from golden.commands import run_command

from .build import BuildError
from .flash import FlashError
from .host import LinkError

COMMANDS = {
    "build": ("boards.cli_build", "bitstream, resources, Fmax and pixels/s of a board"),
    "flash": ("boards.cli_flash", "load a bitstream into the board's FPGA (SRAM)"),
    "run": ("boards.cli_run", "lifetime map of a recording, computed on the board"),
    "live": ("boards.cli_live", "live lifetime frames of the board's on-chip photon source"),
    "path": ("boards.cli_path", "photon path: board top in RTL simulation vs the discrete-event model"),
    "pins": ("boards.cli_pins", "event pins: board top in RTL simulation vs the "
                                "discrete-event model, events lost"),
    "explore": ("boards.cli_explore", "best multi-pixel configuration for a board (sim.des)"),
    "bench": ("boards.cli_bench", "benchmark suite: estimators, accuracy vs photons, boards"),
}


def main(argv=None):
    return run_command("python -m boards", __doc__, COMMANDS, argv,
                       failures=(BuildError, FlashError, LinkError))


if __name__ == "__main__":
    sys.exit(main())
