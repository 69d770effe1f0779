"""Reading complaint history from another system: a declared column mapping (JSON) applied
row by row to CSV, CSV.gz or R data (.rds) files. Pure functions: nothing here touches the
database; ``peelian.oversight.services.imports`` writes what this module produces.

The mapping format is documented in docs/data/complaints-import.md. In short::

    {"name": ..., "source": "chicago-cpdp", "single_file": false,
     "complaint": {"id": "cr_id", "received_at": {...field...}, ...},
     "allegation": {"complaint_id": "cr_id", "category": {...field...}, ...},
     "complainant": {"race": {...field...}, ...}}

A field is ``{"column": "name" | ["first", "fallback"], "required": bool, "format": "%Y-%m-%d",
"values": {"source value": "code" | null}, "patterns": [["regex", "code" | null], ...],
"unmapped": "error" | "blank", "default": "code", "null_values": ["UNKNOWN"],
"extract": "regex with one group", "then": {...another field...}}``.

Every problem is reported, never dropped silently: a problem with the mapping itself raises
``MappingError`` with every message; a file without a column the mapping names raises
``TableError`` (once, before any row is read); a bad value gives a ``RowError`` with the
line, column, value and kind, and the whole complaint it belongs to is left out (never half
a complaint).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peelian.agency.models import RACES, SEX_CHOICES
from peelian.oversight.models import Complaint, Discipline, Finding

SEXES = [code for code, _label in SEX_CHOICES]

# Target field -> value type. "date" also accepts a format with a time ("%Y-%m-%d %H:%M").
COMPLAINT_TARGETS = {
    "received_at": "date",
    "occurred_on": "date",
    "occurred_time": "time",
    "closed_at": "date",
    "location_text": "text",
    "beat": "code",
    "district": "code",
    "category": "category",
}
ALLEGATION_TARGETS = {
    "category": "category",
    "finding": "finding",
    "final_finding": "finding",
    "discipline": "discipline",
    "suspension_days": "integer",
    "decided_at": "date",
    "officer_badge": "code",
    "officer_first_name": "text",
    "officer_last_name": "text",
    "officer_name": "text",
}
# Demographics only: a complainant's name or contact details cannot be mapped.
COMPLAINANT_TARGETS = {"race": "race", "sex": "sex", "age": "integer"}
REQUIRED_TARGETS = {"complaint": {"received_at"}, "allegation": {"category"}}
CODED_TYPES = {"category", "finding", "discipline", "race", "sex"}
FIELD_KEYS = {
    "column",
    "required",
    "format",
    "values",
    "patterns",
    "unmapped",
    "default",
    "null_values",
    "extract",
    "then",
}
TEXT_LIMITS = {"location_text": 300, "officer_first_name": 80, "officer_last_name": 80}
NAME_LIMIT = 160
BADGE_LIMIT = 20
EXTERNAL_ID_LIMIT = 64
EARLIEST_YEAR = 1900
_INTEGRAL_FLOAT = re.compile(r"^(-?\d+)\.0*$")


class MappingError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class TableError(ValueError):
    """The file cannot be read, or lacks columns the mapping needs."""


@dataclass(frozen=True)
class FieldSpec:
    target: str
    kind: str
    columns: tuple[str, ...]
    required: bool = False
    format: str | None = None
    values: Mapping[str, str | None] | None = None
    patterns: tuple[tuple[re.Pattern[str], str | None], ...] = ()
    unmapped: str = "error"
    default: str | None = None
    null_values: frozenset[str] = frozenset()
    extract: re.Pattern[str] | None = None
    then: FieldSpec | None = None

    def all_columns(self) -> set[str]:
        cols = set(self.columns)
        if self.then is not None:
            cols |= self.then.all_columns()
        return cols


@dataclass(frozen=True)
class ImportMapping:
    name: str
    source: str
    single_file: bool
    complaint_id: str
    complaint: dict[str, FieldSpec]
    allegation_complaint_id: str | None
    allegation: dict[str, FieldSpec]
    complainant: dict[str, FieldSpec]

    def complaint_columns(self) -> set[str]:
        cols = {self.complaint_id}
        for spec in (*self.complaint.values(), *self.complainant.values()):
            cols |= spec.all_columns()
        return cols

    def allegation_columns(self) -> set[str]:
        cols = {self.allegation_complaint_id or self.complaint_id}
        for spec in self.allegation.values():
            cols |= spec.all_columns()
        return cols


def _fold(value: str) -> str:
    return " ".join(value.split()).casefold()


def _allowed_codes(kind: str, category_codes: Iterable[str]) -> set[str] | None:
    if kind == "category":
        return set(category_codes)
    if kind == "finding":
        return set(Finding.values)
    if kind == "discipline":
        return set(Discipline.values)
    if kind == "race":
        return set(RACES)
    if kind == "sex":
        return set(SEXES)
    return None


def _parse_field(
    where: str, target: str, kind: str, raw: Any, category_codes: set[str], errors: list[str]
) -> FieldSpec | None:
    if isinstance(raw, str):
        raw = {"column": raw}
    if not isinstance(raw, dict):
        errors.append(f"{where}: must be a column name or an object")
        return None
    unknown = set(raw) - FIELD_KEYS
    if unknown:
        errors.append(f"{where}: unknown keys {sorted(unknown)}")
    column = raw.get("column")
    columns = [column] if isinstance(column, str) else column
    if (
        not columns
        or not isinstance(columns, list)
        or not all(isinstance(c, str) and c for c in columns)
    ):
        errors.append(f"{where}: 'column' must be a column name or a list of column names")
        return None
    allowed = _allowed_codes(kind, category_codes)
    values: dict[str, str | None] | None = None
    if "values" in raw:
        if not isinstance(raw["values"], dict):
            errors.append(f"{where}: 'values' must be an object")
        else:
            values = {}
            for key, code in raw["values"].items():
                folded = _fold(str(key))
                if folded in values:
                    errors.append(f"{where}: the value {key!r} is listed twice")
                if code is not None and not isinstance(code, str):
                    errors.append(f"{where}: the value for {key!r} must be a code or null")
                    continue
                if allowed is not None and code is not None and code not in allowed:
                    errors.append(
                        f"{where}: {key!r} maps to {code!r}, which is not one of {sorted(allowed)}"
                    )
                values[folded] = code
    patterns: list[tuple[re.Pattern[str], str | None]] = []
    for item in raw.get("patterns", []) or []:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
            errors.append(f"{where}: each pattern must be [regex, code]")
            continue
        try:
            compiled = re.compile(item[0], re.IGNORECASE)
        except re.error as exc:
            errors.append(f"{where}: bad pattern {item[0]!r}: {exc}")
            continue
        if allowed is not None and item[1] is not None and item[1] not in allowed:
            errors.append(f"{where}: pattern {item[0]!r} maps to unknown code {item[1]!r}")
        patterns.append((compiled, item[1]))
    if kind in CODED_TYPES and values is None and not patterns:
        errors.append(f"{where}: a {kind} needs 'values' or 'patterns' to map source values")
    unmapped = raw.get("unmapped", "error")
    if unmapped not in {"error", "blank"}:
        errors.append(f"{where}: 'unmapped' must be 'error' or 'blank'")
    default = raw.get("default")
    if default is not None and allowed is not None and default not in allowed:
        errors.append(f"{where}: default {default!r} is not one of {sorted(allowed)}")
    fmt = raw.get("format")
    if fmt is not None and kind not in {"date", "time"}:
        errors.append(f"{where}: 'format' applies only to dates and times")
    if (
        kind in {"date", "time"}
        and fmt is not None
        and (not isinstance(fmt, str) or "%" not in fmt)
    ):
        errors.append(f"{where}: bad format {fmt!r}: use strptime codes such as %Y-%m-%d")
    extract = None
    if "extract" in raw:
        try:
            extract = re.compile(str(raw["extract"]), re.IGNORECASE)
            if extract.groups != 1:
                errors.append(f"{where}: 'extract' needs exactly one group")
        except re.error as exc:
            errors.append(f"{where}: bad extract pattern: {exc}")
    null_values = raw.get("null_values", [])
    if not isinstance(null_values, list):
        errors.append(f"{where}: 'null_values' must be a list")
        null_values = []
    then = None
    if "then" in raw:
        then = _parse_field(f"{where}.then", target, kind, raw["then"], category_codes, errors)
    return FieldSpec(
        target=target,
        kind=kind,
        columns=tuple(columns),
        required=bool(raw.get("required", False)),
        format=fmt,
        values=values,
        patterns=tuple(patterns),
        unmapped=unmapped,
        default=default,
        null_values=frozenset(_fold(str(v)) for v in null_values),
        extract=extract,
        then=then,
    )


def _parse_section(
    data: dict[str, Any],
    section: str,
    targets: dict[str, str],
    reserved: set[str],
    category_codes: set[str],
    errors: list[str],
) -> dict[str, FieldSpec]:
    raw = data.get(section, {})
    if not isinstance(raw, dict):
        errors.append(f"{section}: must be an object")
        return {}
    specs: dict[str, FieldSpec] = {}
    for target, spec in raw.items():
        if target in reserved:
            continue
        if target not in targets:
            errors.append(
                f"{section}.{target}: not a field that can be imported "
                f"(choose from {sorted(targets)})"
            )
            continue
        parsed = _parse_field(
            f"{section}.{target}", target, targets[target], spec, category_codes, errors
        )
        if parsed is not None:
            specs[target] = parsed
    for target in REQUIRED_TARGETS.get(section, set()):
        if target not in specs and target not in {e.split(".")[1] for e in errors if "." in e}:
            errors.append(f"{section}.{target}: required, but the mapping does not give it")
    return specs


def load_mapping(data: Any, *, category_codes: Iterable[str]) -> ImportMapping:
    """Validate a mapping (parsed JSON) against the allegation taxonomy's codes; raise
    ``MappingError`` listing every problem at once."""
    errors: list[str] = []
    codes = set(category_codes)
    if not isinstance(data, dict):
        raise MappingError(["the mapping must be a JSON object"])
    unknown = set(data) - {
        "name",
        "source",
        "single_file",
        "description",
        "complaint",
        "allegation",
        "complainant",
    }
    if unknown:
        errors.append(f"unknown top-level keys {sorted(unknown)}")
    source = data.get("source")
    if not isinstance(source, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,23}", source):
        errors.append(
            "source: required, 1-24 lower-case letters, digits, '-' or '_' (it prefixes every "
            "imported complaint's source record id)"
        )
        source = ""
    complaint = data.get("complaint")
    complaint_id = complaint.get("id") if isinstance(complaint, dict) else None
    if not isinstance(complaint_id, str) or not complaint_id:
        errors.append("complaint.id: required, the column holding the complaint's id")
        complaint_id = ""
    allegation_raw = data.get("allegation")
    if not isinstance(allegation_raw, dict):
        errors.append("allegation: required, the allegation fields")
        allegation_raw = {}
    join = allegation_raw.get("complaint_id")
    single = bool(data.get("single_file", False))
    if join is not None and not isinstance(join, str):
        errors.append("allegation.complaint_id: must be a column name")
        join = None
    if not single and not join:
        errors.append(
            "allegation.complaint_id: required when complaints and allegations are separate "
            "files (the column joining an allegation to its complaint)"
        )
    complaint_specs = _parse_section(data, "complaint", COMPLAINT_TARGETS, {"id"}, codes, errors)
    allegation_specs = _parse_section(
        data, "allegation", ALLEGATION_TARGETS, {"complaint_id"}, codes, errors
    )
    complainant_specs = _parse_section(
        data, "complainant", COMPLAINANT_TARGETS, set(), codes, errors
    )
    if errors:
        raise MappingError(errors)
    return ImportMapping(
        name=str(data.get("name") or source),
        source=source,
        single_file=single,
        complaint_id=complaint_id,
        complaint=complaint_specs,
        allegation_complaint_id=join,
        allegation=allegation_specs,
        complainant=complainant_specs,
    )


# --- reading files ---------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    return "" if text in {"nan", "NaN", "<NA>", "NaT"} else text


@dataclass
class Table:
    """A file's header and its rows; ``rows`` yields (line, {column: text}). For CSV the line
    is the physical line (the header is line 1); for R data it is the data row + 1, so both
    read the same way."""

    path: str
    columns: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]


def read_table(path: str | Path) -> Table:
    """Open a CSV, CSV.gz or .rds file; raise ``TableError`` when it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise TableError(f"{path}: no such file")
    name = path.name.lower()
    if name.endswith(".rds"):
        return _read_rds(path)
    try:
        raw = path.read_bytes()
        if name.endswith(".gz"):
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8-sig")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise TableError(f"{path}: cannot read the file ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise TableError(f"{path}: not UTF-8 text ({exc})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise TableError(f"{path}: the file is empty") from None
    except csv.Error as exc:
        raise TableError(f"{path}: not a CSV file ({exc})") from exc
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        dupes = sorted(h for h, n in Counter(header).items() if n > 1)
        raise TableError(f"{path}: repeated column names {dupes}")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        line = reader.line_num
        try:
            for record in reader:
                yield line + 1, dict(zip(header, record, strict=False))
                line = reader.line_num
        except csv.Error as exc:
            raise TableError(f"{path}: line {reader.line_num}: {exc}") from exc

    return Table(path=str(path), columns=header, rows=rows())


def _read_rds(path: Path) -> Table:
    try:
        import pyreadr
    except ImportError as exc:  # pragma: no cover - pyreadr is a dependency
        raise TableError("reading .rds files needs the pyreadr package") from exc
    try:
        frames = pyreadr.read_r(str(path))
    except Exception as exc:  # pyreadr raises its own error types for corrupt files
        raise TableError(f"{path}: cannot read the R data file ({exc})") from exc
    if len(frames) != 1:
        raise TableError(f"{path}: expected one data frame, found {len(frames)}")
    frame = next(iter(frames.values()))
    columns = [str(c) for c in frame.columns]

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for number, values in enumerate(frame.itertuples(index=False, name=None), start=2):
            yield number, {c: _cell(v) for c, v in zip(columns, values, strict=True)}

    return Table(path=str(path), columns=columns, rows=rows())


# --- applying the mapping --------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    column: str
    value: str
    kind: str
    message: str

    def __str__(self) -> str:
        where = f"{Path(self.file).name}:{self.line}"
        if self.column:
            where += f" [{self.column}={self.value!r}]"
        return f"{where}: {self.message} ({self.kind})"


@dataclass
class AllegationRecord:
    line: int
    values: dict[str, Any]


@dataclass
class ComplaintRecord:
    source_id: str
    external_id: str
    line: int
    values: dict[str, Any]
    complainant: dict[str, Any]
    allegations: list[AllegationRecord] = field(default_factory=list)
    status: str = Complaint.Status.RECEIVED


@dataclass
class ParseResult:
    records: list[ComplaintRecord]
    errors: list[RowError]
    complaint_rows: int = 0
    allegation_rows: int = 0
    rejected_complaints: int = 0
    # Complaints with no allegation rows: imported (the officer may never have been
    # identified), and counted so the report shows them.
    without_allegations: int = 0

    def error_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(e.kind for e in self.errors).items()))


