"""The database keeps the stop invariants even against writes that skip the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from peelian.agency.models import Agency
from peelian.stops.models import AnalysisRun, Stop, StopImport, import_upload_to


@pytest.fixture
def source(db: Any) -> StopImport:
    agency = Agency.objects.create(
        name="A", slug="a", city="A", state="CT", center_lat=41.0, center_lng=-72.0
    )
    return StopImport.objects.create(
        agency=agency, original_name="a.csv", sha256="f" * 64, stored_file="x", rows_read=1
    )


def _stop(source: StopImport, **kw: Any) -> Stop:
    values: dict[str, Any] = {
        "agency": source.agency,
        "source": source,
        "source_row": 1,
        "stop_date": dt.date(2015, 1, 1),
        **kw,
    }
    return Stop.objects.create(**values)


@pytest.mark.parametrize(
    "bad",
    [
        {"search_conducted": False, "contraband_found": True},  # OPP's predicate rule
        {"lat": 95.0, "lng": 0.0},
        {"lat": 41.0},  # half a point
        {"subject_age": 130},
    ],
)
def test_check_constraints(source: StopImport, bad: dict[str, Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _stop(source, **bad)


def test_one_stop_per_source_row_and_one_import_per_file(source: StopImport) -> None:
    _stop(source)
    with pytest.raises(IntegrityError), transaction.atomic():
        _stop(source)
    with pytest.raises(IntegrityError), transaction.atomic():
        StopImport.objects.create(
            agency=source.agency, original_name="b.csv", sha256="f" * 64, stored_file="y"
        )


def test_import_protects_its_stops(source: StopImport) -> None:
    from django.db.models import ProtectedError

    _stop(source)
    with pytest.raises(ProtectedError):
        source.delete()


def test_published_run_needs_date_and_success(source: StopImport) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AnalysisRun.objects.create(agency=source.agency, title="t", published=True)


def test_upload_path_is_content_addressed(source: StopImport) -> None:
    assert import_upload_to(source, "Stops 2015.CSV.GZ") == f"stops/imports/{'f' * 64}.csv.gz"
    assert import_upload_to(source, "x.rds") == f"stops/imports/{'f' * 64}.rds"
