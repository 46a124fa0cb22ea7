"""Command line: ``python -m boards COMMAND``. Each command lives in its own module with
``add_arguments(parser)`` and ``run(args) -> exit code``; bad input exits 2, a failed build,
flash or link 1, each with a one-line ``error: ...``."""
import argparse
import importlib
import sys

from golden.validate import InputError

from .build import BuildError
from .flash import FlashError
from .host import LinkError

COMMANDS = {
    "build": ("boards.cli_build", "bitstream, resources, Fmax and pixels/s of a board"),
    "flash": ("boards.cli_flash", "load a bitstream into the board's FPGA (SRAM)"),
    "run": ("boards.cli_run", "lifetime map of a recording, computed on the board"),
}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m boards", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name, (module, help_text) in COMMANDS.items():
        modules[name] = importlib.import_module(module)
        modules[name].add_arguments(sub.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    try:
        return modules[args.command].run(args)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (BuildError, FlashError, LinkError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
