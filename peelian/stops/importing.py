"""Reading and validating stop files: OPP's standardized schema, California RIPA, or an
agency's own columns through a mapping file. Nothing here touches the database.

The pipeline (every step vectorized in pyarrow and DuckDB; no Python loop over rows):

1. ``read_raw`` reads the file as text columns plus ``__row``, the data row number
   (1 = the first row after the header; in a CSV file without line breaks inside quoted
   fields, data row N is line N+1). CSV and CSV.gz are read as text as they are; Parquet and
   R ``.rds`` columns are written out as the text OPP's CSV files hold (ISO dates,
   ``HH:MM:SS`` times, ``TRUE``/``FALSE``), so one validator serves every format.
2. For RIPA and mapping files, ``apply_mapping`` turns the source columns into OPP's column
   names and values (``mappings/ripa.json`` is the built-in RIPA mapping). Mapped columns
   absent from the file refuse the file, naming them.
3. ``validate`` checks every row against OPP's types and allowed values and returns the
   rows to import (typed, in the ``Stop`` model's columns), the count of each problem and
   the first ``MAX_ISSUES`` row issues.

What rejects a row (an *error*) and what keeps it with a *warning* is in ``CHECKS`` and
docs/data/stops-import.md: a row without a readable, possible date, or with a race code
OPP does not know, is rejected; an unreadable optional value becomes null (or blank) and is
warned; coordinates outside the agency's area are kept and warned. Rows are never dropped
silently: each rejected row is counted and (up to ``MAX_ISSUES``) listed.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from peelian.stops.analysis.schema import (
    FALSE_TEXT,
    OUTCOMES,
    RACE_ALIASES,
    RACES,
    SEARCH_BASES,
    SEXES,
    STOP_TYPES,
    TRUE_TEXT,
)

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
FORMATS = ("opp", "ripa", "mapping")
MAX_ISSUES = 1000
REQUIRED = ("date", "subject_race")
# OPP columns the importer reads; ``raw_row_number`` becomes ``Stop.external_id``.
TEXT_COLUMNS = ("raw_row_number", "district", "beat", "reason_for_stop", "officer_id_hash")
BOOL_COLUMNS = (
    "search_conducted",
    "contraband_found",
    "frisk_performed",
    "arrest_made",
    "citation_issued",
    "warning_issued",
)
OPP_COLUMNS = (
    "date",
    "time",
    "subject_race",
    "subject_age",
    "subject_sex",
    "lat",
    "lng",
    "type",
    "search_basis",
    "outcome",
    *TEXT_COLUMNS,
    *BOOL_COLUMNS,
)
CATEGORIES: dict[str, tuple[str, ...]] = {
    "subject_sex": SEXES,
    "type": STOP_TYPES,
    "search_basis": SEARCH_BASES,
    "outcome": OUTCOMES,
}
# Columns of ``Stop`` filled from a validated row, in insertion order.
STOP_COLUMNS = (
    "source_row",
    "external_id",
    "stop_date",
    "stop_time",
    "subject_race",
    "subject_age",
    "subject_sex",
    "district",
    "beat",
    "lat",
    "lng",
    "type",
    "search_conducted",
    "search_basis",
    "contraband_found",
    "frisk_performed",
    "arrest_made",
    "citation_issued",
    "warning_issued",
    "outcome",
    "reason_for_stop",
    "officer_id_hash",
)
EARLIEST_DATE = dt.date(1900, 1, 1)
AGE_RANGE = (0, 120)
# Half the side of the box around the agency centre outside which coordinates are warned:
# 0.5 degree of latitude (about 55 km) and the same distance in longitude.
AREA_HALF_SIDE_DEGREES = 0.5


class FileRefused(ValueError):
    """The whole file is refused (nothing is written); the message says why."""


class MappingError(ValueError):
    """The mapping file is malformed; the message names the place."""


@dataclass(frozen=True)
class Check:
    code: str
    column: str
    severity: str  # "error" rejects the row; "warning" keeps it
    message: str


CHECKS: tuple[Check, ...] = (
    Check("missing_date", "date", "error", "no date"),
    Check("unreadable_date", "date", "error", "not a date in the form YYYY-MM-DD"),
    Check(
        "impossible_date", "date", "error", "no such day, or a date before 1900 or in the future"
    ),
    Check("unknown_race", "subject_race", "error", "race code not in OPP's categories"),
    Check("missing_race", "subject_race", "warning", "no race recorded (kept, race blank)"),
    Check("unreadable_time", "time", "warning", "not a time of day HH:MM[:SS] (kept, no time)"),
    Check("unreadable_age", "subject_age", "warning", "age is not a number (kept, no age)"),
    Check("impossible_age", "subject_age", "warning", "age outside 0-120 (kept, no age)"),
    Check("unknown_sex", "subject_sex", "warning", "sex not in OPP's categories (kept, blank)"),
    Check("unknown_type", "type", "warning", "not vehicular or pedestrian (kept, blank)"),
    Check(
        "unknown_search_basis",
        "search_basis",
        "warning",
        "search basis not in OPP's categories (kept, blank)",
    ),
    Check("unknown_outcome", "outcome", "warning", "outcome not in OPP's categories (kept, blank)"),
    *(Check(f"unreadable_{b}", b, "warning", "not true/false (kept, null)") for b in BOOL_COLUMNS),
    Check(
        "contraband_without_search",
        "contraband_found",
        "warning",
        "contraband found where no search was conducted (kept, contraband null: OPP's rule)",
    ),
    Check(
        "unreadable_coordinates",
        "lat",
        "warning",
        "latitude/longitude unreadable, out of range or only one given (kept, no point)",
    ),
    Check(
        "coordinates_outside_area",
        "lat",
        "warning",
        "point outside the agency's area (kept as given)",
    ),
)
CHECKS_BY_CODE = {c.code: c for c in CHECKS}


@dataclass(frozen=True)
class Issue:
    row: int
    column: str
    code: str
    message: str
    value: str | None
    severity: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": self.message,
            "value": self.value,
            "severity": self.severity,
        }


@dataclass
class Validated:
    rows: pa.Table  # the rows to import, columns ``STOP_COLUMNS``
    rows_read: int
    rows_rejected: int
    counts: dict[str, int]
    issues: list[Issue]
    rows_skipped: int = 0  # rows of other agencies in a multi-agency file (counted)
    notes: list[str] = field(default_factory=list)

    @property
    def rows_imported(self) -> int:
        return int(self.rows.num_rows)

    @property
    def warnings(self) -> int:
        return sum(n for c, n in self.counts.items() if CHECKS_BY_CODE[c].severity == "warning")

    @property
    def errors(self) -> int:
        return sum(n for c, n in self.counts.items() if CHECKS_BY_CODE[c].severity == "error")

    def report(self) -> dict[str, Any]:
        return {
            "counts": dict(sorted(self.counts.items())),
            "severity": {c: CHECKS_BY_CODE[c].severity for c in sorted(self.counts)},
            "issues": [i.as_dict() for i in self.issues],
            "issues_listed": len(self.issues),
            "issues_total": sum(self.counts.values()),
            "rows_skipped_other_agency": self.rows_skipped,
            "notes": self.notes,
        }


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def area_bounds(center_lat: float, center_lng: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lng, max_lat, max_lng): the agency centre ± ``AREA_HALF_SIDE_DEGREES``
    of latitude, and the same ground distance in longitude."""
    half = AREA_HALF_SIDE_DEGREES
    half_lng = half / max(math.cos(math.radians(center_lat)), 0.01)
    return (center_lat - half, center_lng - half_lng, center_lat + half, center_lng + half_lng)


