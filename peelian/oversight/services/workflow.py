"""The case workflow: every step of a complaint from triage to closing is a service here.

Each service locks the case (``lock_case`` with the version the caller read, so a stale
form is refused with a Conflict), checks the policy on the locked row, checks the case is
in a state that allows the step (else ``wrong_state``), writes, moves the stage deadline,
increases the version, writes the audit entry and, for steps the complainant sees, the
public timeline event — all in one transaction: a refusal writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peelian.accounts.roles import INVESTIGATOR
from peelian.agency.models import Officer
from peelian.audit.services import audit_log, snapshot
from peelian.core.errors import (
    ApplicationError,
    PermissionDenied,
    validation_error_to_application_error,
)
from peelian.core.permissions import has_role
from peelian.oversight import deadlines
from peelian.oversight.events import record_event
from peelian.oversight.models import (
    Allegation,
    AllegationCategory,
    BoardReview,
    CaseNote,
    Complaint,
    ComplaintEvent,
    ConflictDeclaration,
    Discipline,
    EvidenceItem,
    Finding,
    Interview,
)
from peelian.oversight.permissions import CASE_MANAGE, CASE_VIEW, CASE_WORK, DECIDE
from peelian.oversight.services.common import bump_version, lock_case

Status = Complaint.Status
CASE_FIELDS = (
    "status",
    "category",
    "priority",
    "handler",
    "investigator",
    "stage_due_at",
    "closed_at",
    "version",
)
OPEN_STATES = frozenset(s for s in Status.values if s != Status.CLOSED)
# Discipline that only follows a sustained (or policy-failure) final finding.
DISCIPLINE_NEEDS_SUSTAINED = frozenset(
    {
        Discipline.COUNSELING,
        Discipline.TRAINING,
        Discipline.WRITTEN_REPRIMAND,
        Discipline.SUSPENSION,
        Discipline.DEMOTION,
        Discipline.TERMINATION,
    }
)


class WrongState(ApplicationError):
    status = 409
    code = "wrong_state"


def _require_state(complaint: Complaint, *allowed: str) -> None:
    if complaint.status not in allowed:
        raise WrongState(
            _("This step is not possible while the case is “%(status)s”.")
            % {"status": complaint.get_status_display()}
        )


def _require_complaint(complaint: Complaint) -> None:
    if complaint.kind != Complaint.Kind.COMPLAINT:
        raise ApplicationError(
            _("A commendation is not investigated; close it with a note instead."),
            code="commendation",
        )


def _open(actor: Any, complaint: Complaint, expected_version: int | None, action: str) -> Complaint:
    """Lock the case, check the policy on the fresh row, then the version."""
    return lock_case(complaint, expected_version=expected_version, actor=actor, action=action)


def _move(complaint: Complaint, status: str, *extra_fields: str) -> None:
    complaint.status = status
    fields = ["status", *deadlines.apply_stage(complaint), *extra_fields, "updated_at"]
    complaint.save(update_fields=fields)
    bump_version(complaint)


def _audit_case(actor: Any, action: str, case: Complaint, before: dict[str, Any]) -> None:
    """The audit entry of a workflow step: the case's fields before and after."""
    audit_log(
        actor=actor, action=action, target=case, before=before, after=snapshot(case, CASE_FIELDS)
    )


def _touch(complaint: Complaint) -> None:
    """A change inside the case (an allegation, a note...) is still a change of the case."""
    complaint.save(update_fields=["updated_at"])
    bump_version(complaint)


