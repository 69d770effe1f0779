"""A throw-away database for a benchmark run, with Django set up on it.

SQLite (default): a file in a temporary folder. PostgreSQL (DATABASE_URL=postgres://...):
a new database ``<name>_<pid>`` on that server, dropped afterwards.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


@contextmanager
def fresh_database() -> Iterator[str]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.base")
    tmp = tempfile.TemporaryDirectory(prefix="peelian-bench-")
    os.environ["PEELIAN_VAR_DIR"] = tmp.name
    os.environ["STATIC_ROOT"] = os.path.join(tmp.name, "static")
    os.makedirs(os.environ["STATIC_ROOT"])
    url = os.environ.get("DATABASE_URL", "")
    pg_name = None
    if url.startswith("postgres"):
        import psycopg

        parts = urlsplit(url)
        pg_name = f"{parts.path.lstrip('/') or 'peelian_bench'}_{os.getpid()}"
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{pg_name}"))
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    try:
        yield connection.vendor
    finally:
        connection.close()
        if pg_name:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{pg_name}"')
        tmp.cleanup()
