"""Command line: ``python -m golden {simulate,map,dataset,train,quantize,qat,sweep,export,eval}``."""
import argparse
import sys

from . import cli_eval, cli_map, cli_quant, cli_speed, cli_train
from .validate import InputError


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m golden", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (cli_map, cli_train, cli_quant, cli_eval, cli_speed):
        module.add_parsers(sub)
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
