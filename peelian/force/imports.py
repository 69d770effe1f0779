"""Reading another agency's use-of-force records through a declared column mapping.

Nothing here touches the database: ``plan_import`` turns rows (dicts of text, or of lists of
text for joined files) into ``ParsedIncident`` objects plus a row-level issue list, and the
service ``force_import`` writes the valid incidents. The mapping file format is documented in
docs/data/use-of-force.md; the built-in mappings are in ``peelian/force/mappings/``.

Rules:

* rows sharing the ``incident_key`` columns form one incident (its ``external_id`` is the
  key's values joined by ``|``); within it, rows sharing ``officer_key`` form one officer
  record and rows sharing ``subject_key`` one subject;
* an **error** rejects the row, and with it the whole incident (never a half incident);
* a **warning** keeps the row: a value the mapping does not know is stored as the field's
  ``unmapped`` value (``unknown`` or ``other``) and reported, never silently dropped.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peelian.agency.models import RACES
from peelian.force.models import (
    FORCE_TYPES,
    RESISTANCE_ORDER,
    Armed,
    ContactReason,
    ForceReason,
    Resistance,
)

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
BUILTIN_FORMATS = {"chicago-trr": "chicago-trr.json", "minneapolis": "minneapolis.json"}
FORMATS = (*BUILTIN_FORMATS, "csv")

Cell = str | list[str]

CHOICES: dict[str, list[str]] = {
    "contact_reason": [c for c, _l in ContactReason.choices],
    "force_reason": [c for c, _l in ForceReason.choices],
    "resistance": [c for c, _l in Resistance.choices],
    "subject.race": list(RACES),
    "subject.sex": ["female", "male", "unknown"],
    "subject.armed": [c for c, _l in Armed.choices],
}
TEXT_FIELDS = {
    "location_text": 300,
    "beat_code": 20,
    "district_code": 20,
    "officer.name_given": 160,
}
BOOL_FIELDS = ("subject.injured", "subject.hospitalized")
KNOWN_FIELDS = {"occurred_at", "force_types", "subject.age", *CHOICES, *TEXT_FIELDS, *BOOL_FIELDS}
MIN_AGE, MAX_AGE = 5, 110


class MappingError(ValueError):
    """The mapping file is malformed; the message names the place."""


def norm(value: str) -> str:
    """How cells and mapping keys are compared: whitespace collapsed, case folded."""
    return " ".join(value.split()).casefold()


# --- the mapping ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    name: str
    columns: tuple[str, ...] = ()
    constant: Any = None
    values: Mapping[str, Any] | None = None
    default: Any = None
    unmapped: Any = None
    fmt: str = ""
    join: str = " "
    zfill: int = 0
    slice: tuple[int, int] | None = None
    lstrip_zeros: bool = False


@dataclass(frozen=True)
class ColumnMapping:
    source: str
    incident_key: tuple[str, ...]
    officer_key: tuple[str, ...]
    subject_key: tuple[str, ...]
    timezone: str | None
    fields: Mapping[str, FieldSpec]
    force_sources: tuple[FieldSpec, ...]

    def columns(self) -> set[str]:
        cols = {*self.incident_key, *self.officer_key, *self.subject_key}
        for spec in (*self.fields.values(), *self.force_sources):
            cols.update(spec.columns)
        return cols


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise MappingError(f"{where}: give a column name or a non-empty list of column names")


def _field_spec(name: str, raw: Any, where: str) -> FieldSpec:
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: must be an object")
    allowed = {"column", "columns", "constant", "values", "default", "unmapped", "format"}
    allowed |= {"join", "zfill", "slice", "lstrip_zeros"}
    unknown = set(raw) - allowed
    if unknown:
        raise MappingError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    if "constant" in raw:
        if "column" in raw or "columns" in raw:
            raise MappingError(f"{where}: give either a constant or a column, not both")
        columns: tuple[str, ...] = ()
    elif "column" in raw:
        columns = _str_list(raw["column"], f"{where}.column")
    elif "columns" in raw:
        columns = _str_list(raw["columns"], f"{where}.columns")
    else:
        raise MappingError(f"{where}: give a column, columns or a constant")
    values = raw.get("values")
    if values is not None:
        if not isinstance(values, dict):
            raise MappingError(f"{where}.values: must be an object of source value -> code")
        values = {norm(str(k)): v for k, v in values.items()}
    slice_ = raw.get("slice")
    if slice_ is not None and not (
        isinstance(slice_, list) and len(slice_) == 2 and all(isinstance(i, int) for i in slice_)
    ):
        raise MappingError(f"{where}.slice: must be [start, end]")
    zfill = raw.get("zfill", 0)
    if not isinstance(zfill, int) or zfill < 0:
        raise MappingError(f"{where}.zfill: must be a whole number")
    spec = FieldSpec(
        name=name,
        columns=columns,
        constant=raw.get("constant"),
        values=values,
        default=raw.get("default"),
        unmapped=raw.get("unmapped"),
        fmt=str(raw.get("format", "")),
        join=str(raw.get("join", " ")),
        zfill=zfill,
        slice=tuple(slice_) if slice_ else None,
        lstrip_zeros=bool(raw.get("lstrip_zeros", False)),
    )
    if name == "occurred_at" and not spec.fmt:
        raise MappingError(f"{where}: give the date format (strptime)")
    _check_codes(spec, where)
    return spec


def _check_codes(spec: FieldSpec, where: str) -> None:
    allowed: list[Any] | None = None
    if spec.name in CHOICES:
        allowed = CHOICES[spec.name]
    elif spec.name in BOOL_FIELDS:
        allowed = [True, False, None]
    elif spec.name == "force_types":
        allowed = [*FORCE_TYPES, None]
    if allowed is None:
        if spec.values is not None:
            raise MappingError(f"{where}: field {spec.name} takes no values map")
        return
    candidates = [("constant", spec.constant), ("default", spec.default)]
    candidates.append(("unmapped", spec.unmapped))
    candidates += [(f"values[{k!r}]", v) for k, v in (spec.values or {}).items()]
    for label, value in candidates:
        if value is None and label in ("constant", "default", "unmapped"):
            continue
        if value not in allowed:
            shown = ", ".join(str(a) for a in allowed)
            raise MappingError(f"{where}.{label}: {value!r} is not one of {shown}")


def parse_mapping(data: Any) -> ColumnMapping:
    """Check and load a mapping (the parsed JSON). Raises ``MappingError``."""
    if not isinstance(data, dict):
        raise MappingError("the mapping must be a JSON object")
    if data.get("format_version") != 1:
        raise MappingError("format_version: must be 1")
    source = data.get("source")
    if not isinstance(source, str) or not source or len(source) > 40:
        raise MappingError("source: give a name of 1 to 40 characters")
    incident_key = _str_list(data.get("incident_key"), "incident_key")
    officer_key = _str_list(data["officer_key"], "officer_key") if "officer_key" in data else ()
    subject_key = _str_list(data["subject_key"], "subject_key") if "subject_key" in data else ()
    timezone = data.get("timezone")
    if timezone is not None:
        try:
            zoneinfo.ZoneInfo(str(timezone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise MappingError(f"timezone: {timezone!r} is not a known time zone") from None
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, dict):
        raise MappingError("fields: must be an object")
    unknown = set(raw_fields) - KNOWN_FIELDS
    if unknown:
        raise MappingError(f"fields: unknown fields {', '.join(sorted(unknown))}")
    if "occurred_at" not in raw_fields:
        raise MappingError("fields.occurred_at: required")
    fields: dict[str, FieldSpec] = {}
    force_sources: tuple[FieldSpec, ...] = ()
    for name, raw in raw_fields.items():
        if name == "force_types":
            sources = raw.get("sources") if isinstance(raw, dict) else None
            if not isinstance(sources, list) or not sources:
                raise MappingError("fields.force_types.sources: give a list of sources")
            force_sources = tuple(
                _field_spec(name, s, f"fields.force_types.sources[{i}]")
                for i, s in enumerate(sources)
            )
            continue
        fields[name] = _field_spec(name, raw, f"fields.{name}")
    return ColumnMapping(
        source=source,
        incident_key=incident_key,
        officer_key=officer_key,
        subject_key=subject_key,
        timezone=str(timezone) if timezone else None,
        fields=fields,
        force_sources=force_sources,
    )


def load_mapping(path: Path | str) -> ColumnMapping:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MappingError(f"not valid JSON: {exc}") from None
    except OSError as exc:
        raise MappingError(f"cannot read the mapping: {exc.strerror}") from None
    return parse_mapping(data)


def builtin_mapping(fmt: str) -> ColumnMapping:
    return load_mapping(MAPPINGS_DIR / BUILTIN_FORMATS[fmt])


# --- reading files --------------------------------------------------------------------------


def open_text(path: Path) -> io.TextIOBase:
    """A text handle on a CSV file, gzip-compressed or not (UTF-8, BOM allowed)."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


