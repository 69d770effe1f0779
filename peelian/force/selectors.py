"""Viewer-dependent reads of use-of-force reports. Opening one incident's file (narrative,
injuries, officers) is a sensitive read and is recorded in the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from peelian.audit.services import audit_log
from peelian.core.errors import NotFound, PermissionDenied
from peelian.force.models import ForceIncident
from peelian.force.permissions import READ, officer_of, policy


def incident_list_for_viewer(
    *,
    viewer: Any,
    district: str | None = None,
    review_status: str | None = None,
    force_type: str | None = None,
    resistance: str | None = None,
    source: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[ForceIncident]:
    """Incidents the viewer may list: every incident for the reading roles; an officer's
    own incidents for an officer; otherwise refused."""
    qs = ForceIncident.objects.select_related("district", "beat").order_by("-occurred_at", "-id")
    if not policy.can_list_all(viewer):
        own = officer_of(viewer)
        if own is None:
            from django.utils.translation import gettext_lazy as _

            raise PermissionDenied(_("You do not have permission to do that."))
        qs = qs.filter(officers__officer=own).distinct()
    if district:
        qs = qs.filter(district_code=district)
    if review_status:
        qs = qs.filter(review_status=review_status)
    if force_type:
        qs = qs.filter(force_type_codes__contains=f"|{force_type}|")
    if resistance:
        qs = qs.filter(resistance=resistance)
    if source == "reported":
        qs = qs.filter(source="")
    elif source:
        qs = qs.filter(source=source)
    if date_from:
        qs = qs.filter(Q(occurred_at__date__gte=date_from))
    if date_to:
        qs = qs.filter(Q(occurred_at__date__lte=date_to))
    return qs


@transaction.atomic
def incident_get(*, viewer: Any, public_id: Any) -> ForceIncident:
    """One incident's full file, audited as a sensitive read. "Not found" when the viewer
    may not see it."""
    incident = (
        ForceIncident.objects.select_related("district", "beat", "reviewer", "reported_by")
        .prefetch_related("officers__officer", "subjects", "complaints")
        .filter(public_id=public_id)
        .first()
    )
    if incident is None:
        from django.utils.translation import gettext_lazy as _

        raise NotFound(_("Not found."))
    policy.require(viewer, READ, incident)
    audit_log(actor=viewer, action="force.incident.view", target=incident)
    return incident