class _Bad(Exception):
    def __init__(self, column: str, value: str, kind: str, message: str) -> None:
        super().__init__(message)
        self.column, self.value, self.kind, self.message = column, value, kind, message


def _first_value(spec: FieldSpec, row: dict[str, str]) -> tuple[str, str]:
    for column in spec.columns:
        value = (row.get(column) or "").strip()
        if value and _fold(value) not in spec.null_values:
            return column, value
    return spec.columns[0], ""


def _convert(spec: FieldSpec, column: str, value: str) -> Any:
    if spec.extract is not None:
        match = spec.extract.search(value)
        if match is None:
            return None
        value = match.group(1)
    if spec.kind in CODED_TYPES:
        folded = _fold(value)
        if spec.values is not None and folded in spec.values:
            return spec.values[folded]
        for pattern, code in spec.patterns:
            if pattern.search(value):
                return code
        if spec.unmapped == "blank":
            return None
        raise _Bad(column, value, f"unknown_{spec.kind}", f"no {spec.kind} is mapped for this")
    if spec.kind == "date":
        fmt = spec.format or "%Y-%m-%d"
        try:
            # Local wall-clock dates; the service makes them aware in the site's zone.
            parsed = dt.datetime.strptime(value, fmt)  # noqa: DTZ007
        except ValueError:
            raise _Bad(column, value, "bad_date", f"not a date in the format {fmt}") from None
        if parsed.year < EARLIEST_YEAR or parsed.date() > dt.datetime.now(dt.UTC).date():
            raise _Bad(column, value, "impossible_date", "the date is before 1900 or in the future")
        has_time = any(d in fmt for d in ("%H", "%I", "%M"))
        return parsed if has_time else parsed.date()
    if spec.kind == "time":
        fmt = spec.format or "%H:%M:%S"
        try:
            return dt.datetime.strptime(value, fmt).time()  # noqa: DTZ007
        except ValueError:
            raise _Bad(column, value, "bad_time", f"not a time in the format {fmt}") from None
    if spec.kind == "integer":
        match = _INTEGRAL_FLOAT.match(value)
        text = match.group(1) if match else value
        try:
            number = int(text)
        except ValueError:
            raise _Bad(column, value, "bad_number", "not a whole number") from None
        if not 0 <= number <= 32767:
            raise _Bad(column, value, "bad_number", "the number is out of range")
        return number
    if spec.kind == "code":
        match = _INTEGRAL_FLOAT.match(value)
        value = match.group(1) if match else value
        if len(value) > BADGE_LIMIT:
            raise _Bad(column, value, "too_long", f"longer than {BADGE_LIMIT} characters")
        return value
    limit = TEXT_LIMITS.get(spec.target, NAME_LIMIT)
    if len(value) > limit:
        raise _Bad(column, value, "too_long", f"longer than {limit} characters")
    return value


