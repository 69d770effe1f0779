"""What a demo-city contribution receives: the size, seeded random sources, a fixed date,
a place to leave things for later steps, and a progress callback.

Every source of randomness is derived from the seed and the *step's name*, so a step's data
depend only on (size, seed, step) and on what earlier steps left in ``shared``: adding a
new module's step does not change the city the other steps build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from faker import Faker

# The synthetic city lives on a fixed date, never the wall clock, so that the same size and
# seed always give the same city.
AS_OF = dt.date(2026, 6, 30)


@dataclass(frozen=True)
class SizeParameters:
    """How big the city is. ``radius_km`` is the mean radius of the (irregular) boundary;
    ``officers`` counts sworn members currently employed (separated officers come on top)."""

    districts: int
    beats_per_district: int
    officers: int
    population: int
    radius_km: float


SIZES: dict[str, SizeParameters] = {
    # ``tiny`` is for the test suite only (not offered by ``peelian seed --help``).
    "tiny": SizeParameters(2, 2, 30, 40_000, 3.5),
    "small": SizeParameters(4, 4, 120, 150_000, 7.5),
    "city": SizeParameters(8, 6, 1_200, 700_000, 11.0),
    "large": SizeParameters(12, 8, 4_000, 2_500_000, 16.0),
}
PUBLIC_SIZES = ("small", "city", "large")

Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


def derived_int(*parts: object) -> int:
    """A 64-bit integer derived from the parts (stable across runs and platforms)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass
class DemoContext:
    """The state one seeding run passes to each contribution.

    ``rng``/``np_rng`` and the Faker instances are specific to the current step (see
    ``for_step``); ``shared`` is one dict for the whole run.
    """

    size: str
    seed: int
    step: str = ""
    shared: dict[str, Any] = field(default_factory=dict)
    progress: Progress = _no_progress
    as_of: dt.date = AS_OF

    def __post_init__(self) -> None:
        if self.size not in SIZES:
            raise ValueError(f"unknown size {self.size!r}: choose one of {', '.join(SIZES)}")
        self.rng = random.Random(derived_int("peelian-demo", self.seed, self.step))
        self.np_rng = np.random.default_rng(derived_int("peelian-demo-np", self.seed, self.step))

    def for_step(self, step: str, progress: Progress | None = None) -> DemoContext:
        """A context for one contribution: fresh random sources, the same ``shared``."""
        return DemoContext(
            size=self.size,
            seed=self.seed,
            step=step,
            shared=self.shared,
            progress=progress or _no_progress,
            as_of=self.as_of,
        )

    # -- size parameters ----------------------------------------------------------------
    @property
    def params(self) -> SizeParameters:
        return SIZES[self.size]

    @property
    def districts(self) -> int:
        return self.params.districts

    @property
    def beats_per_district(self) -> int:
        return self.params.beats_per_district

    @property
    def officers(self) -> int:
        return self.params.officers

    @property
    def population(self) -> int:
        return self.params.population

    # -- helpers ------------------------------------------------------------------------
    @cached_property
    def faker_en(self) -> Faker:
        fake = Faker("en_US")
        fake.seed_instance(derived_int("faker-en", self.seed, self.step))
        return fake

    @cached_property
    def faker_es(self) -> Faker:
        fake = Faker("es_MX")
        fake.seed_instance(derived_int("faker-es", self.seed, self.step))
        return fake

    def uuid(self) -> uuid.UUID:
        """A version-4 UUID drawn from the step's random source (so ids are reproducible)."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def advance(self, done: int, total: int) -> None:
        """Report progress within the step: ``done`` of ``total`` units of work."""
        self.progress(done, total)
