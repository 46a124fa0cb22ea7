"""``python -m boards run BOARD INPUT --port PORT --out DIR [--events]``: the lifetime map of a
recording (the inputs of ``python -m sim run``), every pixel computed on the board over its UART;
the same outputs as ``python -m sim run``. The host sends each pixel's histogram; or, with
``--events``, a T3 ``.ptu``'s photons, one event each, into the board's histogrammer
(``boards/PHOTONS.md``), so that only photons go in and only results come out: the map is
``sim run``'s, bit for bit (``sim run`` bins the photons as the board does)."""
import json
import time

import numpy as np
import serial

from golden.commands import positive_int
from golden.outputs import add_output_arguments, output_dir, write_outputs
from golden.datasets import Instrument
from golden.pipeline import add_weights_argument, load_model, withhold_dim
from golden.progress import progress_bar
from golden.validate import InputError
from golden.readers import add_input_arguments, read_for_model
from sim.run import summary

from .host import Host
from .maps import board_maps, check_replay_board, replay_events, replay_maps
from .platforms import BOARDS, board_named

__all__ = ["add_arguments", "run", "open_port", "READ_TIMEOUT"]

READ_TIMEOUT = 1.0
"""Seconds a read waits; a pixel without a RESULT by then is resent (``boards.host``)."""


def open_port(name, baud):
    """The board's serial port; :class:`InputError` if it cannot be opened."""
    try:
        return serial.Serial(name, baudrate=baud, timeout=READ_TIMEOUT)
    except (serial.SerialException, ValueError) as err:
        raise InputError(f"cannot open serial port {name}: {err}") from None


def add_arguments(p):
    p.add_argument("board", choices=sorted(BOARDS))
    add_input_arguments(p)
    add_output_arguments(p)
    add_weights_argument(p)
    p.add_argument("--port", help="the board's serial device, e.g. /dev/ttyUSB0")
    p.add_argument("--baud", type=positive_int,
                   help="the rate the bitstream was built for (its report.json's baud; "
                        "default: the board's default build's)")
    p.add_argument("--events", action="store_true",
                   help="replay a T3 .ptu's photons into the board's histogrammer instead of "
                        "sending histograms (a board with a photon path)")


def _check_replay(args, board):
    """``--events`` needs a board with a photon path whose TDC codes are ``sim run``'s, and
    each pixel's own photons."""
    try:
        check_replay_board(board)
    except InputError as err:
        raise InputError(f"--events: {err}") from None
    if args.bin:
        raise InputError("--events sends each pixel its own photons: --bin needs the "
                         "histogram link")


def run(args):
    if not args.port:
        raise InputError("--port is required: the board's serial device, e.g. /dev/ttyUSB0")
    qmodel = load_model(args.weights)
    instrument = Instrument.of(qmodel)
    board = board_named(args.board)
    if args.events:
        _check_replay(args, board)
    prepared = read_for_model(args, instrument)
    if args.events:
        events = replay_events(prepared, board.photons.bin_table(qmodel, instrument.acq.bins))
    rec, counts = prepared.recording, prepared.counts
    rate = args.baud or board.bauds[0]
    port = open_port(args.port, rate)
    try:
        host = Host(port, bins=instrument.acq.bins)
        status = host.ping()
        with output_dir(args.out, force=args.force) as tmp:
            began = time.perf_counter()
            with progress_bar() as bar:
                if args.events:
                    task = bar.add_task(f"photons to {args.board} over {args.port}",
                                        total=len(events[0]), status="")
                    maps = replay_maps(prepared, qmodel, host, events,
                                       progress=lambda k: bar.update(task, advance=k))
                else:
                    task = bar.add_task(f"{args.board} over {args.port}",
                                        total=int(np.prod(counts.shape[:-1])), status="")
                    maps = board_maps(counts, qmodel, host.process,
                                      progress=lambda k: bar.update(task, advance=k))
            seconds = time.perf_counter() - began
            maps = withhold_dim(maps, args.min_photons)
            report = {"backend": "board", "board": args.board, "port": args.port,
                      "baud": rate,
                      "board_status": {k: int(v) for k, v in status.items()},
                      "map_by": f"the {args.board} over its UART (boards.host.Host)"
                                + (", from the photons replayed into its histogrammer"
                                   if args.events else ""),
                      **summary(args.input, prepared, maps, seconds,
                                min_photons=args.min_photons),
                      "seconds": round(seconds, 2), "link_errors": len(host.errors),
                      "command": args.invocation}
            write_outputs(tmp, maps, report, phasors=prepared.phasors, truth=rec.tau_m,
                          intensity_weighted=args.intensity_weighted,
                          colour_range=args.tau_range)
    finally:
        port.close()
    print(json.dumps(report, indent=2))
    print(f"outputs in {args.out}: lifetimes.tif, tau_m.png, phasor.png, report.json")
    return 0

