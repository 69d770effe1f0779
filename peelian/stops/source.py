"""Imported stops as an Ibis table, for the analyses (Django glue; the analyses stay pure).

On PostgreSQL the aggregation runs in the application's database, through Ibis on Django's
own connection (so a run inside a transaction sees that transaction's rows); only the
aggregated cells come back. On SQLite, the embedded default, the columns the analyses read
are streamed once into an in-memory DuckDB through Arrow: DuckDB's SQLite reader is an
extension that would have to be downloaded at run time.

Column names and blank-to-null rules are shared with the Django-free engines
(``analysis/engine.py``: ``STOP_TO_OPP``, ``scope_stops``, ``stop_table_to_opp``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import ibis
import pyarrow as pa
from django.db import connection

from peelian.stops.analysis import engine, frame

ARROW_TYPES: dict[str, pa.DataType] = {
    "date": pa.date32(),
    "time": pa.time64("us"),
    "lat": pa.float64(),
    "lng": pa.float64(),
    **{
        c: pa.bool_()
        for c in (
            "search_conducted",
            "contraband_found",
            "frisk_performed",
            "arrest_made",
            "citation_issued",
            "warning_issued",
        )
    },
}
CHUNK = 50_000


def stops_table(
    *,
    agency_id: int,
    import_ids: Iterable[int] = (),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    geography: str = "district",
) -> tuple[Any, str]:
    """The raw (OPP-named) Ibis table of an agency's stops in scope, and the engine's name.
    ``geography="beat"`` hands the stop's beat to the analyses as their sub-geography."""
    from peelian.stops.models import Stop

    ids = list(import_ids)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        con = ibis.postgres.from_connection(connection.connection)
        stops = engine.scope_stops(
            con.table(Stop._meta.db_table), agency_id, ids, date_from, date_to
        )
        return engine.stop_table_to_opp(stops, geography=geography), "postgres"
    return _sqlite_into_duckdb(Stop, agency_id, ids, date_from, date_to, geography), "duckdb"


def _sqlite_into_duckdb(
    model: Any,
    agency_id: int,
    ids: list[int],
    date_from: dt.date | None,
    date_to: dt.date | None,
    geography: str,
) -> Any:
    columns = dict(engine.STOP_TO_OPP)
    if geography == "beat":
        columns = {("beat" if c == "district" else c): o for c, o in engine.STOP_TO_OPP.items()}
    qs = model.objects.filter(agency_id=agency_id)
    if ids:
        qs = qs.filter(source_id__in=ids)
    if date_from:
        qs = qs.filter(stop_date__gte=date_from)
    if date_to:
        qs = qs.filter(stop_date__lte=date_to)
    sql, params = qs.values_list(*columns).query.sql_with_params()
    names = list(columns.values())
    schema = pa.schema([(n, ARROW_TYPES.get(n, pa.string())) for n in names])
    blank = {columns_name for col, columns_name in columns.items() if col in engine.BLANK_TEXT}
    batches: list[pa.RecordBatch] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            arrays = []
            for i, values in enumerate(zip(*rows, strict=True)):
                field = schema.field(i)
                cleaned = [_py(v, field.type, field.name in blank) for v in values]
                arrays.append(pa.array(cleaned, type=field.type))
            batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
    arrow = pa.Table.from_batches(batches, schema=schema)
    return frame.duckdb_connection().create_table("stops", arrow)


def _py(value: Any, typ: pa.DataType, blank_is_null: bool) -> Any:
    """SQLite hands back text for dates and times and 0/1 for booleans; blank text is
    'not recorded'."""
    if value is None:
        return None
    if pa.types.is_boolean(typ):
        return bool(value)
    if not isinstance(value, str):
        return value
    if pa.types.is_date(typ):
        return dt.date.fromisoformat(value)
    if pa.types.is_time(typ):
        return dt.time.fromisoformat(value)
    if blank_is_null and value == "":
        return None
    return value
