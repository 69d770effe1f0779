"""The public timeline of a case (what the complainant sees at /complaints/track/).

Write events only through ``record_event``, inside the service's transaction. ``detail``
holds public, structured facts only (counts of findings by kind, say) — never names,
narratives, reasons or anything about another person.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from peelian.oversight.models import Complaint, ComplaintEvent

PUBLIC_DETAIL_KEYS = frozenset({"findings", "board_agreement", "decisions", "channel"})


def record_event(
    complaint: Complaint, kind: str, detail: dict[str, Any] | None = None
) -> ComplaintEvent:
    detail = detail or {}
    unknown = set(detail) - PUBLIC_DETAIL_KEYS
    if unknown:
        raise ValueError(f"not public event detail: {sorted(unknown)}")
    if kind not in ComplaintEvent.Kind.values:
        raise ValueError(f"unknown event kind {kind!r}")
    return ComplaintEvent.objects.create(
        complaint=complaint, kind=kind, at=timezone.now(), detail=detail
    )