def _clean(obj: Any, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise validation_error_to_application_error(exc) from exc


# --- triage and assignment -----------------------------------------------------------------


@transaction.atomic
def complaint_triage(
    *,
    actor: Any,
    complaint: Complaint,
    expected_version: int | None,
    category: AllegationCategory,
    priority: str,
    handler: str,
) -> Complaint:
    """received → triaged: the case's main category, its priority and who handles it."""
    case = _open(actor, complaint, expected_version, CASE_MANAGE)
    _require_complaint(case)
    _require_state(case, Status.RECEIVED)
    if not category.active:
        raise ApplicationError(
            _("That category is no longer in use."), code="inactive_category", fields={}
        )
    if priority not in Complaint.Priority.values:
        raise ApplicationError(_("Choose a priority."), code="invalid", fields={"priority": []})
    if handler not in Complaint.Handler.values:
        raise ApplicationError(_("Choose who handles the case."), code="invalid")
    before = snapshot(case, CASE_FIELDS)
    case.category, case.priority, case.handler = category, priority, handler
    _move(case, Status.TRIAGED, "category", "priority", "handler")
    record_event(case, ComplaintEvent.Kind.TRIAGED)
    _audit_case(actor, "oversight.complaint.triage", case, before)
    return case


def _check_investigator(case: Complaint, investigator: Any) -> None:
    if (
        investigator is None
        or not investigator.is_active
        or not has_role(investigator, INVESTIGATOR)
    ):
        raise ApplicationError(
            _("Only an active user with the investigator role can be assigned."),
            code="not_investigator",
        )
    if ConflictDeclaration.objects.filter(
        complaint=case, investigator=investigator, has_conflict=True
    ).exists():
        raise ApplicationError(
            _("This investigator declared a conflict of interest on this case."),
            code="conflict_declared",
        )


@transaction.atomic
def complaint_assign(
    *, actor: Any, complaint: Complaint, expected_version: int | None, investigator: Any
) -> Complaint:
    """triaged → assigned."""
    case = _open(actor, complaint, expected_version, CASE_MANAGE)
    _require_complaint(case)
    _require_state(case, Status.TRIAGED)
    _check_investigator(case, investigator)
    before = snapshot(case, CASE_FIELDS)
    case.investigator = investigator
    _move(case, Status.ASSIGNED, "investigator")
    record_event(case, ComplaintEvent.Kind.ASSIGNED)
    _audit_case(actor, "oversight.complaint.assign", case, before)
    return case


@transaction.atomic
def complaint_reassign(
    *, actor: Any, complaint: Complaint, expected_version: int | None, investigator: Any
) -> Complaint:
    """Give an assigned or investigating case to another investigator. The stage and its
    deadline do not change; the new investigator declares their own conflicts."""
    case = _open(actor, complaint, expected_version, CASE_MANAGE)
    _require_state(case, Status.ASSIGNED, Status.INVESTIGATING)
    if investigator is not None and investigator.pk == case.investigator_id:
        raise ApplicationError(
            _("The case is already assigned to this investigator."), code="same_investigator"
        )
    _check_investigator(case, investigator)
    before = snapshot(case, CASE_FIELDS)
    case.investigator = investigator
    case.save(update_fields=["investigator", "updated_at"])
    bump_version(case)
    _audit_case(actor, "oversight.complaint.assign", case, before)
    return case


@transaction.atomic
def conflict_declare(
    *,
    actor: Any,
    complaint: Complaint,
    expected_version: int | None,
    has_conflict: bool,
    statement: str = "",
) -> ConflictDeclaration:
    """The assigned investigator declares whether they have a conflict of interest. A
    conflict takes them off the case, which goes back to triaged for reassignment."""
    case = _open(actor, complaint, expected_version, CASE_VIEW)
    _require_state(case, Status.ASSIGNED, Status.INVESTIGATING)
    if case.investigator_id != getattr(actor, "pk", None):
        raise PermissionDenied(
            _("Only the investigator assigned to the case declares conflicts."),
            code="not_assigned",
        )
    statement = (statement or "").strip()
    if has_conflict and not statement:
        raise ApplicationError(
            _("Say briefly what the conflict of interest is."),
            code="statement_required",
            fields={"statement": [_("Say briefly what the conflict of interest is.")]},
        )
    before = snapshot(case, CASE_FIELDS)
    declaration = ConflictDeclaration.objects.create(
        complaint=case, investigator=actor, has_conflict=has_conflict, statement=statement
    )
    if has_conflict:
        case.investigator = None
        _move(case, Status.TRIAGED, "investigator")
    else:
        _touch(case)
    audit_log(
        actor=actor,
        action="oversight.complaint.conflict",
        target=case,
        before=before,
        after={**snapshot(case, CASE_FIELDS), "has_conflict": has_conflict},
    )
    return declaration


# --- the investigation -------------------------------------------------------------------


@transaction.atomic
def investigation_start(
    *, actor: Any, complaint: Complaint, expected_version: int | None
) -> Complaint:
    """assigned → investigating, once the investigator declared they have no conflict."""
    case = _open(actor, complaint, expected_version, CASE_WORK)
    _require_state(case, Status.ASSIGNED)
    declared = (
        ConflictDeclaration.objects.filter(complaint=case, investigator_id=case.investigator_id)
        .order_by("-created_at", "-id")
        .first()
    )
    if declared is None or declared.has_conflict:
        raise ApplicationError(
            _("The assigned investigator must first declare that they have no conflict."),
            code="conflict_not_declared",
        )
    before = snapshot(case, CASE_FIELDS)
    _move(case, Status.INVESTIGATING)
    record_event(case, ComplaintEvent.Kind.INVESTIGATING)
    _audit_case(actor, "oversight.complaint.start", case, before)
    return case


@transaction.atomic
def allegation_add(
    *,
    actor: Any,
    complaint: Complaint,
    expected_version: int | None,
    category: AllegationCategory,
    summary: str = "",
    officer: Officer | None = None,
) -> Allegation:
    """An allegation against one officer, or against an officer not yet identified."""
    case = _open(actor, complaint, expected_version, CASE_WORK)
    _require_state(case, Status.INVESTIGATING)
    if not category.active:
        raise ApplicationError(_("That category is no longer in use."), code="inactive_category")
    allegation = Allegation(complaint=case, officer=officer, category=category, summary=summary)
    _clean(allegation, exclude=["complaint"])
    allegation.save()
    _touch(case)
    audit_log(
        actor=actor,
        action="oversight.allegation.add",
        target=case,
        after={
            "allegation": allegation.pk,
            "officer": officer.pk if officer else None,
            "category": category.code,
        },
    )
    return allegation


@transaction.atomic
def evidence_add(
    *,
    actor: Any,
    complaint: Complaint,
    expected_version: int | None,
    kind: str,
    description: str,
    reference: str = "",
    collected_on: dt.date | None = None,
) -> EvidenceItem:
    case = _open(actor, complaint, expected_version, CASE_WORK)
    _require_state(case, Status.INVESTIGATING)
    item = EvidenceItem(
        complaint=case,
        kind=kind,
        description=description,
        reference=reference,
        collected_on=collected_on,
        added_by=actor,
    )
    _clean(item, exclude=["complaint", "added_by"])
    if collected_on and collected_on > timezone.localdate():
        raise ApplicationError(_("Evidence cannot be collected in the future."), code="future_date")
    item.save()
    _touch(case)
    audit_log(
        actor=actor,
        action="oversight.evidence.add",
        target=case,
        after={"evidence": item.pk, "kind": kind},
    )
    return item


@transaction.atomic
def interview_add(
    *,
    actor: Any,
    complaint: Complaint,
    expected_version: int | None,
    subject: str,
    role: str,
    held_on: dt.date,
    summary: str,
) -> Interview:
    case = _open(actor, complaint, expected_version, CASE_WORK)
    _require_state(case, Status.INVESTIGATING)
    interview = Interview(
        complaint=case,
        subject=subject,
        role=role,
        held_on=held_on,
        summary=summary,
        conducted_by=actor,
    )
    _clean(interview, exclude=["complaint", "conducted_by"])
    if held_on > timezone.localdate():
        raise ApplicationError(
            _("An interview cannot be recorded for a future date."), code="future_date"
        )
    interview.save()
    _touch(case)
    audit_log(
        actor=actor,
        action="oversight.interview.add",
        target=case,
        after={"interview": interview.pk, "role": role, "held_on": held_on},
    )
    return interview


@transaction.atomic
def note_add(
    *, actor: Any, complaint: Complaint, expected_version: int | None, text: str
) -> CaseNote:
    """A case note, in any stage before the case is closed."""
    case = _open(actor, complaint, expected_version, CASE_WORK)
    _require_state(case, *OPEN_STATES)
    text = (text or "").strip()
    if not text:
        raise ApplicationError(
            _("Write the note."), code="invalid", fields={"text": [_("Write the note.")]}
        )
    note = CaseNote(complaint=case, author=actor, text=text)
    _clean(note, exclude=["complaint", "author"])
    note.save()
    _touch(case)
    audit_log(actor=actor, action="oversight.note.add", target=case, after={"note": note.pk})
    return note


@transaction.atomic
def finding_record(
    *,
    actor: Any,
    complaint: Complaint,
    expected_version: int | None,
    allegation: Allegation,
    finding: str,
    reason: str,
) -> Allegation:
    """The investigator's finding on one allegation, with the reason for it."""
    case = _open(actor, complaint, expected_version, CASE_WORK)
    _require_state(case, Status.INVESTIGATING)
    if allegation.complaint_id != case.pk:
        raise ApplicationError(_("That allegation is not part of this case."), code="invalid")
    if finding not in Finding.values:
        raise ApplicationError(
            _("Choose a finding."), code="invalid", fields={"finding": [_("Choose a finding.")]}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason for the finding."),
            code="reason_required",
            fields={"reason": [_("Give the reason for the finding.")]},
        )
    allegation = Allegation.objects.select_for_update().get(pk=allegation.pk)
    before = snapshot(allegation, ["finding", "finding_reason"])
    allegation.finding = finding
    allegation.finding_reason = reason
    allegation.finding_at = timezone.now()
    allegation.save(update_fields=["finding", "finding_reason", "finding_at", "updated_at"])
    _touch(case)
    audit_log(
        actor=actor,
        action="oversight.allegation.finding",
        target=case,
        before={"allegation": allegation.pk, **before},
        after={"allegation": allegation.pk, **snapshot(allegation, ["finding", "finding_reason"])},
    )
    return allegation


@transaction.atomic
def findings_issue(*, actor: Any, complaint: Complaint, expected_version: int | None) -> Complaint:
    """investigating → findings, once every allegation has a finding. If any allegation's
    category must go to the review board, the case is referred to it at once."""
    case = _open(actor, complaint, expected_version, CASE_WORK)
    _require_state(case, Status.INVESTIGATING)
    allegations = list(case.allegations.select_related("category"))
    if not allegations:
        raise ApplicationError(
            _("Add at least one allegation before issuing findings."), code="no_allegations"
        )
    if any(not a.finding for a in allegations):
        raise ApplicationError(
            _("Every allegation needs a finding before the findings are issued."),
            code="findings_missing",
        )
    before = snapshot(case, CASE_FIELDS)
    _move(case, Status.FINDINGS)
    counts = Counter(a.finding for a in allegations)
    record_event(case, ComplaintEvent.Kind.FINDING_ISSUED, {"findings": dict(counts)})
    audit_log(
        actor=actor,
        action="oversight.findings.issue",
        target=case,
        before=before,
        after={**snapshot(case, CASE_FIELDS), "findings": dict(counts)},
    )
    board_codes = sorted({a.category.code for a in allegations if a.category.refer_to_board})
    if board_codes:
        # The review board's service (owned by the board module), imported here so the
        # workflow does not depend on it at import time.
        from peelian.oversight.services.board import board_refer

        board_refer(actor=actor, complaint=case, reason=BoardReview.Reason.RULE)
        case.refresh_from_db()
    return case


# --- the decision and closing -------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    final_finding: str
    discipline: str = Discipline.NONE
    suspension_days: int | None = None


@transaction.atomic
def decision_record(
    *,
    actor: Any,
    complaint: Complaint,
    expected_version: int | None,
    decisions: Mapping[int, Decision],
) -> Complaint:
    """The agency's final decision on every allegation (``decisions`` by allegation id):
    findings or board_review → decided, once any board review has been answered."""
    case = _open(actor, complaint, expected_version, DECIDE)
    _require_state(case, Status.FINDINGS, Status.BOARD_REVIEW)
    review = BoardReview.objects.filter(complaint=case).first()
    if review is not None and review.status != BoardReview.Status.ANSWERED:
        raise ApplicationError(
            _("The review board's recommendations must be answered before the decision."),
            code="board_pending",
            status=409,
        )
    allegations = list(case.allegations.select_for_update())
    missing = [a.pk for a in allegations if a.pk not in decisions]
    unknown = set(decisions) - {a.pk for a in allegations}
    if missing or unknown:
        raise ApplicationError(
            _("Record a decision for every allegation of this case, and only for them."),
            code="decision_missing",
        )
    errors: dict[str, list[Any]] = {}
    for allegation in allegations:
        d = decisions[allegation.pk]
        key = f"allegation-{allegation.pk}"
        if d.final_finding not in Finding.values:
            errors.setdefault(key, []).append(_("Choose the final finding."))
        if d.discipline not in Discipline.values:
            errors.setdefault(key, []).append(_("Choose the discipline."))
        elif d.discipline in DISCIPLINE_NEEDS_SUSTAINED and d.final_finding not in {
            Finding.SUSTAINED,
            Finding.POLICY_FAILURE,
        }:
            errors.setdefault(key, []).append(
                _("Discipline follows only a sustained or policy-failure finding.")
            )
        if d.discipline == Discipline.SUSPENSION:
            if not d.suspension_days or d.suspension_days < 1:
                errors.setdefault(key, []).append(_("Give the number of days of suspension."))
        elif d.suspension_days:
            errors.setdefault(key, []).append(_("Days of suspension go with a suspension only."))
    if errors:
        raise ApplicationError(
            next(iter(errors.values()))[0], code="invalid_decision", fields=errors
        )
    before = snapshot(case, CASE_FIELDS)
    now = timezone.now()
    for allegation in allegations:
        d = decisions[allegation.pk]
        allegation.final_finding = d.final_finding
        allegation.discipline = d.discipline
        allegation.suspension_days = (
            d.suspension_days if d.discipline == Discipline.SUSPENSION else None
        )
        allegation.decided_at = now
        allegation.save(
            update_fields=[
                "final_finding",
                "discipline",
                "suspension_days",
                "decided_at",
                "updated_at",
            ]
        )
    _move(case, Status.DECIDED)
    counts = Counter(decisions[a.pk].final_finding for a in allegations)
    record_event(case, ComplaintEvent.Kind.DECIDED, {"decisions": dict(counts)})
    audit_log(
        actor=actor,
        action="oversight.complaint.decide",
        target=case,
        before=before,
        after={
            **snapshot(case, CASE_FIELDS),
            "decisions": {
                str(a.pk): [a.final_finding, a.discipline, a.suspension_days] for a in allegations
            },
        },
    )
    return case


@transaction.atomic
def complaint_close(*, actor: Any, complaint: Complaint, expected_version: int | None) -> Complaint:
    """decided → closed."""
    case = _open(actor, complaint, expected_version, DECIDE)
    _require_state(case, Status.DECIDED)
    before = snapshot(case, CASE_FIELDS)
    case.closed_at = timezone.now()
    _move(case, Status.CLOSED, "closed_at")
    record_event(case, ComplaintEvent.Kind.CLOSED)
    _audit_case(actor, "oversight.complaint.close", case, before)
    return case


@transaction.atomic
def commendation_close(
    *, actor: Any, complaint: Complaint, expected_version: int | None, note: str
) -> Complaint:
    """A commendation is not investigated: received → closed, with a note (who was told,
    say, or that it went to the officer's file)."""
    case = _open(actor, complaint, expected_version, CASE_MANAGE)
    if case.kind != Complaint.Kind.COMMENDATION:
        raise ApplicationError(
            _("Only a commendation is closed without an investigation."),
            code="not_commendation",
        )
    _require_state(case, Status.RECEIVED)
    note = (note or "").strip()
    if not note:
        raise ApplicationError(
            _("Write a note saying what was done with the commendation."),
            code="invalid",
            fields={"note": [_("Write a note saying what was done with the commendation.")]},
        )
    before = snapshot(case, CASE_FIELDS)
    CaseNote.objects.create(complaint=case, author=actor, text=note)
    case.closed_at = timezone.now()
    _move(case, Status.CLOSED, "closed_at")
    record_event(case, ComplaintEvent.Kind.CLOSED)
    _audit_case(actor, "oversight.complaint.close", case, before)
    return case


# --- overdue alerts -------------------------------------------------------------------------


def overdue_alerts_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Email each assigned investigator the list of their overdue cases, and every active
    supervisor the list of all overdue cases. The mails name cases by their reference and
    stage only — never the complainant, the narrative or an officer. Returns counts."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mass_mail
    from django.urls import reverse

    from peelian.accounts.roles import SUPERVISOR

    cases = list(deadlines.overdue_cases(now=now))
    if not cases:
        return {"cases": 0, "emails": 0}

    def line(case: Complaint) -> str:
        return _("%(ref)s — %(status)s, due %(due)s: %(url)s") % {
            "ref": f"…{case.tracking_hint}",
            "status": case.get_status_display(),
            "due": f"{case.stage_due_at:%Y-%m-%d}",
            "url": reverse("cases:detail", args=[case.public_id]),
        }

    from django.conf import settings

    messages: list[tuple[str, str, str, list[str]]] = []
    subject = _("Overdue complaint cases")
    by_investigator: dict[Any, list[Complaint]] = {}
    for case in cases:
        if case.investigator is not None and case.investigator.email:
            by_investigator.setdefault(case.investigator, []).append(case)
    for user, theirs in by_investigator.items():
        body = _("These cases assigned to you are past their stage deadline:") + "\n\n"
        body += "\n".join(line(c) for c in theirs)
        messages.append((str(subject), body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    supervisors = (
        get_user_model()
        .objects.filter(groups__name=SUPERVISOR, is_active=True)
        .exclude(email="")
        .distinct()
    )
    body = _("These complaint cases are past their stage deadline:") + "\n\n"
    body += "\n".join(line(c) for c in cases)
    for supervisor in supervisors:
        messages.append((str(subject), body, settings.DEFAULT_FROM_EMAIL, [supervisor.email]))
    sent = send_mass_mail(messages, fail_silently=False)
    return {"cases": len(cases), "emails": int(sent)}