# --- reading --------------------------------------------------------------------------------


def _csv_header(path: Path) -> list[str]:
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            delimiter = "\t" if ".tsv" in path.name.lower() else ","
            header = next(csv.reader(handle, delimiter=delimiter), [])
    except (UnicodeDecodeError, OSError, EOFError, csv.Error) as exc:
        raise FileRefused(f"{path.name}: cannot be read as UTF-8 CSV ({exc})") from exc
    return [h.strip() for h in header]


def _read_csv(path: Path) -> pa.Table:
    from pyarrow import csv as pacsv

    header = _csv_header(path)
    if not header or not any(header):
        raise FileRefused(f"{path.name}: the file is empty or has no header row")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise FileRefused(f"{path.name}: repeated column names: {', '.join(dupes)}")
    delimiter = "\t" if ".tsv" in path.name.lower() else ","
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, encoding="utf8"),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=True,
                null_values=["", "NA", "N/A", "NULL", "null"],
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as exc:
        raise FileRefused(f"{path.name}: cannot be read as CSV ({exc})") from exc
    return table


def _series_to_text(name: str, series: Any) -> Any:
    """A pandas column of an .rds/Parquet file as the text OPP's CSV files would hold."""
    import numpy as np
    import pandas as pd

    s = series
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if pd.api.types.is_datetime64_any_dtype(s):
        if name == "time":
            return s.dt.strftime("%H:%M:%S").astype(object).where(s.notna(), None)
        return s.dt.strftime("%Y-%m-%d").astype(object).where(s.notna(), None)
    if pd.api.types.is_timedelta64_dtype(s):
        secs = s.dt.total_seconds()
        return _seconds_to_hms(secs)
    if name == "time" and pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return _seconds_to_hms(s.astype("float64"))  # R hms: seconds after midnight
    if pd.api.types.is_bool_dtype(s):
        return s.map({True: "TRUE", False: "FALSE"}).astype(object)
    if pd.api.types.is_float_dtype(s):
        out = s.map(lambda v: None if v != v else repr(float(v)))
        return out.astype(object)
    if pd.api.types.is_integer_dtype(s):
        return s.astype("Int64").astype(str).where(s.notna(), None).astype(object)

    def text(v: Any) -> str | None:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT:
            return None
        if isinstance(v, bool | np.bool_):
            return "TRUE" if v else "FALSE"
        if isinstance(v, dt.datetime):
            return v.strftime("%H:%M:%S") if name == "time" else v.strftime("%Y-%m-%d")
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, dt.time):
            return v.strftime("%H:%M:%S")
        return str(v)

    return s.map(text).astype(object)