@dataclass(frozen=True)
class SourceRow:
    line: int
    cells: Mapping[str, Cell]


def csv_rows(
    handle: Iterable[str], limit: int | None = None
) -> tuple[list[str], Iterator[SourceRow]]:
    reader = csv.reader(handle)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], iter(())

    def rows() -> Iterator[SourceRow]:
        for n, record in enumerate(reader, start=1):
            if limit is not None and n > limit:
                return
            if not any(c.strip() for c in record):
                continue
            yield SourceRow(reader.line_num, dict(zip(header, record, strict=False)))

    return header, rows()


def chicago_sibling(main: Path, kind: str) -> Path | None:
    """``TRR-main_…csv.gz`` -> the ``TRR-subjects_…`` / ``TRR-actions-responses_…`` file in
    the same folder."""
    found = sorted(main.parent.glob(f"TRR-{kind}_*.csv*"))
    return found[0] if found else None


def _index_by(
    path: Path, key: str, prefix: str, keep: tuple[str, ...]
) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    with open_text(path) as handle:
        reader = csv.DictReader(handle)
        for record in reader:
            k = (record.get(key) or "").strip()
            if k:
                out.setdefault(k, []).append({f"{prefix}.{c}": record.get(c) or "" for c in keep})
    return out


SUBJECT_COLUMNS = ("gender", "race", "age", "birth_year", "armed", "injured", "alleged_injury")
ACTION_COLUMNS = ("person", "action", "resistance_level", "force_type")


