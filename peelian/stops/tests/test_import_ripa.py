"""RIPA import through mappings/ripa.json, on the hand-made file data/ripa_sample.csv
(made by data/make_ripa_sample.py; the expected values below are read off its rows)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from peelian.agency.models import Agency
from peelian.core.errors import ApplicationError
from peelian.stops.models import Stop, StopImport
from peelian.stops.services import stops_import

SAMPLE = Path(__file__).parent / "data" / "ripa_sample.csv"


@pytest.fixture
def agency(db: Any) -> Agency:
    return Agency.objects.create(
        name="Sample PD", slug="sample", city="Sample", state="CA",
        timezone="America/Los_Angeles", center_lat=37.34, center_lng=-121.89,
    )  # fmt: skip


def test_multi_agency_file_needs_the_agency_code(agency: Agency) -> None:
    with pytest.raises(ApplicationError, match="2 agencies"):
        stops_import(actor="system:test", agency=agency, path=SAMPLE, fmt="ripa")
    assert not StopImport.objects.exists()


def test_ripa_rows_become_opp_stops(agency: Agency) -> None:
    imp = stops_import(
        actor="system:test",
        agency=agency,
        path=SAMPLE,
        fmt="ripa",
        agency_code="CA0010000",
        today=dt.date(2026, 1, 1),
    )
    assert imp.source_format == "ripa"
    # 10 rows: 1 of another agency skipped, 2 rejected (R5 30 Feb, R6 race code 9), 7 kept.
    assert (imp.rows_read, imp.rows_imported, imp.rows_rejected) == (10, 7, 2)
    assert imp.report["rows_skipped_other_agency"] == 1
    assert imp.report["counts"] == {
        # 2019-02-30 matches none of the mapping's date formats (strptime checks the day)
        "unreadable_date": 1,
        "unknown_race": 1,
        "unreadable_time": 1,
        "impossible_age": 1,
        "contraband_without_search": 1,
    }
    stops = {s.external_id: s for s in Stop.objects.filter(source=imp)}
    assert sorted(stops) == ["R1|1", "R1|2", "R2|1", "R3|1", "R4|1", "R7|1", "R9|1"]
    race = {k: s.subject_race for k, s in stops.items()}
    assert race == {
        "R1|1": "white",
        "R1|2": "black",
        "R2|1": "hispanic",  # multiracial, perceived Hispanic: Hispanic takes precedence
        "R3|1": "hispanic",
        "R4|1": "asian/pacific islander",
        "R7|1": "other",  # Middle Eastern/South Asian
        "R9|1": "asian/pacific islander",  # Pacific Islander
    }
    r2 = stops["R2|1"]
    assert r2.stop_date == dt.date(2019, 7, 2)  # written 07/02/2019
    assert (r2.search_conducted, r2.search_basis, r2.contraband_found) == (True, "consent", True)
    assert (r2.arrest_made, r2.outcome) == (True, "arrest")
    r3 = stops["R3|1"]
    assert (r3.search_basis, r3.contraband_found, r3.outcome) == ("k9", False, "warning")
    assert stops["R4|1"].stop_time is None  # 25:10
    r7 = stops["R7|1"]
    assert (r7.subject_sex, r7.search_conducted, r7.contraband_found) == ("", False, None)
    r9 = stops["R9|1"]
    assert (r9.subject_age, r9.search_basis, r9.citation_issued) == (None, "probable cause", True)
    r1 = stops["R1|1"]
    assert (r1.stop_time, r1.subject_sex, r1.subject_age) == (dt.time(8, 15), "male", 34)
    assert (r1.citation_issued, r1.outcome, r1.reason_for_stop) == (
        True,
        "citation",
        "Traffic violation",
    )
    assert stops["R1|2"].outcome == ""
