"""Where the stops come from: a normalized Ibis table on DuckDB, PostgreSQL or Spark.

* :func:`from_file` reads a file (CSV, CSV.gz, Parquet, .rds) with DuckDB, or Parquet/CSV with
  Spark (``engine="spark"``).
* :func:`from_postgres` reads the application's ``Stop`` table of one agency through
  ``ibis.postgres.connect``; the aggregation runs inside PostgreSQL.
* :func:`from_sqlite` streams the needed columns of the ``Stop`` table of one agency out of
  SQLite (Python's ``sqlite3``) into an Arrow table registered in DuckDB. DuckDB's own
  ``sqlite`` extension is not bundled: ``LOAD sqlite`` tries to download it (checked with
  DuckDB 2.0 on this machine), which an offline server cannot do.
* :func:`from_database` picks one of those two from Django-style connection settings passed
  as a plain mapping (this module does not import Django).

The ``Stop`` model's column names are mapped to OPP's (:data:`STOP_TO_OPP`) before
``frame.normalize``, so every analysis sees the same columns whatever the source.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from peelian.stops.analysis import frame

ENGINES = ("duckdb", "spark", "postgres", "sqlite")
DEFAULT_STOP_TABLE = "stops_stop"
# Stop model column -> OPP column. Only these are read from the database.
STOP_TO_OPP: dict[str, str] = {
    "stop_date": "date",
    "stop_time": "time",
    "subject_race": "subject_race",
    "district": "district",
    "lat": "lat",
    "lng": "lng",
    "type": "type",
    "search_conducted": "search_conducted",
    "search_basis": "search_basis",
    "contraband_found": "contraband_found",
    "frisk_performed": "frisk_performed",
    "arrest_made": "arrest_made",
    "citation_issued": "citation_issued",
    "warning_issued": "warning_issued",
}


@dataclass
class Source:
    """A normalized table and what it came from."""

    table: ir.Table  # frame.normalize output
    raw: ir.Table | None  # the table before normalize (for frame.quality), OPP column names
    engine: str
    description: str
    con: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


# --- Files ----------------------------------------------------------------------------------


def from_file(
    path: str | Path,
    *,
    district_column: str | None = None,
    engine: str = "duckdb",
    spark: Any = None,
) -> Source:
    """A stop file as a normalized table. ``spark`` is a SparkSession for ``engine="spark"``."""
    path = Path(path)
    if engine == "spark":
        return from_spark(path, spark or spark_session(), district_column=district_column)
    if engine != "duckdb":
        raise ValueError(f"engine must be duckdb or spark for a file, not {engine!r}")
    con = frame.duckdb_connection()
    raw = frame.open_file(path, con)
    _require(raw, path.name)
    table = frame.normalize(raw, district_column=district_column)
    return Source(table=table, raw=raw, engine="duckdb", description=str(path), con=con)


def _require(raw: ir.Table, what: str) -> None:
    missing = frame.missing_columns(raw, ("date", "subject_race"))
    if missing:
        raise frame.FileFormatError(f"{what}: missing required column(s): {', '.join(missing)}")


def spark_session(cores: int = 2, memory: str = "2g") -> Any:
    """A local Spark session sized for this machine (UTC, few shuffle partitions)."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("peelian-stops")
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )


def from_spark(path: str | Path, session: Any, *, district_column: str | None = None) -> Source:
    """Parquet or CSV (header row, every column read as text) through Spark."""
    path = Path(path)
    if not path.exists():
        raise frame.FileFormatError(f"{path}: no such file")
    con = ibis.pyspark.connect(session)
    name = path.name.lower()
    if name.endswith(".parquet"):
        raw = con.read_parquet(str(path))
    elif name.endswith((".csv", ".csv.gz")):
        raw = con.read_csv(str(path), header=True, inferSchema=False)
    else:
        raise frame.FileFormatError(f"{path.name}: Spark reads .parquet, .csv or .csv.gz")
    _require(raw, path.name)
    table = frame.normalize(raw, district_column=district_column)
    return Source(table=table, raw=raw, engine="spark", description=str(path), con=con)


# --- The application's database -------------------------------------------------------------


# Text columns the Stop model stores blank (not null) when not recorded.
BLANK_TEXT = frozenset({"subject_race", "district", "beat", "type", "search_basis"})


def stop_table_to_opp(t: ir.Table, *, geography: str = "district") -> ir.Table:
    """Rename the ``Stop`` model's columns to OPP names (absent ones are left out); blank
    text becomes null. ``geography="beat"`` hands the stop's beat to the analyses as their
    sub-geography (the ``district`` column)."""
    source = dict(STOP_TO_OPP)
    if geography == "beat":
        source = {("beat" if c == "district" else c): opp for c, opp in STOP_TO_OPP.items()}
    out: dict[str, ir.Value] = {}
    for col, opp in source.items():
        if col not in t.columns:
            continue
        out[opp] = t[col].nullif("") if col in BLANK_TEXT else t[col]
    return t.select(**out)


