"""The real recordings made on real instruments by others (``../shared/data/flim/``, its README
says what each is): where they are, and the mark that skips a test when they are absent."""
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "flim"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"no real recordings here ({DATA} is "
                                                          f"absent)")
