"""Viewer-dependent reads of complaint cases for staff. Reads of a case file, of a
complainant's identity and of an attachment check the policy and write the audit entry
(sensitive reads); a refusal answers "not found", so it never reveals a case exists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from peelian.accounts.roles import INVESTIGATOR
from peelian.audit.services import audit_log
from peelian.core.errors import NotFound
from peelian.core.permissions import roles_of
from peelian.oversight.models import (
    Allegation,
    Attachment,
    Complainant,
    Complaint,
    ConflictDeclaration,
)
from peelian.oversight.permissions import (
    CASE_MANAGERS,
    CASE_VIEW,
    IDENTITY_VIEW,
    policy,
)

HIDDEN = "hidden"


def case_list_for_viewer(
    viewer: Any, filters: Mapping[str, Any] | None = None
) -> QuerySet[Complaint]:
    """The staff queue. Managers (supervisor, administrator) see every case; an
    investigator only the cases assigned to them; anyone else (board members included:
    they use the board pages) nothing. ``filters``: ``status`` (a status value),
    ``overdue`` (true: past the stage deadline), ``mine`` (true: assigned to the viewer),
    ``kind``."""
    filters = filters or {}
    roles = roles_of(viewer)
    qs = Complaint.objects.select_related("category", "investigator")
    if roles & CASE_MANAGERS:
        pass
    elif INVESTIGATOR in roles:
        qs = qs.filter(investigator_id=viewer.pk)
    else:
        return qs.none()
    status = filters.get("status")
    if status:
        if status not in Complaint.Status.values:
            return qs.none()
        qs = qs.filter(status=status)
    kind = filters.get("kind")
    if kind:
        if kind not in Complaint.Kind.values:
            return qs.none()
        qs = qs.filter(kind=kind)
    if filters.get("overdue"):
        qs = qs.filter(stage_due_at__lt=timezone.now()).exclude(status=Complaint.Status.CLOSED)
    if filters.get("mine"):
        qs = qs.filter(investigator_id=viewer.pk)
    return qs.order_by("stage_due_at", "-received_at")


def _case_file_queryset() -> QuerySet[Complaint]:
    return Complaint.objects.select_related(
        "category", "investigator", "beat", "district"
    ).prefetch_related(
        Prefetch(
            "allegations",
            queryset=Allegation.objects.select_related("officer", "category").order_by("id"),
        ),
        "evidence",
        "interviews",
        "notes__author",
        "events",
        "attachments",
        "officers",
        Prefetch(
            "conflicts",
            queryset=ConflictDeclaration.objects.select_related("investigator").order_by(
                "created_at"
            ),
        ),
    )


@transaction.atomic
def case_get_for_viewer(viewer: Any, public_id: Any) -> Complaint:
    """The case file (without the complainant's identity: see ``complainant_for_viewer``).
    Audited as a sensitive read."""
    try:
        case = _case_file_queryset().get(public_id=public_id)
    except (Complaint.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Not found.") from exc
    except Exception as exc:  # an invalid UUID string raises ValidationError
        from django.core.exceptions import ValidationError

        if isinstance(exc, ValidationError):
            raise NotFound("Not found.") from exc
        raise
    policy.require(viewer, CASE_VIEW, case)
    audit_log(actor=viewer, action="oversight.complaint.view", target=case)
    return case


@transaction.atomic
def complainant_for_viewer(viewer: Any, complaint: Complaint) -> Complainant | str | None:
    """The complainant's identity and contact details: ``"hidden"`` when the viewer may
    not see them, ``None`` when there is no complainant record (anonymous with nothing
    given). Audited as a sensitive read when shown."""
    if not policy.can(viewer, IDENTITY_VIEW, complaint):
        return HIDDEN
    complainant = Complainant.objects.filter(complaint=complaint).first()
    if complainant is None:
        return None
    audit_log(actor=viewer, action="oversight.complainant.view", target=complaint)
    return complainant


@transaction.atomic
def attachment_get_for_viewer(
    viewer: Any, complaint_public_id: Any, attachment_public_id: Any
) -> Attachment:
    """One attachment of a case the viewer may see; audited."""
    from django.core.exceptions import ValidationError

    try:
        attachment = Attachment.objects.select_related("complaint").get(
            public_id=attachment_public_id, complaint__public_id=complaint_public_id
        )
    except (Attachment.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound("Not found.") from exc
    policy.require(viewer, CASE_VIEW, attachment.complaint)
    audit_log(
        actor=viewer,
        action="oversight.attachment.view",
        target=attachment.complaint,
        after={"attachment": str(attachment.public_id)},
    )
    return attachment