def scope_stops(
    t: ir.Table,
    agency_id: int,
    import_ids: Sequence[int] | None,
    date_from: Any,
    date_to: Any,
) -> ir.Table:
    t = t.filter(t.agency_id == agency_id)
    if import_ids:
        t = t.filter(t.source_id.isin(list(import_ids)))
    if date_from is not None:
        t = t.filter(t.stop_date >= date_from)
    if date_to is not None:
        t = t.filter(t.stop_date <= date_to)
    return t


def from_postgres(
    *,
    agency_id: int,
    host: str = "127.0.0.1",
    port: int = 5432,
    user: str | None = None,
    password: str | None = None,
    database: str,
    table: str = DEFAULT_STOP_TABLE,
    import_ids: Sequence[int] | None = None,
    date_from: Any = None,
    date_to: Any = None,
    district_column: str | None = None,
) -> Source:
    """One agency's imported stops, aggregated inside PostgreSQL."""
    con = ibis.postgres.connect(
        host=host, port=port, user=user, password=password, database=database
    )
    stops = scope_stops(con.table(table), agency_id, import_ids, date_from, date_to)
    raw = stop_table_to_opp(stops)
    normalized = frame.normalize(raw, district_column=district_column)
    return Source(
        table=normalized,
        raw=raw,
        engine="postgres",
        description=f"postgres {database}.{table} agency {agency_id}",
        con=con,
    )


_INT_COLUMNS = frozenset(
    {
        "search_conducted",
        "contraband_found",
        "frisk_performed",
        "arrest_made",
        "citation_issued",
        "warning_issued",
    }
)


def _arrow_type(column: str) -> pa.DataType:
    # SQLite stores dates and times as ISO text and booleans as 0/1: keep them as text and
    # integers; ``frame.normalize`` reads both.
    if column in ("lat", "lng"):
        return pa.float64()
    if column in _INT_COLUMNS:
        return pa.int64()
    return pa.string()


def _sqlite_table(
    path: str | Path,
    table: str,
    agency_id: int,
    import_ids: Sequence[int] | None,
    date_from: Any,
    date_to: Any,
    batch_rows: int,
) -> pa.Table:
    uri = f"file:{Path(path).resolve()}?mode=ro"
    db = sqlite3.connect(uri, uri=True)
    try:
        present = {row[1] for row in db.execute(f'PRAGMA table_info("{table}")')}
        if not present:
            raise frame.FileFormatError(f"no table {table!r} in {path}")
        cols = [c for c in STOP_TO_OPP if c in present]
        schema = pa.schema([(STOP_TO_OPP[c], _arrow_type(c)) for c in cols])
        where = ["agency_id = ?"]
        params: list[Any] = [agency_id]
        if import_ids:
            where.append(f"source_id IN ({','.join('?' * len(import_ids))})")
            params.extend(import_ids)
        if date_from is not None:
            where.append("stop_date >= ?")
            params.append(str(date_from))
        if date_to is not None:
            where.append("stop_date <= ?")
            params.append(str(date_to))
        select = ", ".join(f'"{c}"' for c in cols)
        sql = f'SELECT {select} FROM "{table}" WHERE {" AND ".join(where)}'  # noqa: S608
        cursor = db.execute(sql, params)
        batches: list[pa.RecordBatch] = []
        while rows := cursor.fetchmany(batch_rows):
            arrays = []
            for values, f in zip(zip(*rows, strict=True), schema, strict=True):
                if f.type == pa.string():
                    values = tuple(None if v is None else str(v) for v in values)
                arrays.append(pa.array(values, type=f.type))
            batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
        return pa.Table.from_batches(batches, schema=schema)
    finally:
        db.close()


def from_sqlite(
    path: str | Path,
    *,
    agency_id: int,
    table: str = DEFAULT_STOP_TABLE,
    import_ids: Sequence[int] | None = None,
    date_from: Any = None,
    date_to: Any = None,
    district_column: str | None = None,
    batch_rows: int = 200_000,
) -> Source:
    """One agency's imported stops, copied column-wise from SQLite into DuckDB."""
    arrow = _sqlite_table(path, table, agency_id, import_ids, date_from, date_to, batch_rows)
    con = frame.duckdb_connection()
    raw = con.create_table("stops", arrow, overwrite=True)
    normalized = frame.normalize(raw, district_column=district_column)
    return Source(
        table=normalized,
        raw=raw,
        engine="sqlite",
        description=f"sqlite {Path(path).name}:{table} agency {agency_id} via DuckDB",
        con=con,
        extra={"rows_copied": arrow.num_rows},
    )


def from_database(settings: Mapping[str, Any], **scope: Any) -> Source:
    """Dispatch on a Django ``DATABASES`` entry (ENGINE, NAME, HOST, PORT, USER, PASSWORD)."""
    engine = str(settings.get("ENGINE", ""))
    if engine.endswith("postgresql"):
        return from_postgres(
            host=settings.get("HOST") or "127.0.0.1",
            port=int(settings.get("PORT") or 5432),
            user=settings.get("USER") or None,
            password=settings.get("PASSWORD") or None,
            database=str(settings["NAME"]),
            **scope,
        )
    if engine.endswith("sqlite3"):
        return from_sqlite(str(settings["NAME"]), **scope)
    raise ValueError(f"stop analysis reads PostgreSQL or SQLite, not {engine!r}")