def chicago_rows(
    main: Path, subjects: Path, actions: Path, limit: int | None = None
) -> tuple[list[str], Iterator[SourceRow]]:
    """Join the three TRR files on ``trr_id``: one row per (report, subject) with the main
    columns, the subject's columns as ``subjects.<name>``, and the report's member actions
    and every resistance level recorded as lists ``actions.<name>``."""
    subject_index = _index_by(subjects, "trr_id", "subjects", SUBJECT_COLUMNS)
    action_index = _index_by(actions, "trr_id", "actions", ACTION_COLUMNS)
    handle = open_text(main)
    header, base = csv_rows(handle, limit)
    columns = [*header, *(f"subjects.{c}" for c in SUBJECT_COLUMNS)]
    columns += ["actions.member_action", "actions.resistance_level"]

    def rows() -> Iterator[SourceRow]:
        try:
            for row in base:
                trr = str(row.cells.get("trr_id", "")).strip()
                acts = action_index.get(trr, [])
                joined: dict[str, Cell] = dict(row.cells)
                joined["actions.member_action"] = [
                    a["actions.action"] for a in acts if a["actions.person"] == "Member Action"
                ]
                joined["actions.resistance_level"] = [
                    a["actions.resistance_level"] for a in acts if a["actions.resistance_level"]
                ]
                subjects_of = subject_index.get(trr) or [
                    {f"subjects.{c}": "" for c in SUBJECT_COLUMNS}
                ]
                for subject in subjects_of:
                    yield SourceRow(row.line, {**joined, **subject})
        finally:
            handle.close()

    return columns, rows()


# --- turning rows into incidents ------------------------------------------------------------


@dataclass(frozen=True)
class RowIssue:
    line: int
    column: str
    message: str
    severity: str = "error"  # or "warning"


@dataclass
class ParsedOfficer:
    name_given: str = ""
    force_types: set[str] = field(default_factory=set)


@dataclass
class ParsedSubject:
    race: str = "unknown"
    sex: str = "unknown"
    age: int | None = None
    injured: bool | None = None
    hospitalized: bool | None = None
    armed: str = "unknown"


@dataclass
class ParsedIncident:
    external_id: str
    line: int
    occurred_at: dt.datetime
    location_text: str = ""
    beat_code: str = ""
    district_code: str = ""
    contact_reason: str = "unknown"
    force_reason: str = "unknown"
    resistance: str = "unknown"
    officers: dict[str, ParsedOfficer] = field(default_factory=dict)
    subjects: dict[str, ParsedSubject] = field(default_factory=dict)

    @property
    def force_types(self) -> set[str]:
        return set().union(*(o.force_types for o in self.officers.values()))


