from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from peelian.core.registry import registry
from peelian.force.exports import age_group
from peelian.force.models import ForceIncident
from peelian.force.services import OfficerInput, SubjectInput, force_review
from peelian.force.tests.conftest import file_report

pytestmark = pytest.mark.django_db

IDENTIFYING = {
    "narrative",
    "injury_description",
    "location_text",
    "lat",
    "lng",
    "officer",
    "officer_name_given",
    "badge",
    "external_id",
    "occurred_at",
    "review_notes",
    "reviewer",
    "recording_ids",
    "name",
}


@pytest.mark.parametrize(
    ("age", "group"),
    [
        (None, "unknown"),
        (0, "under 18"),
        (17, "under 18"),
        (18, "18-24"),
        (24, "18-24"),
        (25, "25-34"),
        (34, "25-34"),
        (35, "35-44"),
        (64, "55-64"),
        (65, "65 and over"),
    ],
)
def test_age_groups(age: int | None, group: str) -> None:
    assert age_group(age) == group


def _subjects(n: int, injured: list[bool | None], **kw: Any) -> list[SubjectInput]:
    return [
        SubjectInput(race="white", sex="female", age=40 + i, injured=injured[i], **kw)
        for i in range(n)
    ]


@pytest.fixture
def incidents(people: Any) -> list[ForceIncident]:
    out = []
    secret = "SECRET NARRATIVE Jane Doe 123 Elm"
    for month, flags in ((1, [True, False]), (1, [None]), (2, [True]), (3, [False, False, True])):
        out.append(
            file_report(
                people.sup2,
                [people.a],
                occurred_at=dt.datetime(2025, month, 10, 15, tzinfo=dt.UTC),
                narrative=secret,
                subjects=_subjects(len(flags), flags, injury_description="broken Jane Doe arm"),
                officers=[OfficerInput(officer=people.a, force_types=["taser", "takedown"])],
            )
        )
    out.append(
        file_report(
            people.sup2,
            [people.a],
            subjects=[SubjectInput(age=15)],
            occurred_at=dt.datetime(2025, 2, 3, 15, tzinfo=dt.UTC),
        )
    )
    force_review(actor=people.sup2, incident=out[0], decision="approved")
    force_review(actor=people.sup2, incident=out[1], decision="referred", notes="x")
    force_review(actor=people.sup2, incident=out[2], decision="returned", notes="x")
    return out


def test_dataset_has_no_identifying_fields(incidents: Any) -> None:
    dataset = registry.datasets["use-of-force"]
    names = {f.name for f in dataset.fields}
    assert not names & IDENTIFYING
    rows = list(dataset.rows())
    assert len(rows) == 8  # one per subject
    for row in rows:
        assert set(row) == names
        text = " ".join(str(v) for v in row.values())
        assert "Jane" not in text
        assert "SECRET" not in text
        assert "Adams" not in text
        assert len(row["month"]) == 7
    # The minor is only "under 18" and, in a cell of fewer than 5, suppressed entirely.
    assert all(
        r["subject_age_group"] in {"suppressed", "under 18"}
        for r in rows
        if r["month"] == "2025-02" and r["subject_race"] == "unknown"
    )
    assert {r["subject_age_group"] for r in rows} == {"suppressed"}  # every cell here is small
    assert {r["beat"] for r in rows} == {""}


def test_dataset_publishes_large_cells(people: Any) -> None:
    subjects = [SubjectInput(race="black", sex="male", age=30) for _ in range(5)]
    file_report(people.sup2, [people.a], subjects=subjects)
    rows = registry.datasets["use-of-force"].rows()
    assert {r["subject_age_group"] for r in rows} == {"25-34"}
    assert {r["beat"] for r in rows} == {"22"}


def test_incidents_by_month(incidents: Any) -> None:
    result = registry.statistics["force-incidents-by-month"].compute()
    assert [(v.label, v.value) for v in result.values] == [
        ("2025-01", 2.0),
        ("2025-02", 2.0),
        ("2025-03", 1.0),
    ]
    assert all(v.interval is None for v in result.values)


def test_injury_rate_matches_independent_wilson(incidents: Any) -> None:
    result = registry.statistics["force-subject-injury-rate"].compute()
    rate, unknown = result.values
    # Known: T,F | - | T | F,F,T, plus the minor with unknown -> 3 of 6 known; 2 unknown.
    k, n = 3, 6
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert rate.value == 0.5
    assert rate.denominator == n
    assert rate.interval == (round(centre - half, 4), round(centre + half, 4))
    assert unknown.value == 2.0
    assert unknown.denominator == 8


def test_review_completion(incidents: Any) -> None:
    value = registry.statistics["force-review-completed"].compute().values[0]
    assert value.value == round(2 / 5, 4)
    assert value.denominator == 5
    assert value.interval is not None
    assert value.interval[0] < 0.4 < value.interval[1]


def test_statistics_without_data(db: Any) -> None:
    for slug in ("force-incidents-by-month", "force-subject-injury-rate", "force-review-completed"):
        first = registry.statistics[slug].compute().values[0]
        assert first.value is None
        assert first.insufficient_data
