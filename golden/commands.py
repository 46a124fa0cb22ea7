"""Sub-command dispatch for the ``python -m PACKAGE COMMAND`` entry points: each command lives
in its own module with ``add_arguments(parser)`` and ``run(args) -> exit code``."""
import argparse
import importlib
import shlex
import sys

from .validate import InputError

__all__ = ["run_command", "positive_int", "positive_float"]


def run_command(prog, description, commands, argv=None, failures=()):
    """Parse ``argv`` against ``commands`` (``{name: (module, help)}``) and run the chosen one.

    ``args.invocation`` is the command as typed (``prog`` and the arguments). Bad input (:class:`~golden.validate.InputError`) exits 2 and an exception of a type in
    ``failures`` exits 1, each with a one-line ``error: ...`` on stderr.
    """
    parser = argparse.ArgumentParser(prog=prog, description=description)
    sub = parser.add_subparsers(dest="command", required=True)
    argv = sys.argv[1:] if argv is None else list(argv)
    chosen = argv[0] if argv and argv[0] in commands else None
    modules = {}
    for name, (module, help_text) in commands.items():
        sub_parser = sub.add_parser(name, help=help_text)
        if name == chosen:          # only the command that runs is imported (torch, amaranth)
            modules[name] = importlib.import_module(module)
            modules[name].add_arguments(sub_parser)
    args = parser.parse_args(argv)
    args.invocation = f"{prog} " + shlex.join(argv)
    try:
        return modules[args.command].run(args)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except failures as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


def positive_int(text):
    """argparse ``type``: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def positive_float(text):
    """argparse ``type``: a number above 0."""
    value = float(text)
    if not value > 0:
        raise ValueError(text)
    return value