@dataclass
class ImportPlan:
    incidents: list[ParsedIncident]
    issues: list[RowIssue]
    rows_read: int
    rows_rejected: int
    incidents_rejected: int

    @property
    def errors(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity == "warning"]


class _RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        self.column = column
        self.message = message


def _cell(row: SourceRow, column: str) -> Cell:
    value = row.cells.get(column, "")
    return value if isinstance(value, list) else str(value).strip()


def _text(spec: FieldSpec, row: SourceRow) -> str:
    if not spec.columns:
        return str(spec.constant or "")
    parts = []
    for column in spec.columns:
        value = _cell(row, column)
        text = " ".join(value) if isinstance(value, list) else value
        if spec.zfill and text:
            text = text.zfill(spec.zfill)
        if spec.slice:
            text = text[spec.slice[0] : spec.slice[1]]
        if spec.lstrip_zeros:
            text = text.lstrip("0")
        if text:
            parts.append(text)
    return spec.join.join(parts)


def _mapped(spec: FieldSpec, row: SourceRow, warn: list[RowIssue]) -> Any:
    """A coded value: the constant, or the cell(s) through the values map."""
    if not spec.columns:
        return spec.constant
    found: list[Any] = []
    for column in spec.columns:
        value = _cell(row, column)
        for raw in value if isinstance(value, list) else [value]:
            if not raw.strip():
                continue
            key = norm(raw)
            if spec.values is None:
                found.append(raw.strip())
            elif key in spec.values:
                found.append(spec.values[key])
            else:
                warn.append(
                    RowIssue(
                        row.line,
                        column,
                        f"value {raw.strip()!r} is not in the mapping; "
                        f"recorded as {spec.unmapped!r}",
                        "warning",
                    )
                )
                found.append(spec.unmapped)
    if not found:
        return spec.default
    if spec.name == "resistance":
        known = [v for v in found if v in RESISTANCE_ORDER]
        return max(known, key=RESISTANCE_ORDER.index) if known else spec.default
    return found[0]


def _occurred_at(spec: FieldSpec, row: SourceRow, tz: dt.tzinfo) -> dt.datetime:
    text = _text(spec, row)
    column = ", ".join(spec.columns)
    if not text:
        raise _RowError(column, "the date is empty")
    try:
        value = dt.datetime.strptime(text, spec.fmt)  # noqa: DTZ007 - zone set below
    except ValueError:
        raise _RowError(column, f"{text!r} does not match the date format {spec.fmt!r}") from None
    if value.year < 1900:
        raise _RowError(column, f"{text!r} is before 1900")
    return value.replace(tzinfo=tz)


def _age(spec: FieldSpec, row: SourceRow, warn: list[RowIssue]) -> int | None:
    text = _text(spec, row)
    if not text:
        return None
    try:
        age = float(text)
    except ValueError:
        age = -1.0
    if not (MIN_AGE <= age <= MAX_AGE) or age != int(age):
        warn.append(
            RowIssue(
                row.line,
                ", ".join(spec.columns),
                f"age {text!r} is not a whole number from {MIN_AGE} to {MAX_AGE}; "
                "recorded as unknown",
                "warning",
            )
        )
        return None
    return int(age)


def _key(columns: tuple[str, ...], row: SourceRow) -> str:
    parts = []
    for column in columns:
        value = _cell(row, column)
        parts.append(" ".join(value) if isinstance(value, list) else value)
    return "|".join(parts)


def _force_types(mapping: ColumnMapping, row: SourceRow, warn: list[RowIssue]) -> set[str]:
    """Each source in turn; the first whose cell(s) the values map knows gives the types.
    A value mapped to null is known but is not force (e.g. "member presence")."""
    first_unknown: list[tuple[str, str]] = []
    for spec in mapping.force_sources:
        codes: set[str] = set()
        known = False
        unknown: list[tuple[str, str]] = []
        for column in spec.columns:
            value = _cell(row, column)
            for raw in value if isinstance(value, list) else [value]:
                if not raw.strip():
                    continue
                key = norm(raw)
                if spec.values is not None and key in spec.values:
                    known = True
                    if spec.values[key] is not None:
                        codes.add(spec.values[key])
                else:
                    unknown.append((column, raw.strip()))
        if known:
            _warn_force(row, unknown, warn)
            return codes | ({"other"} if unknown else set())
        if unknown and not first_unknown:
            first_unknown = unknown
    _warn_force(row, first_unknown, warn)
    return {"other"} if first_unknown else set()


