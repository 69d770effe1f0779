"""A seeded synthetic city for the demo tests (the hidden ``tiny`` size unless a test needs
the figures of a bigger one)."""

from __future__ import annotations

from typing import Any

import pytest

from peelian.demo.services import SeedResult, city_seed


@pytest.fixture
def tiny_city(db: Any) -> SeedResult:
    return city_seed(size="tiny", seed=7)


@pytest.fixture
def small_city(db: Any) -> SeedResult:
    return city_seed(size="small", seed=7)
