"""Background tasks of the oversight workflow. Thin: call one service."""

from __future__ import annotations

from django_tasks import task

from peelian.oversight.services.workflow import overdue_alerts_send


@task()
def send_overdue_alerts() -> dict[str, int]:
    """Email investigators and supervisors about cases past their stage deadline (run daily
    by the scheduler)."""
    return overdue_alerts_send()
