"""Command line: ``python -m sim COMMAND``. Each command lives in its own module with
``add_arguments(parser)`` and ``run(args) -> exit code``."""
import argparse
import importlib
import sys

from golden.validate import InputError

COMMANDS = {
    "cycles": ("sim.cli_cycles", "measure the single-pixel core's cycles per pixel"),
    "validate": ("sim.cli_validate", "the discrete-event model against RTL simulation"),
    "resources": ("sim.cli_resources", "Yosys cell counts of multi-pixel configurations"),
    "explore": ("sim.cli_explore", "best multi-pixel configuration for a board"),
    "run": ("sim.cli_run", "lifetime map of a recording or the phantom (golden or RTL-checked)"),
}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sim", description=__doc__)
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


if __name__ == "__main__":
    sys.exit(main())
