"""Command line: ``python -m rtl COMMAND``. Each command lives in its own module with
``add_arguments(parser)`` and ``run(args) -> exit code``."""
import sys

from golden.commands import run_command

COMMANDS = {
    "elaborate": ("rtl.cli_elaborate", "write the core as Verilog"),
}


def main(argv=None):
    return run_command("python -m rtl", __doc__, COMMANDS, argv)


if __name__ == "__main__":
    sys.exit(main())
