"""The stop import service and command: OPP files, bad input reported row by row,
idempotency, the raw file kept unchanged, rollback on failure, audit entries.

Expected values are counted by hand from the small files each test writes."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from peelian.agency.models import Agency
from peelian.audit.models import AuditEntry
from peelian.core.errors import ApplicationError, PermissionDenied
from peelian.stops import importing
from peelian.stops.models import Stop, StopImport
from peelian.stops.services import imports as services
from peelian.stops.services import stops_import

TODAY = dt.date(2026, 1, 1)
HEADER = [
    "raw_row_number", "date", "time", "lat", "lng", "district", "subject_age", "subject_race",
    "subject_sex", "officer_id_hash", "type", "arrest_made", "citation_issued",
    "warning_issued", "outcome", "contraband_found", "search_conducted", "search_basis",
    "reason_for_stop",
]  # fmt: skip
GOOD = {
    "raw_row_number": "1", "date": "2015-03-01", "time": "13:05:00", "lat": "41.77",
    "lng": "-72.67", "district": "NORTH", "subject_age": "34", "subject_race": "black",
    "subject_sex": "male", "officer_id_hash": "abc123", "type": "vehicular",
    "arrest_made": "FALSE", "citation_issued": "TRUE", "warning_issued": "FALSE",
    "outcome": "citation", "contraband_found": "NA", "search_conducted": "FALSE",
    "search_basis": "NA", "reason_for_stop": "Speeding",
}  # fmt: skip


@pytest.fixture
def agency(db: Any) -> Agency:
    return Agency.objects.create(
        name="Hartford PD",
        slug="hartford",
        city="Hartford",
        state="CT",
        timezone="America/New_York",
        center_lat=41.7658043,
        center_lng=-72.6733723,
    )


@pytest.fixture
def analyst(make_user: Any) -> Any:
    return make_user("analyst", username="ana")


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in header})
    return path


def row(n: int, **changes: str) -> dict[str, str]:
    return {**GOOD, "raw_row_number": str(n), **changes}


def do_import(actor: Any, agency: Agency, path: Path, **kw: Any) -> StopImport:
    return stops_import(actor=actor, agency=agency, path=path, today=TODAY, **kw)


def test_good_rows_are_imported_with_types(tmp_path: Path, agency: Agency, analyst: Any) -> None:
    path = write_csv(
        tmp_path / "s.csv",
        [
            row(1),
            row(2, search_conducted="TRUE", contraband_found="TRUE", search_basis="consent"),
            row(3, subject_race="other/unknown", time="", lat="", lng=""),
        ],
    )
    imp = do_import(analyst, agency, path)
    assert (imp.rows_read, imp.rows_imported, imp.rows_rejected, imp.warnings) == (3, 3, 0, 0)
    assert imp.status == "succeeded"
    assert imp.imported_by == analyst
    stops = list(Stop.objects.filter(source=imp).order_by("source_row"))
    first = stops[0]
    assert first.stop_date == dt.date(2015, 3, 1)
    assert first.stop_time == dt.time(13, 5)
    assert (first.subject_race, first.subject_age, first.subject_sex) == ("black", 34, "male")
    assert (first.lat, first.lng, first.district) == (41.77, -72.67, "NORTH")
    assert first.search_conducted is False
    assert first.contraband_found is None  # NA, and no search
    assert (first.citation_issued, first.arrest_made, first.outcome) == (True, False, "citation")
    assert first.officer_id_hash == "abc123"
    assert first.external_id == "1"
    assert (stops[1].contraband_found, stops[1].search_basis) == (True, "consent")
    assert stops[2].subject_race == "other"  # OPP's 2019 "other/unknown" is today's "other"
    assert (stops[2].stop_time, stops[2].lat) == (None, None)


@pytest.mark.parametrize(
    ("changes", "code", "severity", "column"),
    [
        ({"date": ""}, "missing_date", "error", "date"),
        ({"date": "03/01/2015"}, "unreadable_date", "error", "date"),
        ({"date": "2015-02-30"}, "impossible_date", "error", "date"),
        ({"date": "2031-01-01"}, "impossible_date", "error", "date"),
        ({"date": "1850-01-01"}, "impossible_date", "error", "date"),
        ({"subject_race": "martian"}, "unknown_race", "error", "subject_race"),
        ({"subject_race": ""}, "missing_race", "warning", "subject_race"),
        ({"time": "25:10"}, "unreadable_time", "warning", "time"),
        ({"time": "noon"}, "unreadable_time", "warning", "time"),
        ({"subject_age": "old"}, "unreadable_age", "warning", "subject_age"),
        ({"subject_age": "130"}, "impossible_age", "warning", "subject_age"),
        ({"subject_sex": "x"}, "unknown_sex", "warning", "subject_sex"),
        ({"type": "boat"}, "unknown_type", "warning", "type"),
        ({"search_basis": "hunch"}, "unknown_search_basis", "warning", "search_basis"),
        ({"outcome": "hug"}, "unknown_outcome", "warning", "outcome"),
        ({"arrest_made": "maybe"}, "unreadable_arrest_made", "warning", "arrest_made"),
        ({"contraband_found": "TRUE"}, "contraband_without_search", "warning", "contraband_found"),
        ({"lat": "north"}, "unreadable_coordinates", "warning", "lat"),
        ({"lng": ""}, "unreadable_coordinates", "warning", "lat"),
        ({"lat": "95", "lng": "-72.6"}, "unreadable_coordinates", "warning", "lat"),
        ({"lat": "40.0", "lng": "-72.6"}, "coordinates_outside_area", "warning", "lat"),
    ],
)
def test_bad_input_is_reported_per_row(
    tmp_path: Path,
    agency: Agency,
    changes: dict[str, str],
    code: str,
    severity: str,
    column: str,
) -> None:
    path = write_csv(tmp_path / "bad.csv", [row(1), row(2, **changes), row(3)])
    imp = do_import("system:test", agency, path)
    assert imp.report["counts"] == {code: 1}
    [issue] = imp.report["issues"]
    assert (issue["row"], issue["code"], issue["severity"], issue["column"]) == (
        2,
        code,
        severity,
        column,
    )
    assert imp.rows_read == 3
    if severity == "error":
        assert (imp.rows_imported, imp.rows_rejected, imp.warnings) == (2, 1, 0)
        assert sorted(Stop.objects.values_list("source_row", flat=True)) == [1, 3]
    else:
        assert (imp.rows_imported, imp.rows_rejected, imp.warnings) == (3, 0, 1)
        kept = Stop.objects.get(source_row=2)
        if code == "coordinates_outside_area":
            assert (kept.lat, kept.lng) == (40.0, -72.6)  # kept as given
        if code == "contraband_without_search":
            assert kept.contraband_found is None


def test_mixed_date_formats_reject_only_the_unreadable_rows(tmp_path: Path, agency: Agency) -> None:
    dates = ["2015-03-01", "3/2/2015", "2015-03-03", "2015.03.04", "2015-03-05"]
    path = write_csv(tmp_path / "mixed.csv", [row(i + 1, date=d) for i, d in enumerate(dates)])
    imp = do_import("system:test", agency, path)
    assert imp.report["counts"] == {"unreadable_date": 2}
    assert [(i["row"], i["value"]) for i in imp.report["issues"]] == [
        (2, "3/2/2015"),
        (4, "2015.03.04"),
    ]
    assert sorted(Stop.objects.values_list("stop_date", flat=True)) == [
        dt.date(2015, 3, 1),
        dt.date(2015, 3, 3),
        dt.date(2015, 3, 5),
    ]


def test_missing_required_columns_refuse_the_file(tmp_path: Path, agency: Agency) -> None:
    header = [h for h in HEADER if h not in ("date", "subject_race")]
    path = write_csv(tmp_path / "nocols.csv", [row(1)], header=header)
    with pytest.raises(ApplicationError) as err:
        do_import("system:test", agency, path)
    assert err.value.code == "file_refused"
    assert "date, subject_race" in str(err.value)
    assert not StopImport.objects.exists()
    assert not Stop.objects.exists()
    assert not AuditEntry.objects.filter(action="stops.import").exists()


def test_reimport_is_idempotent_and_raw_file_is_kept(
    tmp_path: Path, agency: Agency, analyst: Any
) -> None:
    path = write_csv(tmp_path / "s.csv.gz", [row(i) for i in range(1, 6)])
    original = path.read_bytes()
    first = do_import(analyst, agency, path)
    entries = AuditEntry.objects.filter(action="stops.import").count()
    again = do_import(analyst, agency, path)
    assert again.pk == first.pk
    assert Stop.objects.count() == 5
    assert StopImport.objects.count() == 1
    assert AuditEntry.objects.filter(action="stops.import").count() == entries == 1
    assert path.read_bytes() == original
    assert first.stored_file.name == f"stops/imports/{first.sha256}.csv.gz"
    with first.stored_file.open("rb") as kept:
        stored = kept.read()
    assert hashlib.sha256(stored).hexdigest() == first.sha256
    assert stored == original


def test_audit_entry_records_the_import(tmp_path: Path, agency: Agency, analyst: Any) -> None:
    path = write_csv(tmp_path / "s.csv", [row(1), row(2, date="")])
    imp = do_import(analyst, agency, path)
    entry = AuditEntry.objects.get(action="stops.import")
    assert entry.target_id == str(imp.public_id)
    assert entry.actor_id == analyst.pk
    assert entry.after["rows_imported"] == 1
    assert entry.after["rows_rejected"] == 1
    assert entry.after["sha256"] == imp.sha256


def test_failure_while_writing_rolls_back_everything(
    tmp_path: Path, agency: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "s.csv", [row(i) for i in range(1, 4)])

    def half_then_fail(rows: Any, agency_id: int, source_id: int) -> None:
        real_insert(rows.slice(0, 2), agency_id, source_id)
        raise RuntimeError("disk full")

    real_insert = services._insert
    monkeypatch.setattr(services, "_insert", half_then_fail)
    with pytest.raises(RuntimeError):
        do_import("system:test", agency, path)
    assert not Stop.objects.exists()
    assert not StopImport.objects.exists()
    assert not AuditEntry.objects.filter(action="stops.import").exists()
    storage = StopImport._meta.get_field("stored_file").storage  # type: ignore[attr-defined]
    assert not storage.exists(f"stops/imports/{importing.sha256_of(path)}.csv")
    monkeypatch.setattr(services, "_insert", real_insert)
    imp = do_import("system:test", agency, path)  # a retry then imports it whole
    assert imp.rows_imported == Stop.objects.count() == 3


def test_permission_is_checked(tmp_path: Path, agency: Agency, make_user: Any) -> None:
    path = write_csv(tmp_path / "s.csv", [row(1)])
    for user in (make_user("supervisor"), make_user("investigator"), make_user()):
        with pytest.raises(PermissionDenied):
            do_import(user, agency, path)
    assert not StopImport.objects.exists()


def test_parquet_is_read_like_csv(tmp_path: Path, agency: Agency) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "raw_row_number": ["1", "2"],
            "date": pa.array([dt.date(2015, 3, 1), None], pa.date32()),
            "time": pa.array([dt.time(13, 5), dt.time(0, 0)], pa.time64("us")),
            "subject_race": ["white", "hispanic"],
            "subject_age": [30.0, None],
            "search_conducted": [True, False],
            "contraband_found": [False, None],
        }
    )
    pq.write_table(table, tmp_path / "s.parquet")
    imp = do_import("system:test", agency, tmp_path / "s.parquet")
    assert (imp.rows_imported, imp.rows_rejected) == (1, 1)
    assert imp.report["counts"] == {"missing_date": 1}
    stop = Stop.objects.get()
    assert (stop.stop_time, stop.subject_age, stop.contraband_found) == (dt.time(13, 5), 30, False)


def test_mapping_file_maps_agency_columns(tmp_path: Path, agency: Agency) -> None:
    mapping = {
        "format_version": 1,
        "source": "hartford-own",
        "fields": {
            "raw_row_number": {"column": "CaseNo"},
            "date": {"column": "StopDate", "format": "%m/%d/%Y"},
            "time": {"column": "StopTime", "format": "%H%M"},
            "subject_race": {
                "column": "Race",
                "values": {"B": "black", "W": "white", "H": "hispanic", "A": "other"},
            },
            "search_conducted": {"column": "Searched", "values": {"Y": True, "N": False}},
            "type": {"constant": "vehicular"},
        },
    }  # fmt: skip
    header = ["CaseNo", "StopDate", "StopTime", "Race", "Searched"]
    rows = [
        dict(zip(header, values, strict=True))
        for values in (
            ["A1", "3/1/2015", "1305", "B", "Y"],
            ["A2", "2015-03-02", "0800", "W", "N"],
            ["A3", "3/3/2015", "0900", "Z", "N"],
        )
    ]
    path = write_csv(tmp_path / "own.csv", rows, header=header)
    imp = do_import("system:test", agency, path, fmt="mapping", mapping=mapping)
    assert imp.source_format == "mapping"
    assert imp.mapping["source"] == "hartford-own"
    assert imp.report["counts"] == {"unreadable_date": 1, "unknown_race": 1}
    [stop] = Stop.objects.all()
    assert (stop.external_id, stop.stop_date, stop.stop_time) == (
        "A1",
        dt.date(2015, 3, 1),
        dt.time(13, 5),
    )
    assert (stop.subject_race, stop.search_conducted, stop.type) == ("black", True, "vehicular")
    bad_rows = [(i["row"], i["code"], i["value"]) for i in imp.report["issues"]]
    assert bad_rows == [
        (2, "unreadable_date", "not %m/%d/%Y: 2015-03-02"),
        (3, "unknown_race", "z"),
    ]


def test_mapping_naming_absent_columns_refuses_the_file(tmp_path: Path, agency: Agency) -> None:
    mapping = {
        "format_version": 1,
        "source": "x",
        "fields": {"date": {"column": "When"}, "subject_race": {"column": "Race"}},
    }
    path = write_csv(tmp_path / "x.csv", [{"When": "2015-01-01"}], header=["When"])
    with pytest.raises(ApplicationError, match="Race"):
        do_import("system:test", agency, path, fmt="mapping", mapping=mapping)
    with pytest.raises(ApplicationError) as err:
        do_import("system:test", agency, path, fmt="mapping", mapping={"format_version": 2})
    assert err.value.code == "mapping_invalid"
    assert not StopImport.objects.exists()


def test_command_prints_counts_and_issues(tmp_path: Path, agency: Agency) -> None:
    path = write_csv(tmp_path / "s.csv", [row(1), row(2, subject_race="martian"), row(3)])
    out, err = io.StringIO(), io.StringIO()
    report = tmp_path / "errors.csv"
    call_command("stops", "import", str(path), "--report", str(report), stdout=out, stderr=err)
    assert "3 rows read, 2 imported, 1 rejected, 0 warnings" in out.getvalue()
    assert "unknown_race: 1" in out.getvalue()
    assert "row 2, subject_race: error: unknown_race" in err.getvalue()
    with report.open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert [(r["row"], r["code"], r["value"]) for r in lines] == [("2", "unknown_race", "martian")]
    out = io.StringIO()
    call_command("stops", "import", str(path), stdout=out)
    assert "already imported" in out.getvalue()
    assert StopImport.objects.count() == 1


def test_command_refuses_with_a_clear_message(tmp_path: Path, agency: Agency) -> None:
    path = write_csv(tmp_path / "s.csv", [row(1)], header=["raw_row_number", "time"])
    with pytest.raises(CommandError, match="lacks required OPP columns: date, subject_race"):
        call_command("stops", "import", str(path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("stops", "import", str(tmp_path / "none.csv"))
    with pytest.raises(CommandError, match="needs --mapping"):
        call_command("stops", "import", str(path), "--format", "mapping")
    assert not StopImport.objects.exists()
