"""Reading stop files into Ibis and deriving the columns every analysis uses.

``open_file`` reads OPP-format CSV, CSV.gz, Parquet or R ``.rds`` into a DuckDB-backed Ibis
table without loading it into Python (except ``.rds``, which pyreadr must read whole).
``normalize`` derives typed columns from whatever types the backend inferred, so the same
expression runs on DuckDB, PostgreSQL and Spark:

* ``stop_date`` (date), ``minute`` (minutes since local midnight, 0-1439), ``race`` (one of
  :data:`schema.RACES`, lower-cased), ``district`` (text), ``lat``/``lng`` (float);
* ``search_conducted``, ``contraband_found``, ``frisk_performed``, ``arrest_made``,
  ``citation_issued``, ``warning_issued`` (boolean, null when not recorded);
* ``search_basis``, ``type`` (text, lower-cased).

OPP's predicate rule is applied: when no search was conducted, ``contraband_found`` is null
(not applicable), not false. Values that cannot be read become null here and are counted by
``quality``; nothing is silently dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from peelian.stops.analysis.schema import (
    BOOL_COLUMNS,
    FALSE_TEXT,
    RACE_ALIASES,
    RACES,
    TRUE_TEXT,
)

NORMALIZED_BOOLS = (
    "search_conducted",
    "contraband_found",
    "frisk_performed",
    "arrest_made",
    "citation_issued",
    "warning_issued",
)


class FileFormatError(ValueError):
    """The file cannot be read as stop data; the message says why."""


def duckdb_connection() -> Any:
    return ibis.duckdb.connect()


def open_file(path: str | Path, con: Any = None) -> ir.Table:
    """An Ibis table over a stop file. ``con`` defaults to a new in-memory DuckDB."""
    path = Path(path)
    if not path.exists():
        raise FileFormatError(f"{path}: no such file")
    con = con or duckdb_connection()
    name = path.name.lower()
    try:
        if name.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz")):
            # Every column as text: types are derived in ``normalize``, so one bad cell never
            # turns a whole column into something else, and nothing is guessed twice.
            return con.read_csv(str(path), all_varchar=True, header=True)
        if name.endswith(".parquet"):
            return con.read_parquet(str(path))
        if name.endswith(".rds"):
            import pyreadr

            frames = pyreadr.read_r(str(path))
            frame = next(iter(frames.values()))
            return con.create_table(_safe_name(path), frame, overwrite=True)
    except FileFormatError:
        raise
    except Exception as exc:  # the reader's own message is the useful part
        raise FileFormatError(f"{path.name}: cannot be read ({exc})") from exc
    raise FileFormatError(
        f"{path.name}: unsupported file type (use .csv, .csv.gz, .parquet or .rds)"
    )


def _safe_name(path: Path) -> str:
    stem = "".join(ch if ch.isalnum() else "_" for ch in path.name)
    return f"stops_{stem}"


def missing_columns(t: ir.Table, required: tuple[str, ...]) -> list[str]:
    return [c for c in required if c not in t.columns]


def _trim(col: ir.Value) -> ir.StringValue:
    # Not ``.strip()``: on Spark it compiles to TRIM with "\v" and "\f" in the character
    # list, which Spark reads as the letters v and f ("vehicular" became "ehicular").
    return col.cast(dt.string).re_replace(r"^\s+|\s+$", "")


def _text(col: ir.Value) -> ir.StringValue:
    return _trim(col).lower()


def _as_bool(col: ir.Value) -> ir.BooleanValue:
    if col.type().is_boolean():
        return col
    if col.type().is_numeric():
        return ibis.cases((col == 1, True), (col == 0, False), else_=ibis.null(dt.boolean))
    text = _text(col)
    return ibis.cases(
        (text.isin(list(TRUE_TEXT)), True),
        (text.isin(list(FALSE_TEXT)), False),
        else_=ibis.null(dt.boolean),
    )


def _as_date(col: ir.Value) -> ir.DateValue:
    if col.type().is_date():
        return col
    if col.type().is_timestamp():
        return col.date()
    text = _trim(col)
    # ISO dates only (what OPP publishes); anything else is an unreadable date.
    iso = text.re_search(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    return ibis.ifelse(iso, text.try_cast(dt.date), ibis.null(dt.date))


def _as_minute(col: ir.Value) -> ir.IntegerValue:
    if col.type().is_time() or col.type().is_timestamp():
        return (col.hour() * 60 + col.minute()).cast(dt.int32)
    if col.type().is_numeric():
        # R's hms, as pyreadr reads it from OPP's .rds files: seconds since midnight.
        seconds = col.cast(dt.float64)
        valid = (seconds >= 0) & (seconds < 86400)
        return ibis.ifelse(valid, (seconds / 60).floor().cast(dt.int32), ibis.null(dt.int32))
    text = _trim(col)
    ok = text.re_search(r"^[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$")
    hour = text.re_extract(r"^([0-9]{1,2}):", 1).try_cast(dt.int32)
    mins = text.re_extract(r"^[0-9]{1,2}:([0-9]{2})", 1).try_cast(dt.int32)
    valid = ok & (hour >= 0) & (hour < 24) & (mins >= 0) & (mins < 60)
    return ibis.ifelse(valid, hour * 60 + mins, ibis.null(dt.int32))


def _race(col: ir.Value) -> ir.StringValue:
    text = _text(col)
    for legacy, current in RACE_ALIASES.items():
        text = ibis.ifelse(text == legacy, current, text)
    return text


def normalize(t: ir.Table, *, district_column: str | None = None) -> ir.Table:
    """The derived columns every analysis reads (see the module docstring)."""
    cols = set(t.columns)
    district_source = district_column or ("district" if "district" in cols else None)
    if district_column and district_column not in cols:
        raise FileFormatError(f"district column {district_column!r} is not in the file")

    def text_or_null(name: str) -> ir.Value:
        return _text(t[name]) if name in cols else ibis.null(dt.string)

    def float_or_null(name: str) -> ir.Value:
        if name not in cols:
            return ibis.null(dt.float64)
        col = t[name]
        return col.cast(dt.float64) if col.type().is_numeric() else col.try_cast(dt.float64)

    race = _race(t["subject_race"]) if "subject_race" in cols else ibis.null(dt.string)
    derived: dict[str, ir.Value] = {
        "stop_date": _as_date(t["date"]) if "date" in cols else ibis.null(dt.date),
        "minute": _as_minute(t["time"]) if "time" in cols else ibis.null(dt.int32),
        "race": ibis.ifelse(race.isin(list(RACES)), race, ibis.null(dt.string)),
        "race_raw": race,
        "district": (_trim(t[district_source]) if district_source else ibis.null(dt.string)),
        "lat": float_or_null("lat"),
        "lng": float_or_null("lng"),
        "search_basis": text_or_null("search_basis"),
        "type": text_or_null("type"),
    }
    for name in NORMALIZED_BOOLS:
        derived[name] = _as_bool(t[name]) if name in cols else ibis.null(dt.boolean)
    out = t.select(**derived)
    # OPP's predicate rule: contraband is only defined where a search was conducted.
    return out.mutate(
        contraband_found=ibis.ifelse(
            out.search_conducted.fill_null(False), out.contraband_found, ibis.null(dt.boolean)
        )
    )


def quality(
    raw: ir.Table,
    *,
    district_column: str | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> dict[str, Any]:
    """Counts of rows whose values could not be read, by problem, over the raw table.

    Rows are never dropped for these problems: the value becomes null in ``normalize`` and
    each analysis states how many rows it could not use and why.
    """
    t = normalize(raw, district_column=district_column)
    cols = set(raw.columns)
    # ``normalize`` is a projection of ``raw``, so re-deriving from ``raw`` keeps one table.
    race_raw = _race(raw["subject_race"]) if "subject_race" in cols else ibis.null(dt.string)
    checks: dict[str, ir.Value] = {
        "unknown_race_code": race_raw.notnull() & (race_raw != "") & ~race_raw.isin(list(RACES)),
        "missing_race": race_raw.isnull() | (race_raw == ""),
    }
    if "date" in cols:
        raw_date = _trim(raw["date"])
        checks["impossible_or_unreadable_date"] = (
            raw_date.notnull() & (raw_date != "") & _as_date(raw["date"]).isnull()
        )
        checks["missing_date"] = raw_date.isnull() | (raw_date == "")
    if "time" in cols:
        raw_time = _trim(raw["time"])
        checks["impossible_or_unreadable_time"] = (
            raw_time.notnull() & (raw_time != "") & _as_minute(raw["time"]).isnull()
        )
    for name in NORMALIZED_BOOLS:
        if name in cols:
            raw_text = _trim(raw[name])
            checks[f"unreadable_{name}"] = (
                raw_text.notnull() & (raw_text != "") & _as_bool(raw[name]).isnull()
            )
    if "search_conducted" in cols and "contraband_found" in cols:
        checks["contraband_recorded_without_search"] = (
            _as_bool(raw["search_conducted"]) == False  # noqa: E712
        ) & _as_bool(raw["contraband_found"]).notnull()
    if bounds is not None and "lat" in cols and "lng" in cols:
        min_lat, min_lng, max_lat, max_lng = bounds
        lat = raw["lat"].try_cast(dt.float64)
        lng = raw["lng"].try_cast(dt.float64)
        checks["coordinates_outside_area"] = (
            lat.notnull()
            & lng.notnull()
            & ~(lat.between(min_lat, max_lat) & lng.between(min_lng, max_lng))
        )
    counts = (
        raw.aggregate(
            rows=raw.count(),
            **{
                name: ibis.ifelse(cond.fill_null(False), 1, 0).cast(dt.int64).sum()
                for name, cond in checks.items()
            },
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    del t
    problems = {k: int(v or 0) for k, v in counts.items() if k != "rows" and v}
    return {
        "rows": int(counts["rows"]),
        "problems": problems,
        "absent_columns": [c for c in BOOL_COLUMNS if c not in cols],
    }
