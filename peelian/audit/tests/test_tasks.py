"""Background work: the database task backend and `peelian worker` (django-tasks-db)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks import TaskResultStatus

from peelian.audit.models import AuditEntry
from peelian.audit.services import audit_log
from peelian.audit.tasks import verify_chain

pytestmark = pytest.mark.django_db


def test_immediate_backend_runs_task_in_tests():
    with transaction.atomic():
        audit_log(actor="system:test", action="audit.entry.view")
    result = verify_chain.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"ok": True, "checked": 1, "bad_position": None, "reason": ""}
    assert AuditEntry.objects.filter(action="audit.chain.verify").count() == 1


def test_database_backend_and_worker(monkeypatch):
    # The worker closes connections it thinks are stale; here the test's own transaction
    # holds the connection (rolled back after the test), so that must not happen.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    result = verify_chain.using(backend="database").enqueue()
    assert result.status == TaskResultStatus.READY
    assert not AuditEntry.objects.filter(action="audit.chain.verify").exists()
    # `peelian worker` is db_worker; --batch processes what is queued, then exits.
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--interval", "0", "--backend", "database"
    )
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["ok"] is True
    assert AuditEntry.objects.filter(action="audit.chain.verify").count() == 1
