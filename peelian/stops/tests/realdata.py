"""Where the real stop files live for tests, and a helper that skips when they are absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "real"


def real_file(*parts: str) -> Path:
    """Path to a real data file under ``REAL``; skips the test when it is absent."""
    path = REAL.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data absent: {path}")
    return path
