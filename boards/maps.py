"""Lifetime maps from a board's integer results: :func:`golden.pipeline.analyse`'s maps, with
the integer reference replaced by the board (through :meth:`boards.host.Host.process`)."""
from golden.pipeline import analyse

__all__ = ["board_maps", "CHUNK"]

CHUNK = 256
"""Pixels per :meth:`Host.process` call (the progress granularity)."""


def board_maps(counts, qmodel, process, *, progress=None):
    """Maps of ``counts`` ``(H, W, T)`` in :func:`golden.pipeline.analyse`'s format, from
    ``process(flat, first_tag=...)`` (``Host.process``: the results of
    :func:`golden.intref.run_counts` for ``(N, T)`` counts). ``progress(k)`` after each chunk."""
    return analyse(counts, qmodel, progress=progress, process=process, chunk=CHUNK)