def _seconds_to_hms(secs: Any) -> Any:
    def fmt(v: float) -> str | None:
        if v != v:
            return None
        if not 0 <= v < 86400:
            return f"{v:g}s"  # left unreadable on purpose: the validator reports it
        whole = int(v)
        return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"

    return secs.map(fmt).astype(object)


def _frame_to_text_table(frame: Any) -> pa.Table:
    arrays = {}
    for name in frame.columns:
        values = _series_to_text(str(name), frame[name]).tolist()
        # pandas' string dtypes give NaN for missing values; Arrow wants None.
        values = [None if v is None or isinstance(v, float) else v for v in values]
        arrays[str(name)] = pa.array(values, type=pa.string())
    return pa.table(arrays)


def read_raw(path: Path) -> pa.Table:
    """The file's columns as text, plus ``__row`` (1-based data row number)."""
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz")):
        table = _read_csv(path)
    elif name.endswith(".parquet"):
        import pyarrow.parquet as pq

        try:
            table = _frame_to_text_table(pq.read_table(path).to_pandas())
        except (pa.ArrowInvalid, OSError) as exc:
            raise FileRefused(f"{path.name}: cannot be read as Parquet ({exc})") from exc
    elif name.endswith(".rds"):
        import pyreadr

        try:
            frames = pyreadr.read_r(str(path))
        except Exception as exc:  # pyreadr raises its own types; its message is the point
            raise FileRefused(f"{path.name}: cannot be read as an R .rds file ({exc})") from exc
        if not frames:
            raise FileRefused(f"{path.name}: the .rds file holds no table")
        table = _frame_to_text_table(next(iter(frames.values())))
    else:
        raise FileRefused(
            f"{path.name}: unsupported file type (use .csv, .csv.gz, .parquet or .rds)"
        )
    if "__row" in table.column_names:
        raise FileRefused(f"{path.name}: a column may not be called __row")
    rows = pa.array(range(1, table.num_rows + 1), type=pa.int64())
    return table.append_column("__row", rows)


# --- mappings -------------------------------------------------------------------------------


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _norm_sql(expr: str) -> str:
    return f"lower(trim(CAST({expr} AS VARCHAR)))"


