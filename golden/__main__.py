"""Command line: ``python -m golden {simulate,dataset,train,quantize,eval,export,run}``."""
import argparse
import sys

from . import cli_train


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m golden", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    cli_train.add_parsers(sub)
    args = parser.parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
