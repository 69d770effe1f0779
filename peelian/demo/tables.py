"""Which tables the synthetic city counts, wipes and fingerprints.

The demo app knows no other app's models: it works from Django's model registry and a few
rules about *kinds* of tables (framework bookkeeping, the append-only audit log, activity
logs), so a new module's tables are covered without changes here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import models

from peelian.core.registry import registry

# Never wiped: Django's content types, permissions and groups (the roles), and the audit
# log, which is append-only (on PostgreSQL a trigger refuses DELETE and TRUNCATE).
KEEP_APPS = frozenset({"contenttypes", "auth", "audit"})
# Activity, not content: left out of the content digest (rows here depend on who signed in
# and when, or hold random keys).
ACTIVITY_APPS = frozenset({"sessions", "admin", "axes", "django_tasks_database", "authtoken"})
# Fields a seeding step cannot make reproducible, by model label: a new user's public id is
# drawn by ``user_create`` and password hashes are salted. Date-times are always left out.
NONDETERMINISTIC_FIELDS: dict[str, frozenset[str]] = {
    "accounts.user": frozenset({"public_id", "password", "last_login", "date_joined"}),
    # Timings and the versions of the code that ran (a new commit changes them).
    "stops.stopimport": frozenset({"duration_seconds", "stored_file"}),
    "stops.analysisrun": frozenset({"results", "code_version", "duration_seconds"}),
}
NOT_DIGESTED = frozenset({"demo.seedrun"})


def concrete_models() -> list[type[models.Model]]:
    """Every concrete, managed model with its own table (many-to-many tables included)."""
    seen: set[str] = set()
    out: list[type[models.Model]] = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        out.append(model)
    return sorted(out, key=lambda m: m._meta.label_lower)


def data_models() -> list[type[models.Model]]:
    """First-party tables other than the audit log: if any has a row, the database 'has
    data' and seeding refuses without ``--force``."""
    return [
        m
        for m in concrete_models()
        if m._meta.app_config is not None
        and m._meta.app_config.name.startswith("peelian.")
        and m._meta.app_label not in KEEP_APPS
        and m._meta.label_lower not in registry.reference_data
    ]


def wipe_models() -> list[type[models.Model]]:
    """Tables ``seed --force`` empties: everything but KEEP_APPS and reference data."""
    return [
        m
        for m in concrete_models()
        if m._meta.app_label not in KEEP_APPS and m._meta.label_lower not in registry.reference_data
    ]


def digest_models() -> list[type[models.Model]]:
    return [
        m
        for m in wipe_models()
        if m._meta.app_label not in ACTIVITY_APPS and m._meta.label_lower not in NOT_DIGESTED
    ]


def table_counts(model_list: Iterable[type[models.Model]] | None = None) -> dict[str, int]:
    """Row counts by model label (default: every table a seeding step may fill)."""
    return {
        m._meta.label_lower: m._default_manager.count()
        for m in (digest_models() if model_list is None else model_list)
    }


def nonempty_data_tables() -> dict[str, int]:
    """The first-party tables that hold rows, with their counts."""
    return {label: n for label, n in table_counts(data_models()).items() if n}


def _json_default(value: Any) -> str:
    return str(value)


def content_digest() -> str:
    """A SHA-256 over the content of every seeded table, independent of the database's
    integer keys: rows are taken in key order and each foreign key is replaced by the
    position of the row it points to. Date-times and the fields in
    NONDETERMINISTIC_FIELDS are left out. The same size and seed give the same digest."""
    model_list = digest_models()
    ordinals: dict[str, dict[Any, int]] = {}

    def ordinal_map(model: type[models.Model]) -> dict[Any, int]:
        label = model._meta.label_lower
        if label not in ordinals:
            pks = model._default_manager.order_by("pk").values_list("pk", flat=True)
            ordinals[label] = {pk: i for i, pk in enumerate(pks.iterator(chunk_size=5000))}
        return ordinals[label]

    total = hashlib.sha256()
    for model in model_list:
        label = model._meta.label_lower
        skip = NONDETERMINISTIC_FIELDS.get(label, frozenset())
        columns: list[tuple[str, models.Field[Any, Any]]] = []
        for f in model._meta.concrete_fields:
            if f.primary_key and isinstance(f, models.AutoField | models.BigAutoField):
                continue
            if isinstance(f, models.DateTimeField) or f.name in skip:
                continue
            columns.append((f.attname, f))
        table = hashlib.sha256()
        rows = model._default_manager.order_by("pk").values_list(*[c for c, _f in columns])
        n = 0
        for row in rows.iterator(chunk_size=5000):
            values = []
            for (_attname, field), value in zip(columns, row, strict=True):
                if field.is_relation and value is not None:
                    related = field.related_model
                    if not isinstance(related, type):
                        raise TypeError(f"{label}.{field.name}: unresolved relation")
                    value = ordinal_map(related).get(value, -1)
                values.append(value)
            table.update(json.dumps(values, sort_keys=True, default=_json_default).encode())
            table.update(b"\n")
            n += 1
        total.update(f"{label}:{n}:{table.hexdigest()}\n".encode())
    return total.hexdigest()