def _norm(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


MAPPABLE = set(OPP_COLUMNS)
SPEC_KEYS = {
    "column",
    "columns",
    "join",
    "constant",
    "values",
    "unmapped",
    "format",
    "any",
    "true_values",
    "first",
    "when",
    "optional",
    "comment",
}


@dataclass(frozen=True)
class ColumnMapping:
    source: str
    fields: Mapping[str, Any]
    agency_column: str | None
    raw: Mapping[str, Any]


def parse_mapping(data: Any) -> ColumnMapping:
    """Check a mapping (parsed JSON); raises ``MappingError`` naming the place."""
    if not isinstance(data, dict):
        raise MappingError("the mapping must be a JSON object")
    if data.get("format_version") != 1:
        raise MappingError("format_version: must be 1")
    source = data.get("source")
    if not isinstance(source, str) or not source.strip() or len(source) > 40:
        raise MappingError("source: give a name of 1 to 40 characters")
    fields = data.get("fields")
    if not isinstance(fields, dict):
        raise MappingError("fields: must be an object of OPP column -> spec")
    unknown = sorted(set(fields) - MAPPABLE)
    if unknown:
        raise MappingError(
            f"fields: unknown OPP columns {', '.join(unknown)} "
            f"(known: {', '.join(sorted(MAPPABLE))})"
        )
    for required in REQUIRED:
        if required not in fields:
            raise MappingError(f"fields.{required}: required")
    for name, spec in fields.items():
        _check_spec(spec, f"fields.{name}")
    agency_column = data.get("agency_column")
    if agency_column is not None and not (isinstance(agency_column, str) and agency_column):
        raise MappingError("agency_column: give a column name")
    return ColumnMapping(source=source, fields=fields, agency_column=agency_column, raw=data)


def _check_spec(spec: Any, where: str) -> None:
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: must be an object")
    unknown = sorted(set(spec) - SPEC_KEYS)
    if unknown:
        raise MappingError(f"{where}: unknown keys {', '.join(unknown)}")
    kinds = [k for k in ("column", "columns", "constant", "any", "first") if k in spec]
    if len(kinds) != 1:
        raise MappingError(f"{where}: give exactly one of column, columns, constant, any, first")
    if "columns" in spec and not (
        isinstance(spec["columns"], list)
        and spec["columns"]
        and all(isinstance(c, str) and c for c in spec["columns"])
    ):
        raise MappingError(f"{where}.columns: give a non-empty list of column names")
    if "column" in spec and not (isinstance(spec["column"], str) and spec["column"]):
        raise MappingError(f"{where}.column: give a column name")
    if "any" in spec:
        cols = spec["any"]
        if not (isinstance(cols, list) and cols and all(isinstance(c, str) for c in cols)):
            raise MappingError(f"{where}.any: give a non-empty list of column names")
        if not isinstance(spec.get("true_values"), list) or not spec["true_values"]:
            raise MappingError(f"{where}.true_values: give the values that mean yes")
    if "values" in spec and not isinstance(spec["values"], dict):
        raise MappingError(f"{where}.values: must be an object of source value -> OPP value")
    if "format" in spec:
        formats = spec["format"]
        if isinstance(formats, str):
            formats = [formats]
        if not (isinstance(formats, list) and formats and all(isinstance(f, str) for f in formats)):
            raise MappingError(f"{where}.format: give a strftime format or a list of them")
    if "when" in spec:
        when = spec["when"]
        if not (
            isinstance(when, dict)
            and isinstance(when.get("column"), str)
            and isinstance(when.get("in"), list)
            and set(when) <= {"column", "in"}
        ):
            raise MappingError(f'{where}.when: give {{"column": ..., "in": [values]}}')
    if "first" in spec:
        branches = spec["first"]
        if not isinstance(branches, list) or not branches:
            raise MappingError(f"{where}.first: give a non-empty list of specs")
        for i, branch in enumerate(branches):
            _check_spec(branch, f"{where}.first[{i}]")


def load_mapping(path: Path | str) -> ColumnMapping:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MappingError(f"not valid JSON: {exc}") from None
    except OSError as exc:
        raise MappingError(f"cannot read the mapping: {exc.strerror}") from None
    return parse_mapping(data)


def builtin_mapping(fmt: str) -> ColumnMapping:
    if fmt != "ripa":
        raise MappingError(f"no built-in mapping for {fmt!r}")
    return load_mapping(MAPPINGS_DIR / "ripa.json")


def _spec_columns(spec: Mapping[str, Any]) -> list[tuple[str, bool]]:
    """(column, optional) pairs the spec reads."""
    optional = bool(spec.get("optional", False))
    out: list[tuple[str, bool]] = []
    if "column" in spec:
        out.append((spec["column"], optional))
    for c in spec.get("columns", []):
        out.append((c, optional))
    for c in spec.get("any", []):
        out.append((c, optional))
    if "when" in spec:
        out.append((spec["when"]["column"], optional))
    for branch in spec.get("first", []):
        out += [(c, optional or o) for c, o in _spec_columns(branch)]
    return out


def _spec_sql(spec: Mapping[str, Any], present: set[str]) -> str:
    """A DuckDB expression giving the OPP text value of one mapped field."""
    if "first" in spec:
        parts = [_spec_sql(b, present) for b in spec["first"]]
        expr = f"coalesce({', '.join(parts)})"
    elif "constant" in spec:
        constant = spec["constant"]
        expr = "NULL::VARCHAR" if constant is None else _lit(_opp_text(constant))
    elif "any" in spec:
        cols = [c for c in spec["any"] if c in present]
        if not cols:
            expr = "NULL::VARCHAR"
        else:
            trues = ", ".join(_lit(_norm(v)) for v in spec["true_values"])
            hits = " OR ".join(f"{_norm_sql(_ident(c))} IN ({trues})" for c in cols)
            seen = " OR ".join(f"nullif(trim({_ident(c)}), '') IS NOT NULL" for c in cols)
            expr = f"CASE WHEN {hits} THEN 'true' WHEN {seen} THEN 'false' ELSE NULL END"
    else:
        cols = [spec["column"]] if "column" in spec else list(spec["columns"])
        cols = [c for c in cols if c in present]
        if not cols:
            expr = "NULL::VARCHAR"
        elif len(cols) == 1:
            expr = f"nullif(trim({_ident(cols[0])}), '')"
        else:
            sep = _lit(str(spec.get("join", " ")))
            joined = ", ".join(f"nullif(trim({_ident(c)}), '')" for c in cols)
            expr = f"nullif(concat_ws({sep}, {joined}), '')"
        if "values" in spec:
            cases = " ".join(
                f"WHEN {_lit(_norm(k))} THEN " + ("NULL" if v is None else _lit(_opp_text(v)))
                for k, v in spec["values"].items()
            )
            if "unmapped" in spec:
                other = "NULL" if spec["unmapped"] is None else _lit(_opp_text(spec["unmapped"]))
            else:
                other = expr  # left as given, so the validator reports the unknown value
            expr = f"CASE {_norm_sql(expr)} {cases} ELSE {other} END"
        if "format" in spec:
            formats = spec["format"] if isinstance(spec["format"], list) else [spec["format"]]
            out_fmt = "%H:%M:%S" if _is_time_format(formats) else "%Y-%m-%d"
            parsed = ", ".join(f"try_strptime({expr}, {_lit(f)})" for f in formats)
            # A value in none of the declared formats stays unreadable, even if it happens to
            # be ISO: the report shows it with the formats it did not match.
            shown = _lit(f"not {' or '.join(formats)}: ")
            expr = f"coalesce(strftime(coalesce({parsed}), {_lit(out_fmt)}), {shown} || {expr})"
    if "when" in spec:
        when = spec["when"]
        column = when["column"]
        if column not in present:
            return "NULL::VARCHAR"
        values = ", ".join(_lit(_norm(v)) for v in when["in"])
        expr = f"CASE WHEN {_norm_sql(_ident(column))} IN ({values}) THEN {expr} ELSE NULL END"
    return expr


def _is_time_format(formats: Sequence[str]) -> bool:
    return all("%H" in f or "%I" in f for f in formats) and not any(
        d in f for f in formats for d in ("%d", "%Y", "%y", "%m")
    )


def _opp_text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def apply_mapping(
    raw: pa.Table,
    mapping: ColumnMapping,
    *,
    agency_code: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> tuple[pa.Table, int, list[str]]:
    """The file's rows in OPP's columns (as text), the number of rows skipped as another
    agency's, and notes for the report. Refuses the file when mapped columns are absent."""
    present = set(raw.column_names)
    needed: dict[str, bool] = {}
    for spec in mapping.fields.values():
        for column, optional in _spec_columns(spec):
            needed[column] = needed.get(column, True) and optional
    missing = sorted(c for c, optional in needed.items() if not optional and c not in present)
    if missing:
        raise FileRefused(
            f"the file lacks columns the {mapping.source} mapping needs: {', '.join(missing)}"
        )
    con = con or duckdb.connect()
    con.register("raw_in", raw)
    notes: list[str] = []
    where = "TRUE"
    skipped = 0
    if mapping.agency_column and mapping.agency_column in present:
        col = _ident(mapping.agency_column)
        codes = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT trim({col}) FROM raw_in WHERE {col} IS NOT NULL ORDER BY 1"  # noqa: S608 - names and values quoted by _ident/_lit
            ).fetchall()
        ]
        if agency_code is None and len(codes) > 1:
            shown = ", ".join(str(c) for c in codes[:10])
            raise FileRefused(
                f"the file holds stops of {len(codes)} agencies ({mapping.agency_column}: "
                f"{shown}{'…' if len(codes) > 10 else ''}); name the agency's code to import "
                "its rows only"
            )
        if agency_code is not None:
            where = f"trim({col}) = {_lit(agency_code)}"
            counted = con.execute(
                f"SELECT count(*) FROM raw_in WHERE NOT ({where}) OR {col} IS NULL"  # noqa: S608 - names and values quoted by _ident/_lit
            ).fetchall()
            skipped = int(counted[0][0])
            where = f"coalesce({where}, FALSE)"
            notes.append(
                f"{skipped} rows of other agencies skipped ({mapping.agency_column} is not "
                f"{agency_code})"
            )
    selects = [
        f"{_spec_sql(spec, present)} AS {_ident(name)}" for name, spec in mapping.fields.items()
    ]
    sql = f"SELECT {', '.join(selects)}, __row FROM raw_in WHERE {where} ORDER BY __row"  # noqa: S608 - names and values quoted by _ident/_lit
    out = con.sql(sql).to_arrow_table()
    con.unregister("raw_in")
    # Every mapped field is text, as OPP's CSV files are.
    return (
        out.cast(
            pa.schema(
                [
                    pa.field(n, pa.string()) if n != "__row" else pa.field(n, pa.int64())
                    for n in out.column_names
                ]
            )
        ),
        skipped,
        notes,
    )