def _warn_force(row: SourceRow, unknown: list[tuple[str, str]], warn: list[RowIssue]) -> None:
    for column, raw in unknown:
        message = f"force type {raw!r} is not in the mapping; recorded as 'other'"
        warn.append(RowIssue(row.line, column, message, "warning"))


def plan_import(
    mapping: ColumnMapping,
    header: list[str],
    rows: Iterable[SourceRow],
    *,
    default_timezone: str,
) -> ImportPlan:
    """Read every row; return the valid incidents and every issue found."""
    missing = sorted(mapping.columns() - set(header))
    if missing:
        raise MappingError(f"the file has no column(s) {', '.join(missing)}")
    tz = zoneinfo.ZoneInfo(mapping.timezone or default_timezone)
    incidents: dict[str, ParsedIncident] = {}
    bad: set[str] = set()
    issues: list[RowIssue] = []
    read = rejected = 0
    f = mapping.fields
    for row in rows:
        read += 1
        warn: list[RowIssue] = []
        key = _key(mapping.incident_key, row)
        try:
            if not key.replace("|", "").strip():
                raise _RowError(", ".join(mapping.incident_key), "the incident key is empty")
            if len(key) > 160:
                raise _RowError(", ".join(mapping.incident_key), "the incident key is too long")
            occurred = _occurred_at(f["occurred_at"], row, tz)
            texts = {}
            for name, limit in TEXT_FIELDS.items():
                value = _text(f[name], row) if name in f else ""
                if len(value) > limit:
                    raise _RowError(", ".join(f[name].columns), f"longer than {limit} characters")
                texts[name] = value
        except _RowError as exc:
            rejected += 1
            issues.append(RowIssue(row.line, exc.column, exc.message))
            if key:
                bad.add(key)
            continue
        coded = {name: (_mapped(f[name], row, warn) if name in f else None) for name in CHOICES}
        incident = incidents.get(key)
        if incident is None:
            incident = incidents[key] = ParsedIncident(
                external_id=key,
                line=row.line,
                occurred_at=occurred,
                location_text=texts["location_text"],
                beat_code=texts["beat_code"],
                district_code=texts["district_code"],
                contact_reason=coded["contact_reason"] or "unknown",
                force_reason=coded["force_reason"] or "unknown",
                resistance=coded["resistance"] or "unknown",
            )
        else:
            incident.occurred_at = min(incident.occurred_at, occurred)
            level = coded["resistance"] or "unknown"
            if RESISTANCE_ORDER.index(level) > RESISTANCE_ORDER.index(incident.resistance):
                incident.resistance = level
        officer = incident.officers.setdefault(
            _key(mapping.officer_key, row) if mapping.officer_key else "",
            ParsedOfficer(name_given=texts["officer.name_given"]),
        )
        officer.force_types |= _force_types(mapping, row, warn)
        subject = ParsedSubject(
            race=coded["subject.race"] or "unknown",
            sex=coded["subject.sex"] or "unknown",
            age=_age(f["subject.age"], row, warn) if "subject.age" in f else None,
            injured=_mapped(f["subject.injured"], row, warn) if "subject.injured" in f else None,
            hospitalized=(
                _mapped(f["subject.hospitalized"], row, warn)
                if "subject.hospitalized" in f
                else None
            ),
            armed=coded["subject.armed"] or "unknown",
        )
        subject_key = (
            _key(mapping.subject_key, row)
            if mapping.subject_key
            else f"{subject.race}|{subject.sex}|{subject.age}"
        )
        known = incident.subjects.get(subject_key)
        if known is None:
            incident.subjects[subject_key] = subject
        else:
            # The same person on several rows: any "yes" wins over "no" over unknown.
            for attr in ("injured", "hospitalized"):
                a, b = getattr(known, attr), getattr(subject, attr)
                if b is True or (a is None and b is not None):
                    setattr(known, attr, b)
        issues.extend(warn)
    for key in bad:
        incidents.pop(key, None)
    return ImportPlan(
        incidents=list(incidents.values()),
        issues=sorted(issues, key=lambda i: (i.line, i.severity != "error")),
        rows_read=read,
        rows_rejected=rejected,
        incidents_rejected=len(bad),
    )
