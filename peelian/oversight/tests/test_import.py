"""Import of complaint history: mapping validation, row errors, idempotency, all or
nothing, and samples of the real Chicago and NYPD CCRB files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from peelian.agency.models import Agency, Beat, District, Officer
from peelian.audit.models import AuditEntry
from peelian.core.errors import PermissionDenied
from peelian.oversight.importing import (
    MappingError,
    TableError,
    load_mapping,
    parse,
    read_table,
)
from peelian.oversight.models import (
    Allegation,
    AllegationCategory,
    Complainant,
    Complaint,
    ComplaintEvent,
    ReportedOfficer,
)
from peelian.oversight.services.imports import complaints_import

DATA = Path(__file__).parent / "data"
MAPPINGS = Path(__file__).parents[1] / "mappings"
REAL = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "real"
CODES = [
    "force",
    "bias",
    "improper_stop",
    "improper_search",
    "false_arrest",
    "courtesy",
    "language",
    "bodycam",
    "neglect",
    "property",
    "retaliation",
    "misconduct",
]


def mapping_data() -> dict:
    return json.loads((DATA / "import_mapping.json").read_text())


@pytest.fixture
def agency(db):
    agency = Agency.objects.create(
        name="Test PD", slug="test-pd", city="Test", state="KS", center_lat=0, center_lng=0
    )
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    district = District.objects.create(agency=agency, code="1", name="One", boundary=square)
    Beat.objects.create(district=district, code="101", name="101", boundary=square)
    Officer.objects.create(
        agency=agency,
        badge="1234",
        first_name="Pat",
        last_name="Jones",
        hire_date="2010-01-01",
        race="white",
    )
    return agency


@pytest.fixture
def manager(make_user):
    return make_user("supervisor")


def run(actor, agency, *, dry_run=False, complaints="import_complaints.csv"):
    mapping = load_mapping(mapping_data(), category_codes=CODES)
    parsed = parse(
        mapping, read_table(DATA / complaints), read_table(DATA / "import_allegations.csv")
    )
    return parsed, complaints_import(
        actor=actor, agency=agency, mapping=mapping, parsed=parsed, dry_run=dry_run
    )


# --- the mapping --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("source"), "source: required"),
        (lambda d: d.update(source="Has Spaces"), "source: required"),
        (lambda d: d["complaint"].pop("id"), "complaint.id: required"),
        (lambda d: d["complaint"].pop("received_at"), "complaint.received_at: required"),
        (lambda d: d["allegation"].pop("category"), "allegation.category: required"),
        (lambda d: d["allegation"].pop("complaint_id"), "allegation.complaint_id: required"),
        (lambda d: d["complaint"].update(narrative="x"), "not a field that can be imported"),
        (lambda d: d.update(complainant={"name": "who"}), "complainant.name: not a field"),
        (
            lambda d: d["allegation"]["category"]["values"].update(Other="nonsense"),
            "maps to 'nonsense', which is not one of",
        ),
        (
            lambda d: d["allegation"]["finding"]["values"].update(Odd="guilty"),
            "allegation.finding: 'Odd' maps to 'guilty'",
        ),
        (
            lambda d: d["allegation"]["finding"].pop("values"),
            "allegation.finding: a finding needs 'values' or 'patterns'",
        ),
        (
            lambda d: d["allegation"]["discipline"].update(patterns=[["(", "suspension"]]),
            "bad pattern",
        ),
        (lambda d: d["complaint"].update(closed_at={"column": "closed", "x": 1}), "unknown keys"),
        (lambda d: d["complaint"].update(closed_at={"column": 5}), "'column' must be"),
        (lambda d: d["complaint"].update(closed_at={"column": "c", "format": "Y"}), "bad format"),
        (lambda d: d.update(extra=1), "unknown top-level keys"),
    ],
)
def test_mapping_errors_are_specific(change, message):
    data = mapping_data()
    change(data)
    with pytest.raises(MappingError) as info:
        load_mapping(data, category_codes=CODES)
    assert any(message in error for error in info.value.errors), info.value.errors


def test_mapping_reports_every_problem_at_once():
    data = mapping_data()
    data.pop("source")
    data["complaint"]["received_at"]["format"] = "nope"
    with pytest.raises(MappingError) as info:
        load_mapping(data, category_codes=CODES)
    assert len(info.value.errors) == 2


def test_shipped_mappings_are_valid():
    for name in ("chicago.json", "ccrb.json"):
        load_mapping(json.loads((MAPPINGS / name).read_text()), category_codes=CODES)


def test_category_codes_are_checked_against_the_taxonomy():
    with pytest.raises(MappingError, match="force"):
        load_mapping(mapping_data(), category_codes=["courtesy"])


# --- parsing ------------------------------------------------------------------------------


def test_row_errors_carry_line_column_value_and_kind():
    mapping = load_mapping(mapping_data(), category_codes=CODES)
    parsed = parse(
        mapping,
        read_table(DATA / "import_complaints.csv"),
        read_table(DATA / "import_allegations.csv"),
    )
    errors = {(Path(e.file).name, e.line, e.column, e.value, e.kind) for e in parsed.errors}
    assert errors == {
        ("import_complaints.csv", 4, "received", "2021-02-30", "bad_date"),
        ("import_allegations.csv", 6, "result", "Cleared", "unknown_finding"),
        ("import_allegations.csv", 8, "case_no", "B9", "orphan_allegation"),
    }
    assert parsed.error_counts() == {"bad_date": 1, "orphan_allegation": 1, "unknown_finding": 1}
    # A complaint with any bad row is left out whole, never half imported.
    assert [r.source_id for r in parsed.records] == ["A1", "A2"]
    assert parsed.rejected_complaints == 2
    assert parsed.complaint_rows == 4
    assert parsed.allegation_rows == 7
    a1 = parsed.records[0]
    assert a1.status == "closed"
    assert [a.values["discipline"] for a in a1.allegations] == ["suspension", None]
    assert a1.allegations[0].values["suspension_days"] == 5
    assert a1.allegations[1].values["officer_first_name"] is None  # "Unknown" is no name
    assert parsed.records[1].status == "received"


def test_missing_columns_are_reported_once_up_front(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("case_no,received\nA1,2020-01-01\n")
    mapping = load_mapping(mapping_data(), category_codes=CODES)
    with pytest.raises(TableError, match=r"lacks the columns \['beat_code', 'closed'"):
        parse(mapping, read_table(path), read_table(DATA / "import_allegations.csv"))


def test_impossible_dates(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "case_no,received,incident,closed,beat_code,place\n"
        "F1,2999-01-01,,,,\n"
        "F2,2020-05-01,2020-06-01,,,\n"
        "F3,2020-05-01,,2020-04-01,,\n"
    )
    allegations = tmp_path / "a.csv"
    allegations.write_text(
        "case_no,kind,result,final,penalty,badge,first,last\n"
        "F1,Force,,,,,,\nF2,Force,,,,,,\nF3,Force,,,,,,\n"
    )
    mapping = load_mapping(mapping_data(), category_codes=CODES)
    parsed = parse(mapping, read_table(path), read_table(allegations))
    assert [(e.line, e.kind) for e in parsed.errors] == [
        (2, "impossible_date"),
        (3, "date_order"),
        (4, "date_order"),
    ]
    assert parsed.records == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "no such file"),
        ("empty.csv", b"", "the file is empty"),
        ("bad.csv.gz", b"not gzip at all", "cannot read the file"),
        ("latin.csv", "case_no\nJos\xe9\n".encode("latin-1"), "not UTF-8"),
        ("dupe.csv", b"a,a\n1,2\n", "repeated column names"),
        ("bad.rds", b"not R data", "cannot read the R data file"),
    ],
)
def test_unreadable_files(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(TableError, match=message):
        read_table(path)


def test_gzip_csv_reads_like_csv(tmp_path):
    path = tmp_path / "c.csv.gz"
    path.write_bytes(gzip.compress((DATA / "import_complaints.csv").read_bytes()))
    rows = list(read_table(path).rows)
    assert rows[0] == (2, rows[0][1])
    assert rows[0][1]["case_no"] == "A1"


# --- the service --------------------------------------------------------------------------


def test_import_writes_complaints_allegations_officers_events(agency, manager):
    _parsed, result = run(manager, agency)
    assert result.complaints_created == 2
    assert result.allegations_created == 3
    assert result.officers_matched == 1
    assert result.errors_by_kind == {"bad_date": 1, "orphan_allegation": 1, "unknown_finding": 1}
    a1 = Complaint.objects.get(external_id="testcity:A1")
    assert a1.channel == "import"
    assert a1.status == "closed"
    assert a1.narrative == ""
    assert a1.beat.code == "101"
    assert a1.district.code == "1"
    assert a1.closed_at.date().isoformat() == "2020-09-30"
    assert a1.received_at.date().isoformat() == "2020-03-01"
    assert a1.tracking_hint == "IMPT"
    assert a1.category.code == "force"
    force, rude = a1.allegations.order_by("id")
    assert force.officer.badge == "1234"
    assert force.finding == "sustained"
    assert force.discipline == "suspension"
    assert force.suspension_days == 5
    assert rude.officer is None
    assert rude.final_finding == "not_sustained"
    reported = {(r.badge_given, r.name_given, r.officer_id is not None) for r in a1.officers.all()}
    assert reported == {("1234", "Pat Jones", True), ("", "", False)}
    kinds = [(e.kind, e.at.date().isoformat()) for e in a1.events.all()]
    assert kinds == [
        ("received", "2020-03-01"),
        ("finding_issued", "2020-09-30"),
        ("decided", "2020-09-30"),
        ("closed", "2020-09-30"),
    ]
    assert a1.events.get(kind="finding_issued").detail == {
        "findings": {"not_sustained": 1, "sustained": 1}
    }
    a2 = Complaint.objects.get(external_id="testcity:A2")
    assert a2.status == "received"
    assert a2.closed_at is None
    assert [e.kind for e in a2.events.all()] == ["received"]
    assert a2.beat is None
    assert result.warnings_by_kind == {"unknown_beat": 1}
    assert not Complainant.objects.exists()
    entries = AuditEntry.objects.filter(action="oversight.complaint.import")
    assert entries.count() == 1
    assert entries.get().after["complaints_created"] == 2


def test_reimport_is_idempotent(agency, manager):
    run(manager, agency)
    before = (
        Complaint.objects.count(),
        Allegation.objects.count(),
        ReportedOfficer.objects.count(),
        ComplaintEvent.objects.count(),
        list(Complaint.objects.values_list("updated_at", flat=True).order_by("id")),
    )
    _parsed, result = run(manager, agency)
    assert result.complaints_created == 0
    assert result.complaints_already_imported == 2
    after = (
        Complaint.objects.count(),
        Allegation.objects.count(),
        ReportedOfficer.objects.count(),
        ComplaintEvent.objects.count(),
        list(Complaint.objects.values_list("updated_at", flat=True).order_by("id")),
    )
    assert after == before


def test_dry_run_writes_nothing(agency, manager):
    _parsed, result = run(manager, agency, dry_run=True)
    assert result.complaints_created == 2
    assert result.officers_matched == 1
    assert not Complaint.objects.exists()
    assert not AuditEntry.objects.filter(action="oversight.complaint.import").exists()


def test_only_case_managers_may_import(agency, make_user):
    with pytest.raises(PermissionDenied):
        run(make_user("investigator"), agency)
    assert not Complaint.objects.exists()


def test_failure_part_way_leaves_nothing(agency, manager, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ComplaintEvent.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        run(manager, agency)
    assert not Complaint.objects.exists()
    assert not Allegation.objects.exists()


def test_command_refuses_unreadable_file_and_writes_nothing(agency, tmp_path):
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "oversight_import",
            str(path),
            "--mapping",
            str(DATA / "import_mapping.json"),
            "--allegations",
            str(DATA / "import_allegations.csv"),
        )
    assert not Complaint.objects.exists()


def test_command_reports_mapping_problems(agency, tmp_path):
    bad = tmp_path / "map.json"
    bad.write_text(json.dumps({"source": "x"}))
    with pytest.raises(CommandError, match="The mapping has 5 problems"):
        call_command("oversight_import", str(DATA / "import_complaints.csv"), "--mapping", str(bad))


def test_command_imports(agency, capsys):
    call_command(
        "oversight_import",
        str(DATA / "import_complaints.csv"),
        "--mapping",
        str(DATA / "import_mapping.json"),
        "--allegations",
        str(DATA / "import_allegations.csv"),
    )
    out, err = capsys.readouterr()
    assert json.loads(out)["complaints_created"] == 2
    assert "import_complaints.csv:4 [received='2021-02-30']" in err
    assert Complaint.objects.filter(channel="import").count() == 2


# --- the real files -----------------------------------------------------------------------

CHICAGO = REAL / "chicago_cpdp_complaints"
CCRB = REAL / "nypd_ccrb_propublica" / "nypd-ccrb-cleaned.rds"


def _real(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"the real data set is not on this machine: {path} is absent")


def test_real_chicago_sample(agency, manager):
    _real(CHICAGO)
    mapping = load_mapping(
        json.loads((MAPPINGS / "chicago.json").read_text()),
        category_codes=AllegationCategory.objects.values_list("code", flat=True),
    )
    parsed = parse(
        mapping,
        read_table(next(CHICAGO.glob("complaints-complaints_*.csv.gz"))),
        read_table(next(CHICAGO.glob("complaints-accused_*.csv.gz"))),
        limit=1000,
    )
    assert parsed.complaint_rows == 1000
    imported = len(parsed.records)
    assert imported + parsed.rejected_complaints == 1000
    assert imported > 900  # the sample is overwhelmingly clean
    for error in parsed.errors:
        assert error.line > 1
        assert error.kind
        assert error.message
    result = complaints_import(actor=manager, agency=agency, mapping=mapping, parsed=parsed)
    assert result.complaints_created == imported == Complaint.objects.count()
    assert result.allegations_created == Allegation.objects.count()
    assert Allegation.objects.count() == sum(len(r.allegations) for r in parsed.records)
    # Real badges do not match the test agency's officers: names are kept, staff-only.
    assert Allegation.objects.filter(officer__isnull=False).count() == result.officers_matched
    assert ReportedOfficer.objects.exclude(name_given="").exists()
    assert not Complainant.objects.exists()  # the Chicago mapping declares no demographics
    assert Complaint.objects.filter(status="closed").exists()
    again = complaints_import(actor=manager, agency=agency, mapping=mapping, parsed=parsed)
    assert again.complaints_created == 0
    assert again.complaints_already_imported == imported


def test_real_ccrb_sample(agency, manager):
    _real(CCRB)
    mapping = load_mapping(
        json.loads((MAPPINGS / "ccrb.json").read_text()),
        category_codes=AllegationCategory.objects.values_list("code", flat=True),
    )
    parsed = parse(mapping, read_table(CCRB), limit=1000)
    assert parsed.complaint_rows == 1000
    assert len(parsed.records) + parsed.rejected_complaints == 1000
    result = complaints_import(actor=manager, agency=agency, mapping=mapping, parsed=parsed)
    assert result.complaints_created == len(parsed.records) == Complaint.objects.count()
    assert Allegation.objects.count() == sum(len(r.allegations) for r in parsed.records)
    assert set(Allegation.objects.values_list("finding", flat=True)) <= {
        "sustained",
        "not_sustained",
        "exonerated",
    }
    assert Allegation.objects.filter(final_finding="").count() == Allegation.objects.count()
    # Demographics only: never a complainant's name or contact details.
    assert Complainant.objects.exists()
    assert not Complainant.objects.exclude(name="", email="", phone="", address="").exists()
    assert set(Complaint.objects.values_list("status", flat=True)) == {"closed"}


def _command(*extra):
    call_command(
        "oversight_import",
        str(DATA / "import_complaints.csv"),
        "--mapping",
        str(DATA / "import_mapping.json"),
        "--allegations",
        str(DATA / "import_allegations.csv"),
        *extra,
    )


def test_command_checks_the_named_user(agency, make_user):
    make_user("investigator", username="ivy")
    with pytest.raises(CommandError, match="permission"):
        _command("--user", "ivy")
    with pytest.raises(CommandError, match="No user named"):
        _command("--user", "nobody")
    assert not Complaint.objects.exists()


def test_command_as_a_supervisor_is_audited_under_their_name(agency, make_user):
    make_user("supervisor", username="sam")
    _command("--user", "sam")
    entry = AuditEntry.objects.get(action="oversight.complaint.import")
    assert entry.actor_label == "sam"


def test_command_dry_run_and_csv_needs_a_mapping(agency, capsys):
    _command("--dry-run")
    assert json.loads(capsys.readouterr().out)["dry_run"] is True
    assert not Complaint.objects.exists()
    with pytest.raises(CommandError, match="--format csv needs --mapping"):
        call_command("oversight_import", str(DATA / "import_complaints.csv"))


def test_single_file_limit_keeps_whole_complaints(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text(
        "id,received,cat\nX1,2020-01-01,Force\nX2,2020-01-02,Force\nX1,2020-01-01,Force\n"
    )
    data = {
        "source": "one",
        "single_file": True,
        "complaint": {"id": "id", "received_at": "received"},
        "allegation": {"category": {"column": "cat", "values": {"force": "force"}}},
    }
    mapping = load_mapping(data, category_codes=CODES)
    parsed = parse(mapping, read_table(path), limit=1)
    assert [(r.source_id, len(r.allegations)) for r in parsed.records] == [("X1", 2)]
    assert parsed.complaint_rows == 1
    assert parsed.allegation_rows == 2
