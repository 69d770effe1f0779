"""Fixtures for the public site's tests: a registry holding only throwaway registrations, so
the tests do not depend on what other apps register."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from peelian.core.registry import (
    Dataset,
    DatasetField,
    PublicPage,
    Registry,
    Statistic,
    StatisticResult,
    StatisticValue,
    registry,
)

AS_OF = dt.date(2025, 3, 31)

FIELDS = (
    DatasetField("district", "string", "The district's name."),
    DatasetField("count", "integer", "How many."),
    DatasetField("share", "number", "A share from 0 to 1."),
    DatasetField("note", "string", "A free note."),
    DatasetField("day", "date", "The day counted."),
    DatasetField("suppressed", "boolean", "Whether the count was withheld."),
)

ROWS = [
    {
        "district": "North",
        "count": 12,
        "share": 0.25,
        "note": '=HYPERLINK("http://evil.example")',
        "day": dt.date(2025, 1, 2),
        "suppressed": False,
        # Not in the data dictionary: must never be published.
        "officer_name": "Jane Doe",
    },
    {
        "district": "+South",
        "count": -3,
        "share": None,
        "note": "@SUM(A1:A2)",
        "day": dt.date(2025, 1, 3),
        "suppressed": True,
    },
    {"district": "-East", "count": 0, "share": 1.0, "note": "plain, with a comma", "day": None},
]


def _rows() -> list[dict]:
    return [dict(r) for r in ROWS]


def _geojson() -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"district": "North"},
                "geometry": {"type": "Point", "coordinates": [-87.6, 41.9]},
            }
        ],
    }


def _broken_rows() -> list[dict]:
    raise RuntimeError("the source table is gone")


def _stat_result() -> StatisticResult:
    return StatisticResult(
        values=(
            StatisticValue("Trust in the north", 0.25, 400, interval=(0.2125, 0.2913)),
            StatisticValue("Trust in the south", 0.5, 1234),
            StatisticValue(
                "Trust in the east",
                None,
                3,
                insufficient_data="Fewer than 30 people answered in the east.",
            ),
        ),
        unit="share of residents (0 to 1)",
        as_of=AS_OF,
        confidence=0.95,
    )


def _broken_stat() -> StatisticResult:
    raise ZeroDivisionError("no residents")


@dataclass
class Throwaway:
    """What the fixture registered, for the tests to refer to."""

    registry: Registry
    dataset: Dataset
    map_dataset: Dataset
    broken_dataset: Dataset
    statistic: Statistic
    broken_statistic: Statistic
    extra: dict = field(default_factory=dict)


def make_statistic(slug: str, compute, strategy: int = 7, title: str = "") -> Statistic:
    return Statistic(
        slug=slug,
        title=title or f"Statistic {slug}",
        strategy=strategy,
        method="Share of survey respondents who trust the police, by district.",
        denominator="Survey respondents in the district.",
        uncertainty="Wilson score interval at 95%.",
        compute=compute,
        source=f"peelian.web.tests.conftest.{slug}",
    )


@pytest.fixture
def throwaway(monkeypatch: pytest.MonkeyPatch) -> Throwaway:
    """Empty the global registry's public parts for one test, then register throwaway
    datasets, statistics and pages on it (monkeypatch restores the registry after)."""
    for attr in ("datasets", "statistics"):
        monkeypatch.setattr(registry, attr, {})
    monkeypatch.setattr(registry, "pages", [])

    dataset = Dataset(
        slug="trust-by-district",
        title="Trust by district",
        description="Survey answers counted by district.",
        strategy=7,
        fields=FIELDS,
        rows=_rows,
        privacy="Counts only; cells under 5 are withheld.",
        update_frequency="Monthly",
    )
    map_dataset = Dataset(
        slug="district-points",
        title="District points",
        description="One point per district.",
        strategy=2,
        fields=FIELDS[:1],
        rows=lambda: [{"district": "North"}],
        privacy="No personal data.",
        geojson=_geojson,
    )
    broken_dataset = Dataset(
        slug="broken-dataset",
        title="Broken dataset",
        description="Its source fails.",
        strategy=2,
        fields=FIELDS[:1],
        rows=_broken_rows,
        privacy="No personal data.",
    )
    statistic = make_statistic("trust-share", _stat_result, title="Trust in the police")
    broken = make_statistic("broken-share", _broken_stat, strategy=2, title="Broken share")
    for d in (dataset, map_dataset, broken_dataset):
        registry.register_dataset(d)
    registry.register_statistic(broken)
    registry.register_statistic(statistic)
    registry.register_page(
        PublicPage(7, "web:open_data", "Listening data", summary="What residents told us.")
    )
    registry.register_page(PublicPage(7, "nowhere:missing", "A page with no URL"))
    return Throwaway(registry, dataset, map_dataset, broken_dataset, statistic, broken)
