"""Stage deadlines: how long a case may stay in each workflow stage.

Configured in days per stage with ``settings.PEELIAN_OVERSIGHT_DEADLINES`` (a dict; keys
not given keep their defaults). Every workflow transition sets ``stage_started_at`` and
``stage_due_at`` through ``apply_stage``; a closed case has no deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils import timezone

from peelian.oversight.models import Complaint

Status = Complaint.Status

DEFAULT_DEADLINES: dict[str, int] = {
    "triage": 5,  # received: triage it
    "assign": 10,  # triaged: assign an investigator
    "start": 10,  # assigned: declare conflicts and start the investigation
    "investigation": 180,  # investigating: issue the findings
    "board": 60,  # board review: the board recommends and the agency answers
    "decision": 30,  # findings issued: the agency's final decision
    "close": 15,  # decided: notify and close
}

STAGE_OF_STATUS: dict[str, str] = {
    Status.RECEIVED: "triage",
    Status.TRIAGED: "assign",
    Status.ASSIGNED: "start",
    Status.INVESTIGATING: "investigation",
    Status.FINDINGS: "decision",
    Status.BOARD_REVIEW: "board",
    Status.DECIDED: "close",
}


def deadline_days() -> dict[str, int]:
    """The configured days per stage, checked: unknown stages or non-positive numbers are
    a configuration error, not a silent default."""
    configured: Mapping[str, object] = getattr(settings, "PEELIAN_OVERSIGHT_DEADLINES", {}) or {}
    unknown = set(configured) - set(DEFAULT_DEADLINES)
    if unknown:
        raise ImproperlyConfigured(
            f"PEELIAN_OVERSIGHT_DEADLINES: unknown stages {sorted(unknown)}; "
            f"known: {sorted(DEFAULT_DEADLINES)}"
        )
    days = dict(DEFAULT_DEADLINES)
    for stage, value in configured.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ImproperlyConfigured(
                f"PEELIAN_OVERSIGHT_DEADLINES[{stage!r}] must be a whole number of days >= 1"
            )
        days[stage] = value
    return days


def due_at(status: str, start: dt.datetime) -> dt.datetime | None:
    stage = STAGE_OF_STATUS.get(status)
    if stage is None:
        return None
    return start + dt.timedelta(days=deadline_days()[stage])


def apply_stage(complaint: Complaint, *, now: dt.datetime | None = None) -> list[str]:
    """Set the stage's start and due date for the complaint's (new) status; returns the
    changed field names for ``save(update_fields=...)``."""
    now = now or timezone.now()
    complaint.stage_started_at = now
    complaint.stage_due_at = due_at(complaint.status, now)
    return ["stage_started_at", "stage_due_at"]


def overdue_cases(*, now: dt.datetime | None = None) -> QuerySet[Complaint]:
    """Open cases whose current stage is past its due date, most overdue first."""
    now = now or timezone.now()
    return (
        Complaint.objects.filter(stage_due_at__lt=now)
        .exclude(status=Status.CLOSED)
        .select_related("investigator", "category")
        .order_by("stage_due_at")
    )


def is_overdue(complaint: Complaint, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        complaint.status != Status.CLOSED
        and complaint.stage_due_at is not None
        and complaint.stage_due_at < now
    )
