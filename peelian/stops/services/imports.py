"""Stop-data writes: importing a file. The import checks the policy, reads and validates the
file outside any transaction (``peelian.stops.importing``), then writes the raw file, the
stop rows, the ``StopImport`` row and its audit entry in one transaction: a failure rolls back
everything (and removes the raw file it stored)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import time
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peelian.agency.models import Agency
from peelian.audit.services import audit_log
from peelian.core.errors import ApplicationError
from peelian.stops import importing
from peelian.stops.models import RunStatus, SourceFormat, Stop, StopImport, import_upload_to
from peelian.stops.permissions import IMPORT, policy

SQLITE_BATCH = 50_000
COPY_BATCH = 100_000


def _actor_label(actor: Any) -> tuple[Any, str]:
    if isinstance(actor, str):
        return None, actor[:150]
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor, str(actor.get_username())[:150]
    return None, "anonymous"


def _mapping_for(
    fmt: str, mapping: importing.ColumnMapping | Path | str | dict[str, Any] | None
) -> importing.ColumnMapping | None:
    try:
        if isinstance(mapping, importing.ColumnMapping):
            return mapping
        if isinstance(mapping, dict):
            return importing.parse_mapping(mapping)
        if isinstance(mapping, Path | str):
            return importing.load_mapping(mapping)
        if fmt == "ripa":
            return importing.builtin_mapping("ripa")
    except importing.MappingError as exc:
        raise ApplicationError(
            _("The mapping is not valid: %(e)s") % {"e": exc}, code="mapping_invalid"
        ) from exc
    if fmt == "mapping":
        raise ApplicationError(
            _("The mapping format needs a mapping file."), code="mapping_required"
        )
    return None


def _columns() -> list[str]:
    names = {f.name: str(f.column) for f in Stop._meta.concrete_fields}
    return [names["agency"], names["source"], *(names[c] for c in importing.STOP_COLUMNS)]


def _insert_sqlite(rows: Any, agency_id: int, source_id: int) -> None:
    columns = _columns()
    sql = (
        f'INSERT INTO "{Stop._meta.db_table}" ({", ".join(columns)}) '  # noqa: S608 - table and column names from the model
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    raw = connection.connection  # the sqlite3 connection, inside Django's transaction
    if raw is None:  # pragma: no cover - Django opened it for the transaction
        raise RuntimeError("no database connection")
    for start in range(0, rows.num_rows, SQLITE_BATCH):
        chunk = rows.slice(start, SQLITE_BATCH)
        cols = [chunk.column(name).to_pylist() for name in importing.STOP_COLUMNS]
        raw.executemany(
            sql,
            zip(
                itertools.repeat(agency_id, chunk.num_rows),
                itertools.repeat(source_id),
                *cols,
                strict=False,
            ),
        )


def _insert_postgresql(rows: Any, agency_id: int, source_id: int) -> None:
    import pyarrow as pa
    from pyarrow import csv as pacsv

    columns = _columns()
    sql = f'COPY "{Stop._meta.db_table}" ({", ".join(columns)}) FROM STDIN WITH (FORMAT csv)'
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor, inside Django's transaction
        with raw.copy(sql) as copy:
            for start in range(0, rows.num_rows, COPY_BATCH):
                chunk = rows.slice(start, COPY_BATCH)
                n = chunk.num_rows
                chunk = chunk.add_column(0, "source_id", pa.array([source_id] * n, pa.int64()))
                chunk = chunk.add_column(0, "agency_id", pa.array([agency_id] * n, pa.int64()))
                buffer = io.BytesIO()
                # Nulls are written as nothing and strings always quoted: PostgreSQL's CSV
                # reads the former as NULL and "" as the empty string.
                pacsv.write_csv(chunk, buffer, pacsv.WriteOptions(include_header=False))
                copy.write(buffer.getvalue())


def _insert(rows: Any, agency_id: int, source_id: int) -> None:
    if rows.num_rows == 0:
        return
    if connection.vendor == "sqlite":
        _insert_sqlite(rows, agency_id, source_id)
    elif connection.vendor == "postgresql":
        _insert_postgresql(rows, agency_id, source_id)
    else:  # pragma: no cover - Peelian supports SQLite and PostgreSQL
        names = importing.STOP_COLUMNS
        Stop.objects.bulk_create(
            (
                Stop(agency_id=agency_id, source_id=source_id, **dict(zip(names, r, strict=True)))
                for r in zip(*(rows.column(n).to_pylist() for n in names), strict=True)
            ),
            batch_size=5000,
        )


def stops_import(
    *,
    actor: Any,
    agency: Agency,
    path: Path | str,
    fmt: str = "opp",
    mapping: importing.ColumnMapping | Path | str | dict[str, Any] | None = None,
    agency_code: str | None = None,
    original_name: str | None = None,
    today: dt.date | None = None,
) -> StopImport:
    """Import a stop file for ``agency`` (see docs/data/stops-import.md).

    ``fmt`` is ``opp`` (OPP's standardized columns), ``ripa`` (California DOJ's RIPA
    layout, through ``mappings/ripa.json`` unless ``mapping`` replaces it) or ``mapping``
    (an agency's own columns; ``mapping`` required). ``agency_code`` picks the agency's rows
    of a file that holds several agencies (RIPA's ``AGENCY_ORI``).

    Idempotent: a file already imported for the agency (same SHA-256) returns the existing
    import and writes nothing. A refused file (unreadable, required columns missing, an
    invalid mapping) raises ``ApplicationError`` and writes nothing; rows with errors are
    rejected and listed in the import's report, the others imported.
    """
    policy.require(actor, IMPORT)
    path = Path(path)
    if fmt not in importing.FORMATS:
        raise ApplicationError(
            _("Unknown format %(f)s (use opp, ripa or mapping).") % {"f": fmt},
            code="format_unknown",
        )
    if not path.is_file():
        raise ApplicationError(_("No such file: %(p)s") % {"p": path.name}, code="file_missing")
    sha = importing.sha256_of(path)
    existing = StopImport.objects.filter(agency=agency, sha256=sha).first()
    if existing is not None:
        return existing
    column_mapping = _mapping_for(fmt, mapping)
    started = time.monotonic()
    bounds = importing.area_bounds(agency.center_lat, agency.center_lng)
    try:
        validated = importing.prepare(
            path,
            fmt=fmt,
            mapping=column_mapping,
            bounds=bounds,
            today=today or timezone.localdate(),
            agency_code=agency_code,
        )
    except importing.FileRefused as exc:
        raise ApplicationError(
            _("The file was refused: %(e)s") % {"e": exc}, code="file_refused"
        ) from exc
    user, label = _actor_label(actor)
    stop_import = StopImport(
        agency=agency,
        source_format=fmt if fmt in SourceFormat.values else SourceFormat.MAPPING,
        original_name=(original_name or path.name)[:255],
        sha256=sha,
        mapping=dict(column_mapping.raw) if column_mapping else {"format": "opp"},
        rows_read=validated.rows_read + validated.rows_skipped,
        rows_imported=validated.rows_imported,
        rows_rejected=validated.rows_rejected,
        warnings=validated.warnings,
        report={**validated.report(), "area_bounds": list(bounds)},
        status=RunStatus.RUNNING,
        imported_by=user,
        actor=label,
    )
    name = import_upload_to(stop_import, path.name)
    storage = StopImport._meta.get_field("stored_file").storage
    created_file = False
    try:
        with transaction.atomic():
            if storage.exists(name):  # content-addressed: the same bytes are already kept
                stop_import.stored_file.name = name
            else:
                with path.open("rb") as handle:
                    stop_import.stored_file.name = storage.save(name, File(handle))
                created_file = True
            stop_import.save()
            _insert(validated.rows, agency.pk, stop_import.pk)
            stop_import.status = RunStatus.SUCCEEDED
            stop_import.duration_seconds = round(time.monotonic() - started, 3)
            stop_import.save(update_fields=["status", "duration_seconds", "updated_at"])
            audit_log(
                actor=actor,
                action="stops.import",
                target=stop_import,
                after={
                    "agency": agency.slug,
                    "file": stop_import.original_name,
                    "sha256": sha,
                    "format": stop_import.source_format,
                    "rows_read": stop_import.rows_read,
                    "rows_imported": stop_import.rows_imported,
                    "rows_rejected": stop_import.rows_rejected,
                    "warnings": stop_import.warnings,
                },
            )
    except IntegrityError:
        if created_file:
            storage.delete(str(stop_import.stored_file.name))
        # Someone imported the same file meanwhile: that import stands.
        again = StopImport.objects.filter(agency=agency, sha256=sha).first()
        if again is not None:
            return again
        raise
    except BaseException:
        if created_file:
            storage.delete(str(stop_import.stored_file.name))
        raise
    return stop_import