# --- validation -----------------------------------------------------------------------------


def _in_list(values: Sequence[str]) -> str:
    return ", ".join(_lit(v) for v in values)


def _typed_sql(
    cols: set[str], bounds: tuple[float, float, float, float] | None, today: dt.date
) -> str:
    """One SELECT over ``src`` giving each row's typed values and a flag per check."""

    def raw(name: str) -> str:
        return (
            f"nullif(trim(CAST({_ident(name)} AS VARCHAR)), '')"
            if name in cols
            else "NULL::VARCHAR"
        )

    race_raw = f"lower({raw('subject_race')})"
    for legacy, current in RACE_ALIASES.items():
        race_raw = (
            f"(CASE WHEN {race_raw} = {_lit(legacy)} THEN {_lit(current)} ELSE {race_raw} END)"
        )
    date_raw = raw("date")
    date_form = f"regexp_full_match({date_raw}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
    date_ok = f"CASE WHEN {date_form} THEN try_cast({date_raw} AS DATE) END"
    time_raw = raw("time")
    time_re = r"([0-9]{1,2}):([0-9]{2})(:([0-9]{2})(\.[0-9]+)?)?"
    h = f"try_cast(regexp_extract({time_raw}, '^{time_re}$', 1) AS INTEGER)"
    m = f"try_cast(regexp_extract({time_raw}, '^{time_re}$', 2) AS INTEGER)"
    sec = f"nullif(regexp_extract({time_raw}, '^{time_re}$', 4), '')"
    s = f"coalesce(try_cast({sec} AS INTEGER), 0)"
    time_ok = (
        f"CASE WHEN regexp_full_match({time_raw}, '{time_re}') AND {h} < 24 AND {m} < 60 "
        f"AND {s} < 60 THEN lpad(CAST({h} AS VARCHAR), 2, '0') || ':' || "
        f"lpad(CAST({m} AS VARCHAR), 2, '0') || ':' || lpad(CAST({s} AS VARCHAR), 2, '0') END"
    )
    age_raw = raw("subject_age")
    age_num = f"try_cast({age_raw} AS DOUBLE)"
    lat_raw, lng_raw = raw("lat"), raw("lng")
    lat_num, lng_num = f"try_cast({lat_raw} AS DOUBLE)", f"try_cast({lng_raw} AS DOUBLE)"
    point_ok = (
        f"({lat_num} BETWEEN -90 AND 90 AND {lng_num} BETWEEN -180 AND 180 "
        f"AND isfinite({lat_num}) AND isfinite({lng_num}))"
    )

    def as_bool(name: str) -> str:
        v = f"lower({raw(name)})"
        return (
            f"CASE WHEN {v} IN ({_in_list(sorted(TRUE_TEXT))}) THEN TRUE "
            f"WHEN {v} IN ({_in_list(sorted(FALSE_TEXT))}) THEN FALSE END"
        )

    def category(name: str) -> str:
        v = f"lower({raw(name)})"
        return f"CASE WHEN {v} IN ({_in_list(CATEGORIES[name])}) THEN {v} END"

    items = [
        "__row",
        f"{date_raw} AS date_raw",
        f"{date_ok} AS d",
        f"coalesce({date_form}, FALSE) AS date_form",
        f"{race_raw} AS race_raw",
        f"{time_raw} AS time_raw",
        f"{time_ok} AS t",
        f"{age_raw} AS age_raw",
        f"{age_num} AS age_num",
        f"{lat_raw} AS lat_raw",
        f"{lng_raw} AS lng_raw",
        f"CASE WHEN {point_ok} THEN {lat_num} END AS lat_ok",
        f"CASE WHEN {point_ok} THEN {lng_num} END AS lng_ok",
    ]
    for name in CATEGORIES:
        items.append(f"{raw(name)} AS {name}_raw")
        items.append(f"{category(name)} AS {name}_ok")
    for name in BOOL_COLUMNS:
        items.append(f"{raw(name)} AS {name}_raw")
        items.append(f"{as_bool(name)} AS {name}_b")
    for name in TEXT_COLUMNS:
        items.append(f"coalesce({raw(name)}, '') AS {name}_t")
    typed = f"SELECT {', '.join(items)} FROM src"  # noqa: S608 - names and values quoted by _ident/_lit

    flags = {
        "missing_date": "date_raw IS NULL",
        "unreadable_date": "date_raw IS NOT NULL AND NOT date_form",
        "impossible_date": (
            f"date_form AND (d IS NULL OR d < DATE {_lit(EARLIEST_DATE.isoformat())} "
            f"OR d > DATE {_lit(today.isoformat())})"
        ),
        "unknown_race": f"race_raw IS NOT NULL AND race_raw NOT IN ({_in_list(RACES)})",
        "missing_race": "race_raw IS NULL",
        "unreadable_time": "time_raw IS NOT NULL AND t IS NULL",
        "unreadable_age": "age_raw IS NOT NULL AND age_num IS NULL",
        "impossible_age": (
            f"age_num IS NOT NULL AND NOT (age_num BETWEEN {AGE_RANGE[0]} AND {AGE_RANGE[1]})"
        ),
        "unknown_sex": "subject_sex_raw IS NOT NULL AND subject_sex_ok IS NULL",
        "unknown_type": "type_raw IS NOT NULL AND type_ok IS NULL",
        "unknown_search_basis": "search_basis_raw IS NOT NULL AND search_basis_ok IS NULL",
        "unknown_outcome": "outcome_raw IS NOT NULL AND outcome_ok IS NULL",
        **{f"unreadable_{b}": f"{b}_raw IS NOT NULL AND {b}_b IS NULL" for b in BOOL_COLUMNS},
        "contraband_without_search": (
            "contraband_found_b IS TRUE AND search_conducted_b IS DISTINCT FROM TRUE"
        ),
        "unreadable_coordinates": (
            "(lat_raw IS NOT NULL OR lng_raw IS NOT NULL) AND lat_ok IS NULL"
        ),
    }
    if bounds is not None:
        min_lat, min_lng, max_lat, max_lng = (float(b) for b in bounds)
        flags["coordinates_outside_area"] = (
            f"lat_ok IS NOT NULL AND NOT (lat_ok BETWEEN {min_lat!r} AND {max_lat!r} "
            f"AND lng_ok BETWEEN {min_lng!r} AND {max_lng!r})"
        )
    errors = [f"coalesce({flags[c.code]}, FALSE)" for c in CHECKS if c.severity == "error"]
    flag_items = ", ".join(f"coalesce({expr}, FALSE) AS f_{code}" for code, expr in flags.items())
    return f"SELECT *, {flag_items}, ({' OR '.join(errors)}) AS rejected FROM ({typed}) AS typed"  # noqa: S608 - names and values quoted by _ident/_lit


