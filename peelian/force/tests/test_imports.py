from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from peelian.audit.models import AuditEntry
from peelian.core.errors import ApplicationError, PermissionDenied
from peelian.force import imports
from peelian.force.models import ForceIncident, ForceOfficer, ForceSubject
from peelian.force.services import force_import

MAPPING: dict[str, Any] = {
    "format_version": 1,
    "source": "testcity",
    "incident_key": ["case"],
    "officer_key": ["badge"],
    "subject_key": ["person"],
    "fields": {
        "occurred_at": {"column": "when", "format": "%Y-%m-%d %H:%M"},
        "district_code": {"column": "district"},
        "beat_code": {"column": "beat"},
        "location_text": {"column": "block"},
        "resistance": {
            "column": "resistance",
            "values": {"passive": "passive", "active": "active", "assault": "assaultive"},
            "default": "unknown",
            "unmapped": "unknown",
        },
        "force_types": {
            "sources": [
                {
                    "column": "force",
                    "values": {"Taser": "taser", "Hold": "control_hold", "Presence": None},
                }
            ]
        },
        "subject.race": {
            "column": "race",
            "values": {"B": "black", "W": "white", "H": "hispanic"},
            "default": "unknown",
            "unmapped": "unknown",
        },
        "subject.sex": {
            "column": "sex",
            "values": {"M": "male", "F": "female"},
            "default": "unknown",
            "unmapped": "unknown",
        },
        "subject.age": {"column": "age"},
        "subject.injured": {"column": "hurt", "values": {"Y": True, "N": False}},
    },
}

CSV = """case,badge,person,when,district,beat,block,resistance,force,race,sex,age,hurt
A1,100,p1,2024-05-01 10:00,2,21,10XX Main,active,Taser,B,M,30,Y
A1,101,p1,2024-05-01 10:00,2,21,10XX Main,assault,Hold,B,M,30,N
A2,102,p2,2024-05-02 11:00,1,11,,passive,Presence,Z,F,17,N
A3,103,p3,not a date,1,12,,active,Hold,W,M,40,N
A4,104,p4,2024-05-03 09:15,1,12,,active,Lasso,H,M,0,
,105,p5,2024-05-03 09:15,1,12,,active,Hold,H,M,22,N
A3,106,p6,2024-05-04 09:15,1,12,,active,Hold,W,M,41,N
"""


def rows(text: str = CSV) -> tuple[list[str], Any]:
    return imports.csv_rows(io.StringIO(text))


def run(city: Any, text: str = CSV, mapping: dict | None = None, actor: Any = "system:test") -> Any:
    header, data = rows(text)
    return force_import(
        actor=actor,
        agency=city.agency,
        mapping=imports.parse_mapping(mapping or MAPPING),
        header=header,
        rows=data,
        batch_size=2,
    )


def test_import_groups_rows_reports_errors_and_warnings(city: Any) -> None:
    result = run(city)
    assert result.rows_read == 7
    # Line 5 (bad date) and line 7 (empty key) are rejected; A3's later valid row on line 8
    # is dropped with it: never half an incident.
    assert [(e.line, e.column) for e in result.errors] == [(5, "when"), (7, "case")]
    assert result.rows_rejected == 2
    assert result.incidents_rejected == 1
    assert result.incidents_created == 3
    warnings = {(w.line, w.column) for w in result.warnings}
    assert warnings == {(4, "race"), (6, "force"), (6, "age")}
    a1 = ForceIncident.objects.get(external_id="A1")
    assert a1.source == "testcity"
    assert a1.resistance == "assaultive"
    assert a1.force_types == ["control_hold", "taser"]
    assert a1.district == city.d2
    assert a1.beat == city.beats["21"]
    assert a1.officers.count() == 2
    subject = a1.subjects.get()
    assert (subject.race, subject.sex, subject.age, subject.injured) == ("black", "male", 30, True)
    a2 = ForceIncident.objects.get(external_id="A2")
    assert a2.force_types == []  # "Presence" is known but is not force
    assert a2.subjects.get().race == "unknown"  # unmapped "Z", reported as a warning
    a4 = ForceIncident.objects.get(external_id="A4")
    assert a4.force_types == ["other"]
    assert a4.subjects.get().age is None
    assert AuditEntry.objects.filter(action="force.import").count() == 2  # batches of 2


def test_reimport_is_idempotent(city: Any) -> None:
    first = run(city)
    counts = (
        ForceIncident.objects.count(),
        ForceOfficer.objects.count(),
        ForceSubject.objects.count(),
    )
    second = run(city)
    assert second.incidents_created == 0
    assert second.incidents_skipped == first.incidents_created
    assert counts == (
        ForceIncident.objects.count(),
        ForceOfficer.objects.count(),
        ForceSubject.objects.count(),
    )
    # A new row for a new case only adds that case.
    third = run(city, CSV + "A9,200,p9,2024-06-01 12:00,1,11,,active,Hold,W,F,33,N\n")
    assert third.incidents_created == 1


def test_import_requires_permission(city: Any, make_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        run(city, actor=make_user("supervisor"))
    assert run(city, actor=make_user("analyst")).incidents_created == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format_version": 2}, "format_version"),
        ({"source": ""}, "source"),
        ({"incident_key": []}, "incident_key"),
        ({"fields": {"when": {}}}, "unknown fields"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_mapping_errors(change: dict, message: str) -> None:
    with pytest.raises(imports.MappingError, match=message):
        imports.parse_mapping({**MAPPING, **change})


def test_mapping_code_checked() -> None:
    bad = json.loads(json.dumps(MAPPING))
    bad["fields"]["subject.race"]["values"]["X"] = "martian"
    with pytest.raises(imports.MappingError, match="martian"):
        imports.parse_mapping(bad)
    bad = json.loads(json.dumps(MAPPING))
    del bad["fields"]["occurred_at"]["format"]
    with pytest.raises(imports.MappingError, match="format"):
        imports.parse_mapping(bad)


def test_missing_column_is_a_clear_error(city: Any) -> None:
    with pytest.raises(ApplicationError, match="no column"):
        run(city, CSV.replace("hurt", "injured"))
    assert not ForceIncident.objects.exists()


def test_builtin_mappings_load() -> None:
    for fmt in imports.BUILTIN_FORMATS:
        assert imports.builtin_mapping(fmt).source


def test_command_with_mapping(city: Any, tmp_path: Path) -> None:
    data = tmp_path / "uof.csv"
    data.write_text(CSV, encoding="utf-8")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps(MAPPING), encoding="utf-8")
    report = tmp_path / "issues.csv"
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "force",
        "import",
        str(data),
        "--format",
        "csv",
        "--mapping",
        str(mapping),
        "--report",
        str(report),
        stdout=out,
        stderr=err,
    )
    assert "3 created" in out.getvalue()
    assert "line 5, when: error" in err.getvalue()
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "line,column,severity,message"
    assert len(lines) == 1 + 5
    with pytest.raises(CommandError, match="--mapping"):
        call_command("force", "import", str(data), "--format", "csv")
    mapping.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid"):
        call_command("force", "import", str(data), "--mapping", str(mapping))
