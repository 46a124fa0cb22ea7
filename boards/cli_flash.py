"""``python -m boards flash BOARD [--bitstream PATH]``: load a built bitstream into the FPGA."""
from .build import BITSTREAM
from .flash import flash
from .platforms import BOARDS, board_named

__all__ = ["add_arguments", "run", "DEFAULT_DIR"]

DEFAULT_DIR = "build_{board}"
"""Where ``--bitstream`` is looked for by default (the ``--out`` of a build)."""


def add_arguments(p):
    p.add_argument("board", choices=sorted(BOARDS))
    p.add_argument("--bitstream", help=f"default: {DEFAULT_DIR}/top.bin (iCE40) or "
                                       f"top.bit (ECP5)")


def run(args):
    board = board_named(args.board)
    path = args.bitstream or f"{DEFAULT_DIR.format(board=board.name)}/{BITSTREAM[board.family]}"
    flash(board, path)
    print(f"loaded {path} into the {board.name}")
    return 0
