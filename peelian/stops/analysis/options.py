"""What an analysis run is told: where, when, against which residents, and how hard to try."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from peelian.stops.analysis.schema import TESTS


@dataclass(frozen=True)
class AnalysisOptions:
    tests: tuple[str, ...] = TESTS
    # Where sun times are computed: the location's centre, or one point per district.
    lat: float | None = None
    lng: float | None = None
    tz: str | None = None  # IANA zone of the clock times in the data, e.g. "America/Los_Angeles"
    district_centroids: Mapping[str, tuple[float, float]] | None = None
    # Residents by race (the stop-rate benchmark) and where that count comes from.
    population: Mapping[str, float] | None = None
    population_source: str | None = None
    # Bounding box (min_lat, min_lng, max_lat, max_lng): coordinates outside are reported.
    bounds: tuple[float, float, float, float] | None = None
    # Veil of darkness.
    spline_df: int = 6
    district_effects: bool = False
    robustness: bool = True
    # Threshold test (NUTS).
    chains: int = 4
    warmup: int = 500
    draws: int = 500
    seed: int = 0
    extra: Mapping[str, object] = field(default_factory=dict)
