"""Small valid input files written at test time: ``.ptu`` through ptufile's own writer, ``.sdt``
crafted from the structures sdtfile reads (sdtfile cannot write), ``.tif`` and ``.npy``."""
import numpy as np
import ptufile
import tifffile
from sdtfile.sdtfile import BLOCK_HEADER, FILE_HEADER, MEASURE_INFO

__all__ = ["write_sdt", "write_ptu", "write_tif", "write_npy", "WRITERS"]

_SDT_INFO = b"*IDENTIFICATION\r\nID        : SPC Setup & Data File\r\n*END\r\n\r\n"
# MEASURE_INFO up to the scan size fields: sdtfile reads records truncated to the stated length
_MEASURE = np.dtype(MEASURE_INFO[:[name for name, _ in MEASURE_INFO].index("scan_ry") + 1])


def write_sdt(path, counts, bin_width_ns):
    """One uncompressed uint16 image block ``(H, W, T)``; the time axis is
    ``tac_r / (tac_g * adc_re)`` per bin with ``tac_g = 1``."""
    counts = np.asarray(counts, "<u2")
    height, width, bins = counts.shape
    header = np.zeros((), FILE_HEADER)
    measure = np.zeros((), _MEASURE)
    block = np.zeros((), BLOCK_HEADER)
    info_offs = header.itemsize
    meas_offs = info_offs + len(_SDT_INFO)
    block_offs = meas_offs + measure.itemsize
    data_offs = block_offs + block.itemsize
    header[()] = (0x28F, info_offs, len(_SDT_INFO), 0, 0, block_offs, 1, counts.nbytes,
                  meas_offs, 1, measure.itemsize, 0x5555, 0, 0, 0x55AA)
    for key, value in (("tac_r", bins * bin_width_ns * 1e-9), ("tac_g", 1), ("adc_re", bins),
                       ("scan_x", width), ("scan_y", height), ("scan_rx", 1), ("scan_ry", 1)):
        measure[key] = value
    block[()] = (0, 0, data_offs, data_offs + counts.nbytes, 0x61, 0, 0, counts.nbytes)
    path.write_bytes(b"".join([header.tobytes(), _SDT_INFO, measure.tobytes(), block.tobytes(),
                               counts.tobytes()]))


def write_ptu(path, counts, bin_width_ns):
    """A PicoHarp T3 image; the laser period is the histogram window."""
    counts = np.asarray(counts, np.uint16)
    window_s = counts.shape[-1] * bin_width_ns * 1e-9
    ptufile.imwrite(path, counts, window_s, bin_width_ns * 1e-9)


def write_tif(path, counts, bin_width_ns=None):
    tifffile.imwrite(path, np.asarray(counts, np.uint16), photometric="minisblack")


def write_npy(path, counts, bin_width_ns=None):
    np.save(path, np.asarray(counts, np.uint16))


WRITERS = {".sdt": write_sdt, ".ptu": write_ptu, ".tif": write_tif, ".npy": write_npy}
