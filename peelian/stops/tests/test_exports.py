"""The stop-data open dataset: monthly counts by district and race, nothing identifying, the
small-cell rule applied, and the counts equal to an independent count of the stored stops."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

import pytest
from django.test import Client

from peelian.agency.tests.conftest import city  # noqa: F401 - fixture
from peelian.stops.exports import SMALL_CELL_MAX, stops_by_month_rows
from peelian.stops.models import Stop
from peelian.stops.tests.test_views import stops  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_monthly_counts_match_the_stops_and_hide_small_cells(stops: Any) -> None:  # noqa: F811
    rows = list(stops_by_month_rows())
    assert sum(r["stops"] for r in rows) == Stop.objects.count()
    expected = Counter(
        (s.stop_date.strftime("%Y-%m"), s.district, s.subject_race)
        for s in Stop.objects.filter(search_conducted=True)
    )
    for r in rows:
        n = expected[(r["month"], r["district"], r["subject_race"])]
        if 1 <= n <= SMALL_CELL_MAX:
            assert r["searches"] is None
            assert "searches" in r["suppressed"].split(";")
        else:
            assert r["searches"] == n
    assert any(r["suppressed"] for r in rows)  # the rule does bite on this data


def test_open_data_csv_has_no_identifying_columns(client: Client, stops: Any) -> None:  # noqa: F811
    response = client.get("/open-data/stops-by-month.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    header = next(csv.reader(io.StringIO(body)))
    assert header[:3] == ["month", "district", "subject_race"]
    for forbidden in ("officer", "lat", "lng", "time", "age", "sex", "reason", "location"):
        assert not any(forbidden in h for h in header)
    assert "f00dfeed42" not in body  # the officer id hash of every stop in the fixture