ISSUE_VALUE = {
    "missing_date": "date_raw",
    "unreadable_date": "date_raw",
    "impossible_date": "date_raw",
    "unknown_race": "race_raw",
    "missing_race": "race_raw",
    "unreadable_time": "time_raw",
    "unreadable_age": "age_raw",
    "impossible_age": "age_raw",
    "unknown_sex": "subject_sex_raw",
    "unknown_type": "type_raw",
    "unknown_search_basis": "search_basis_raw",
    "unknown_outcome": "outcome_raw",
    **{f"unreadable_{b}": f"{b}_raw" for b in BOOL_COLUMNS},
    "contraband_without_search": "contraband_found_raw",
    "unreadable_coordinates": "concat_ws(',', lat_raw, lng_raw)",
    "coordinates_outside_area": "concat_ws(',', lat_raw, lng_raw)",
}


def validate(
    table: pa.Table,
    *,
    bounds: tuple[float, float, float, float] | None = None,
    today: dt.date,
    con: duckdb.DuckDBPyConnection | None = None,
    max_issues: int = MAX_ISSUES,
) -> Validated:
    """Check OPP-named text columns (plus ``__row``); see the module docstring.

    ``today`` is the latest possible stop date (no hidden clock). ``bounds`` is
    (min_lat, min_lng, max_lat, max_lng) of the agency's area, or None not to check.
    """
    cols = set(table.column_names)
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise FileRefused(
            f"the file lacks required OPP columns: {', '.join(missing)} "
            f"(OPP's standardized schema; see docs/data/stops-import.md)"
        )
    con = con or duckdb.connect()
    con.register("src", table)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE checked AS {_typed_sql(cols, bounds, today)}")
        codes = [
            c.code
            for c in CHECKS
            if c.code in ISSUE_VALUE and (bounds or c.code != "coordinates_outside_area")
        ]
        sums = ", ".join(f"sum(CAST(f_{c} AS INTEGER))" for c in codes)
        result = con.execute(
            f"SELECT count(*), sum(CAST(rejected AS INTEGER)), {sums} FROM checked"  # noqa: S608 - names and values quoted by _ident/_lit
        ).fetchall()[0]
        rows_read = int(result[0])
        rows_rejected = int(result[1] or 0)
        counts = {c: int(n) for c, n in zip(codes, result[2:], strict=True) if n}
        issues: list[Issue] = []
        if counts and max_issues > 0:
            union = " UNION ALL ".join(
                f"SELECT __row, {_lit(c)} AS code, CAST({ISSUE_VALUE[c]} AS VARCHAR) AS value, "  # noqa: S608 - names and values quoted by _ident/_lit
                f"{i} AS k FROM checked WHERE f_{c}"
                for i, c in enumerate(codes)
                if c in counts
            )
            for row, code, value, _k in con.execute(
                f"SELECT * FROM ({union}) ORDER BY __row, k LIMIT {int(max_issues)}"  # noqa: S608 - names and values quoted by _ident/_lit
            ).fetchall():
                check = CHECKS_BY_CODE[code]
                issues.append(
                    Issue(int(row), check.column, code, check.message, value, check.severity)
                )
        contraband = "CASE WHEN search_conducted_b IS TRUE THEN contraband_found_b END"
        age = (
            f"CASE WHEN age_num BETWEEN {AGE_RANGE[0]} AND {AGE_RANGE[1]} "
            "THEN CAST(floor(age_num) AS SMALLINT) END"
        )
        race = f"CASE WHEN race_raw IN ({_in_list(RACES)}) THEN race_raw ELSE '' END"
        select = {
            "source_row": "__row",
            "external_id": "raw_row_number_t",
            "stop_date": "strftime(d, '%Y-%m-%d')",
            "stop_time": "t",
            "subject_race": race,
            "subject_age": age,
            "subject_sex": "coalesce(subject_sex_ok, '')",
            "district": "district_t",
            "beat": "beat_t",
            "lat": "lat_ok",
            "lng": "lng_ok",
            "type": "coalesce(type_ok, '')",
            "search_conducted": "search_conducted_b",
            "search_basis": "coalesce(search_basis_ok, '')",
            "contraband_found": contraband,
            "frisk_performed": "frisk_performed_b",
            "arrest_made": "arrest_made_b",
            "citation_issued": "citation_issued_b",
            "warning_issued": "warning_issued_b",
            "outcome": "coalesce(outcome_ok, '')",
            "reason_for_stop": "reason_for_stop_t",
            "officer_id_hash": "officer_id_hash_t",
        }
        if tuple(select) != STOP_COLUMNS:  # pragma: no cover - a programming error
            raise RuntimeError("validate() and STOP_COLUMNS disagree")
        body = ", ".join(f"{expr} AS {name}" for name, expr in select.items())
        rows = con.sql(
            f"SELECT {body} FROM checked WHERE NOT rejected ORDER BY __row"  # noqa: S608 - names and values quoted by _ident/_lit
        ).to_arrow_table()
    finally:
        con.execute("DROP TABLE IF EXISTS checked")
        con.unregister("src")
    return Validated(
        rows=rows,
        rows_read=rows_read,
        rows_rejected=rows_rejected,
        counts=counts,
        issues=issues,
    )


def prepare(
    path: Path,
    *,
    fmt: str = "opp",
    mapping: ColumnMapping | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    today: dt.date,
    agency_code: str | None = None,
) -> Validated:
    """Read, map (RIPA/mapping) and validate a file. Raises ``FileRefused``."""
    if fmt not in FORMATS:
        raise FileRefused(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
    if fmt == "mapping" and mapping is None:
        raise FileRefused("the mapping format needs a mapping file")
    if fmt == "ripa" and mapping is None:
        mapping = builtin_mapping("ripa")
    raw = read_raw(path)
    con = duckdb.connect()
    try:
        skipped, notes = 0, list[str]()
        if fmt != "opp":
            if mapping is None:  # pragma: no cover - checked above
                raise FileRefused("no mapping")
            table, skipped, notes = apply_mapping(raw, mapping, agency_code=agency_code, con=con)
        else:
            table = raw
        result = validate(table, bounds=bounds, today=today, con=con)
    finally:
        con.close()
    result.rows_skipped = skipped
    result.notes = notes
    return result