def _apply(spec: FieldSpec, row: dict[str, str]) -> Any:
    column, value = _first_value(spec, row)
    result = _convert(spec, column, value) if value else None
    if result is None and spec.then is not None:
        result = _apply(spec.then, row)
    if result is None and spec.default is not None:
        result = spec.default
    if result is None and spec.required:
        raise _Bad(column, value, "missing_value", "a value is required")
    return result


def _map_row(
    specs: dict[str, FieldSpec], row: dict[str, str], path: str, line: int, errors: list[RowError]
) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    ok = True
    for target, spec in specs.items():
        try:
            out[target] = _apply(spec, row)
        except _Bad as bad:
            errors.append(RowError(path, line, bad.column, bad.value, bad.kind, bad.message))
            ok = False
    return out if ok else None


def _check_columns(table: Table, needed: set[str], what: str) -> None:
    missing = sorted(needed - set(table.columns))
    if missing:
        raise TableError(
            f"{table.path}: the {what} file lacks the columns {missing} that the mapping names"
        )


def _source_id(row: dict[str, str], column: str) -> str:
    value = (row.get(column) or "").strip()
    match = _INTEGRAL_FLOAT.match(value)
    return match.group(1) if match else value


def _date_of(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _check_dates(values: dict[str, Any]) -> tuple[str, str] | None:
    received = _date_of(values.get("received_at"))
    closed = _date_of(values.get("closed_at"))
    occurred = _date_of(values.get("occurred_on"))
    if received and closed and closed < received:
        return "closed_at", "closed before it was received"
    if received and occurred and occurred > received:
        return "occurred_on", "the incident is dated after the complaint was received"
    return None


def derive_status(values: dict[str, Any], allegations: list[AllegationRecord]) -> str:
    """Closed when the data gives a closing date; decided when every allegation has a final
    finding; findings issued when every allegation has a finding; otherwise received (the
    case enters the triage queue as an open case)."""
    if values.get("closed_at"):
        return Complaint.Status.CLOSED
    if allegations and all(a.values.get("final_finding") for a in allegations):
        return Complaint.Status.DECIDED
    if allegations and all(a.values.get("finding") for a in allegations):
        return Complaint.Status.FINDINGS
    return Complaint.Status.RECEIVED


def parse(
    mapping: ImportMapping,
    complaints: Table,
    allegations: Table | None = None,
    *,
    limit: int | None = None,
) -> ParseResult:
    """Apply the mapping. With ``single_file`` the complaints table holds one row per
    allegation, and the complaint's own fields come from the first row of each complaint.
    ``limit`` keeps the first N complaints (and their allegations) only."""
    errors: list[RowError] = []
    if mapping.single_file:
        if allegations is not None:
            raise TableError("this mapping reads complaints and allegations from one file")
        _check_columns(complaints, mapping.complaint_columns() | mapping.allegation_columns(), "")
    else:
        if allegations is None:
            raise TableError("this mapping needs the allegations file (--allegations)")
        _check_columns(complaints, mapping.complaint_columns(), "complaints")
        _check_columns(allegations, mapping.allegation_columns(), "allegations")

    by_id: dict[str, ComplaintRecord] = {}
    rejected: set[str] = set()
    result = ParseResult(records=[], errors=errors)
    join = mapping.allegation_complaint_id or mapping.complaint_id

    def add_complaint(line: int, row: dict[str, str]) -> str | None:
        source_id = _source_id(row, mapping.complaint_id)
        if not source_id:
            errors.append(
                RowError(complaints.path, line, mapping.complaint_id, "", "missing_id", "no id")
            )
            return None
        external_id = f"{mapping.source}:{source_id}"
        if len(external_id) > EXTERNAL_ID_LIMIT:
            errors.append(
                RowError(
                    complaints.path,
                    line,
                    mapping.complaint_id,
                    source_id,
                    "too_long",
                    "the id is too long",
                )
            )
            rejected.add(source_id)
            return source_id
        if source_id in by_id or source_id in rejected:
            if not mapping.single_file:
                errors.append(
                    RowError(
                        complaints.path,
                        line,
                        mapping.complaint_id,
                        source_id,
                        "duplicate_id",
                        "this complaint id appears again",
                    )
                )
                rejected.add(source_id)
                by_id.pop(source_id, None)
            return source_id
        before = len(errors)
        values = _map_row(mapping.complaint, row, complaints.path, line, errors)
        person = _map_row(mapping.complainant, row, complaints.path, line, errors)
        if values is not None:
            wrong = _check_dates(values)
            if wrong:
                column = mapping.complaint[wrong[0]].columns[0]
                errors.append(
                    RowError(
                        complaints.path,
                        line,
                        column,
                        str(row.get(column, "")),
                        "date_order",
                        wrong[1],
                    )
                )
        if len(errors) > before or values is None or person is None:
            rejected.add(source_id)
            return source_id
        by_id[source_id] = ComplaintRecord(
            source_id=source_id,
            external_id=external_id,
            line=line,
            values=values,
            complainant={k: v for k, v in person.items() if v is not None},
        )
        return source_id

    def add_allegation(table: Table, line: int, row: dict[str, str]) -> None:
        result.allegation_rows += 1
        source_id = _source_id(row, join)
        values = _map_row(mapping.allegation, row, table.path, line, errors)
        if source_id in rejected:
            return
        record = by_id.get(source_id)
        if record is None:
            errors.append(
                RowError(
                    table.path,
                    line,
                    join,
                    source_id,
                    "orphan_allegation",
                    "no complaint with this id in the complaints file",
                )
            )
            return
        if values is None:
            rejected.add(source_id)
            del by_id[source_id]
            return
        if values.get("suspension_days") is not None and values.get("discipline") != "suspension":
            errors.append(
                RowError(
                    table.path,
                    line,
                    mapping.allegation["suspension_days"].columns[0],
                    str(values["suspension_days"]),
                    "suspension_without_suspension",
                    "suspension days are given but the discipline is not a suspension",
                )
            )
            rejected.add(source_id)
            del by_id[source_id]
            return
        record.allegations.append(AllegationRecord(line=line, values=values))

    seen: list[str] = []
    for line, row in complaints.rows:
        source_id = _source_id(row, mapping.complaint_id)
        new_id = source_id not in by_id and source_id not in rejected
        if limit is not None and new_id and len(seen) >= limit:
            if mapping.single_file:
                continue
            break
        is_new = source_id not in by_id and source_id not in rejected
        if is_new or not mapping.single_file:
            result.complaint_rows += 1
        added = add_complaint(line, row)
        if added is not None and is_new:
            seen.append(added)
        if mapping.single_file and added is not None:
            add_allegation(complaints, line, row)
    if allegations is not None:
        wanted = set(seen) if limit is not None else None
        for line, row in allegations.rows:
            if wanted is not None and _source_id(row, join) not in wanted:
                continue
            add_allegation(allegations, line, row)

    for source_id in seen:
        record = by_id.get(source_id)
        if record is None:
            continue
        if not record.allegations:
            result.without_allegations += 1
        record.status = derive_status(record.values, record.allegations)
        result.records.append(record)
    result.rejected_complaints = len(rejected)
    return result
