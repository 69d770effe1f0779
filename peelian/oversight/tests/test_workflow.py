"""The case workflow services: each transition's happy path, its refusals (wrong state,
wrong person, stale version) and that a refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import sys
import types
from typing import Any

import pytest
from django.utils import timezone

from peelian.accounts.roles import ADMINISTRATOR, INVESTIGATOR, REVIEW_BOARD, SUPERVISOR
from peelian.agency.tests.factories import OfficerFactory
from peelian.audit.models import AuditEntry
from peelian.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from peelian.oversight import deadlines
from peelian.oversight.models import (
    Allegation,
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
from peelian.oversight.services import workflow as wf
from peelian.oversight.tests.factories import category, make_case

S = Complaint.Status
pytestmark = pytest.mark.django_db


def state_of(case: Complaint) -> tuple[Any, ...]:
    """Everything a refused step must leave unchanged."""
    case = Complaint.objects.get(pk=case.pk)
    return (
        case.status,
        case.version,
        case.investigator_id,
        case.category_id,
        case.stage_due_at,
        case.closed_at,
        AuditEntry.objects.count(),
        ComplaintEvent.objects.filter(complaint=case).count(),
        Allegation.objects.filter(complaint=case).count(),
        CaseNote.objects.filter(complaint=case).count(),
        ConflictDeclaration.objects.filter(complaint=case).count(),
    )


def refused(case: Complaint, code: str, call: Any) -> None:
    before = state_of(case)
    with pytest.raises(ApplicationError) as info:
        call()
    assert info.value.code == code
    assert state_of(case) == before


@pytest.fixture
def supervisor(make_user: Any) -> Any:
    return make_user(SUPERVISOR)


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user(ADMINISTRATOR)


@pytest.fixture
def investigator(make_user: Any) -> Any:
    return make_user(INVESTIGATOR)


def triage(actor: Any, case: Complaint, **kw: Any) -> Complaint:
    args = {
        "category": category("courtesy"),
        "priority": Complaint.Priority.HIGH,
        "handler": Complaint.Handler.INTERNAL_AFFAIRS,
    }
    args.update(kw)
    return wf.complaint_triage(actor=actor, complaint=case, expected_version=case.version, **args)


# --- triage -----------------------------------------------------------------------------


def test_triage_moves_to_triaged_with_deadline_event_and_audit(supervisor: Any) -> None:
    case = make_case(S.RECEIVED)
    version = case.version
    done = triage(supervisor, case)
    done.refresh_from_db()
    assert done.status == S.TRIAGED
    assert done.version == version + 1
    assert done.category.code == "courtesy"
    assert done.priority == "high"
    expected_due = done.stage_started_at + dt.timedelta(days=deadlines.DEFAULT_DEADLINES["assign"])
    assert done.stage_due_at == expected_due
    assert ComplaintEvent.objects.filter(complaint=case, kind="triaged").count() == 1
    entry = AuditEntry.objects.filter(action="oversight.complaint.triage").get()
    assert entry.actor_id == supervisor.pk
    assert entry.before["status"] == "received"
    assert entry.after["status"] == "triaged"


def test_triage_refusals_write_nothing(supervisor: Any, investigator: Any) -> None:
    triaged = make_case(S.TRIAGED)
    refused(triaged, "wrong_state", lambda: triage(supervisor, triaged))
    received = make_case(S.RECEIVED)
    # An investigator may not triage; refused as "not found" (the case stays hidden).
    refused(received, "not_found", lambda: triage(investigator, received))
    commendation = make_case(S.RECEIVED, kind=Complaint.Kind.COMMENDATION)
    refused(commendation, "commendation", lambda: triage(supervisor, commendation))
    refused(received, "invalid", lambda: triage(supervisor, received, priority="asap"))


def test_stale_version_is_a_conflict_and_changes_nothing(supervisor: Any) -> None:
    case = make_case(S.RECEIVED)
    stale = case.version
    wf.note_add(actor=supervisor, complaint=case, expected_version=stale, text="Called back.")
    before = state_of(case)
    with pytest.raises(Conflict):
        wf.complaint_triage(
            actor=supervisor,
            complaint=case,
            expected_version=stale,
            category=category("courtesy"),
            priority="normal",
            handler="oversight",
        )
    assert state_of(case) == before


# --- assignment and conflicts ----------------------------------------------------------------


def test_assign_an_investigator(supervisor: Any, investigator: Any) -> None:
    case = make_case(S.TRIAGED)
    wf.complaint_assign(
        actor=supervisor, complaint=case, expected_version=case.version, investigator=investigator
    )
    case.refresh_from_db()
    assert case.status == S.ASSIGNED
    assert case.investigator == investigator
    assert ComplaintEvent.objects.filter(complaint=case, kind="assigned").exists()
    assert AuditEntry.objects.filter(action="oversight.complaint.assign").count() == 1


def test_assign_refuses_non_investigators_and_wrong_state(
    supervisor: Any, make_user: Any, investigator: Any
) -> None:
    case = make_case(S.TRIAGED)
    board_member = make_user(REVIEW_BOARD)

    def assign(who: Any, c: Complaint = case) -> Any:
        return wf.complaint_assign(
            actor=supervisor, complaint=c, expected_version=c.version, investigator=who
        )

    refused(case, "not_investigator", lambda: assign(board_member))
    inactive = make_user(INVESTIGATOR)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    refused(case, "not_investigator", lambda: assign(inactive))
    received = make_case(S.RECEIVED)
    refused(received, "wrong_state", lambda: assign(investigator, received))


def test_conflict_sends_the_case_back_and_blocks_reassigning_them(
    supervisor: Any, investigator: Any
) -> None:
    case = make_case(S.ASSIGNED, investigator=investigator)
    refused(
        case,
        "statement_required",
        lambda: wf.conflict_declare(
            actor=investigator, complaint=case, expected_version=case.version, has_conflict=True
        ),
    )
    wf.conflict_declare(
        actor=investigator,
        complaint=case,
        expected_version=case.version,
        has_conflict=True,
        statement="The officer is my brother-in-law.",
    )
    case.refresh_from_db()
    assert case.status == S.TRIAGED
    assert case.investigator is None
    assert AuditEntry.objects.filter(action="oversight.complaint.conflict").count() == 1
    refused(
        case,
        "conflict_declared",
        lambda: wf.complaint_assign(
            actor=supervisor,
            complaint=case,
            expected_version=case.version,
            investigator=investigator,
        ),
    )


def test_only_the_assigned_investigator_declares(supervisor: Any, make_user: Any) -> None:
    case = make_case(S.ASSIGNED)
    other = make_user(INVESTIGATOR)
    refused(
        case,
        "not_found",
        lambda: wf.conflict_declare(
            actor=other, complaint=case, expected_version=case.version, has_conflict=False
        ),
    )
    refused(
        case,
        "not_assigned",
        lambda: wf.conflict_declare(
            actor=supervisor, complaint=case, expected_version=case.version, has_conflict=False
        ),
    )


def test_reassign(supervisor: Any, make_user: Any) -> None:
    case = make_case(S.INVESTIGATING)
    old = case.investigator
    new = make_user(INVESTIGATOR)
    refused(
        case,
        "same_investigator",
        lambda: wf.complaint_reassign(
            actor=supervisor, complaint=case, expected_version=case.version, investigator=old
        ),
    )
    wf.complaint_reassign(
        actor=supervisor, complaint=case, expected_version=case.version, investigator=new
    )
    case.refresh_from_db()
    assert case.investigator == new
    assert case.status == S.INVESTIGATING
    triaged = make_case(S.TRIAGED)
    refused(
        triaged,
        "wrong_state",
        lambda: wf.complaint_reassign(
            actor=supervisor, complaint=triaged, expected_version=triaged.version, investigator=new
        ),
    )


# --- the investigation --------------------------------------------------------------------------


def test_start_needs_a_no_conflict_declaration(investigator: Any) -> None:
    case = make_case(S.ASSIGNED, investigator=investigator)

    def start() -> Any:
        c = Complaint.objects.get(pk=case.pk)
        return wf.investigation_start(actor=investigator, complaint=c, expected_version=c.version)

    refused(case, "conflict_not_declared", start)
    wf.conflict_declare(
        actor=investigator, complaint=case, expected_version=case.version, has_conflict=False
    )
    start()
    case.refresh_from_db()
    assert case.status == S.INVESTIGATING
    assert case.stage_due_at == case.stage_started_at + dt.timedelta(days=180)
    assert ComplaintEvent.objects.filter(complaint=case, kind="investigating").exists()
    refused(case, "wrong_state", start)


def test_investigation_records(investigator: Any) -> None:
    case = make_case(S.INVESTIGATING, investigator=investigator)

    def v() -> int:
        return Complaint.objects.get(pk=case.pk).version

    allegation = wf.allegation_add(
        actor=investigator,
        complaint=case,
        expected_version=v(),
        category=category("language"),
        summary="Slur during the stop.",
    )
    assert allegation.officer is None  # not yet identified
    officer = OfficerFactory()
    wf.allegation_add(
        actor=investigator,
        complaint=case,
        expected_version=v(),
        category=category("courtesy"),
        officer=officer,
    )
    wf.evidence_add(
        actor=investigator,
        complaint=case,
        expected_version=v(),
        kind="video",
        description="Body camera, unit 12",
        collected_on=timezone.localdate(),
    )
    wf.interview_add(
        actor=investigator,
        complaint=case,
        expected_version=v(),
        subject="The complainant",
        role="complainant",
        held_on=timezone.localdate(),
        summary="Confirms the account.",
    )
    wf.note_add(actor=investigator, complaint=case, expected_version=v(), text="Asked for CAD.")
    assert case.allegations.count() == 3
    assert EvidenceItem.objects.filter(complaint=case).count() == 1
    assert Interview.objects.filter(complaint=case).count() == 1
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "oversight.allegation.add",
        "oversight.evidence.add",
        "oversight.interview.add",
        "oversight.note.add",
    } <= actions
    refused(
        case,
        "future_date",
        lambda: wf.interview_add(
            actor=investigator,
            complaint=case,
            expected_version=v(),
            subject="x",
            role="witness",
            held_on=timezone.localdate() + dt.timedelta(days=2),
            summary="x",
        ),
    )


def test_investigation_records_refused_outside_investigating(investigator: Any) -> None:
    case = make_case(S.ASSIGNED, investigator=investigator)
    refused(
        case,
        "wrong_state",
        lambda: wf.evidence_add(
            actor=investigator,
            complaint=case,
            expected_version=case.version,
            kind="photo",
            description="x",
        ),
    )
    refused(
        case,
        "wrong_state",
        lambda: wf.allegation_add(
            actor=investigator,
            complaint=case,
            expected_version=case.version,
            category=category("courtesy"),
        ),
    )


def test_another_investigator_cannot_work_the_case(make_user: Any) -> None:
    case = make_case(S.INVESTIGATING)
    other = make_user(INVESTIGATOR)
    refused(
        case,
        "not_found",
        lambda: wf.note_add(actor=other, complaint=case, expected_version=case.version, text="x"),
    )


def test_findings_need_every_allegation_found(investigator: Any) -> None:
    case = make_case(S.INVESTIGATING, investigator=investigator)
    first = case.allegations.get()
    wf.allegation_add(
        actor=investigator,
        complaint=case,
        expected_version=Complaint.objects.get(pk=case.pk).version,
        category=category("courtesy"),
    )
    case.refresh_from_db()

    def issue() -> Any:
        c = Complaint.objects.get(pk=case.pk)
        return wf.findings_issue(actor=investigator, complaint=c, expected_version=c.version)

    refused(case, "findings_missing", issue)
    refused(
        case,
        "reason_required",
        lambda: wf.finding_record(
            actor=investigator,
            complaint=case,
            expected_version=case.version,
            allegation=first,
            finding=Finding.SUSTAINED,
            reason=" ",
        ),
    )
    for allegation in case.allegations.all():
        c = Complaint.objects.get(pk=case.pk)
        wf.finding_record(
            actor=investigator,
            complaint=c,
            expected_version=c.version,
            allegation=allegation,
            finding=Finding.SUSTAINED if allegation == first else Finding.UNFOUNDED,
            reason="The video shows it.",
        )
    issue()
    case.refresh_from_db()
    assert case.status == S.FINDINGS
    event = ComplaintEvent.objects.get(complaint=case, kind="finding_issued")
    assert event.detail == {"findings": {"sustained": 1, "unfounded": 1}}
    assert not BoardReview.objects.filter(complaint=case).exists()
    refused(case, "wrong_state", issue)


def test_findings_with_no_allegation_refused(investigator: Any) -> None:
    case = make_case(S.INVESTIGATING, investigator=investigator)
    case.allegations.all().delete()
    refused(
        case,
        "no_allegations",
        lambda: wf.findings_issue(
            actor=investigator, complaint=case, expected_version=case.version
        ),
    )


def test_board_category_calls_the_board_referral(
    investigator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workflow's side of the referral rule, checked with a stand-in for the board's
    service (the board module has its own tests)."""
    calls: list[dict[str, Any]] = []
    fake = types.ModuleType("peelian.oversight.services.board")

    def board_refer(**kwargs: Any) -> None:
        calls.append(kwargs)

    fake.board_refer = board_refer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "peelian.oversight.services.board", fake)
    case = make_case(S.INVESTIGATING, investigator=investigator, allegation_category="force")
    allegation = case.allegations.get()
    wf.finding_record(
        actor=investigator,
        complaint=case,
        expected_version=case.version,
        allegation=allegation,
        finding=Finding.EXONERATED,
        reason="Force was within policy.",
    )
    c = Complaint.objects.get(pk=case.pk)
    wf.findings_issue(actor=investigator, complaint=c, expected_version=c.version)
    assert len(calls) == 1
    assert calls[0]["actor"] == investigator
    assert calls[0]["reason"] == "rule"
    assert calls[0]["complaint"].pk == case.pk


# --- decision and closing ----------------------------------------------------------------------


def decide(admin: Any, case: Complaint, **per: Any) -> Complaint:
    c = Complaint.objects.get(pk=case.pk)
    decisions = {
        a.pk: per.get(str(a.pk), wf.Decision(Finding.SUSTAINED, Discipline.WRITTEN_REPRIMAND))
        for a in c.allegations.all()
    }
    return wf.decision_record(
        actor=admin, complaint=c, expected_version=c.version, decisions=decisions
    )


def test_decision_and_close(admin: Any) -> None:
    case = make_case(S.FINDINGS)
    a = case.allegations.get()
    decide(admin, case, **{str(a.pk): wf.Decision(Finding.SUSTAINED, Discipline.SUSPENSION, 3)})
    case.refresh_from_db()
    a.refresh_from_db()
    assert case.status == S.DECIDED
    assert (a.final_finding, a.discipline, a.suspension_days) == ("sustained", "suspension", 3)
    assert a.decided_at is not None
    event = ComplaintEvent.objects.get(complaint=case, kind="decided")
    assert event.detail == {"decisions": {"sustained": 1}}
    wf.complaint_close(actor=admin, complaint=case, expected_version=case.version)
    case.refresh_from_db()
    assert case.status == S.CLOSED
    assert case.closed_at is not None
    assert case.stage_due_at is None
    assert AuditEntry.objects.filter(action="oversight.complaint.close").count() == 1


def test_decision_refusals(admin: Any, supervisor: Any) -> None:
    case = make_case(S.FINDINGS)
    a = case.allegations.get()
    refused(
        case,
        "invalid_decision",
        lambda: decide(admin, case, **{str(a.pk): wf.Decision(Finding.SUSTAINED, "suspension")}),
    )
    refused(
        case,
        "invalid_decision",
        lambda: decide(
            admin, case, **{str(a.pk): wf.Decision(Finding.UNFOUNDED, Discipline.TERMINATION)}
        ),
    )
    refused(
        case,
        "decision_missing",
        lambda: wf.decision_record(
            actor=admin, complaint=case, expected_version=case.version, decisions={}
        ),
    )
    # Only the administrator (the chief's delegate) decides.
    refused(case, "not_found", lambda: decide(supervisor, case))
    investigating = make_case(S.INVESTIGATING)
    refused(investigating, "wrong_state", lambda: decide(admin, investigating))
    refused(
        investigating,
        "wrong_state",
        lambda: wf.complaint_close(
            actor=admin, complaint=investigating, expected_version=investigating.version
        ),
    )


def test_decision_waits_for_the_board_answer(admin: Any) -> None:
    case = make_case(S.BOARD_REVIEW)
    refused(case, "board_pending", lambda: decide(admin, case))
    BoardReview.objects.filter(complaint=case).update(status=BoardReview.Status.ANSWERED)
    decide(admin, case)
    case.refresh_from_db()
    assert case.status == S.DECIDED


def test_commendation_is_closed_with_a_note(supervisor: Any) -> None:
    case = make_case(S.RECEIVED, kind=Complaint.Kind.COMMENDATION)
    refused(
        case,
        "invalid",
        lambda: wf.commendation_close(
            actor=supervisor, complaint=case, expected_version=case.version, note=""
        ),
    )
    wf.commendation_close(
        actor=supervisor,
        complaint=case,
        expected_version=case.version,
        note="Sent to the officer's commander.",
    )
    case.refresh_from_db()
    assert case.status == S.CLOSED
    assert case.closed_at is not None
    assert case.notes.get().text == "Sent to the officer's commander."
    complaint = make_case(S.RECEIVED)
    refused(
        complaint,
        "not_commendation",
        lambda: wf.commendation_close(
            actor=supervisor, complaint=complaint, expected_version=complaint.version, note="x"
        ),
    )


def test_unauthenticated_or_unrelated_roles_are_refused(make_user: Any) -> None:
    case = make_case(S.RECEIVED)
    for actor in ("system:test", make_user(REVIEW_BOARD)):
        with pytest.raises((NotFound, PermissionDenied)):
            triage(actor, case)


# --- the taxonomy service -------------------------------------------------------------------


def test_taxonomy_service_admin_only_and_audited(admin: Any, supervisor: Any) -> None:
    from peelian.oversight.services import taxonomy

    with pytest.raises(PermissionDenied):
        taxonomy.category_create(actor=supervisor, data={"code": "x", "name": "X"})
    created = taxonomy.category_create(
        actor=admin,
        data={"code": "threats", "name": "Threats", "name_es": "Amenazas", "refer_to_board": True},
    )
    assert created.refer_to_board
    taxonomy.category_update(actor=admin, category=created, data={"active": False})
    created.refresh_from_db()
    assert not created.active
    assert AuditEntry.objects.filter(action="oversight.category.save").count() == 2
    with pytest.raises(ApplicationError):
        taxonomy.category_create(actor=admin, data={"code": "threats", "name": "Dup"})


def test_taxonomy_admin_page(client: Any, login: Any, admin: Any, supervisor: Any) -> None:
    from django.urls import reverse

    url = reverse("admin:oversight_allegationcategory_add")
    login(client, admin)
    response = client.post(
        url,
        {"code": "threats", "name": "Threats", "name_es": "Amenazas", "order": 50, "active": "on"},
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="oversight.category.save").count() == 1


def test_board_category_refers_the_case_for_real(investigator: Any) -> None:
    """With the board module's own service: the case ends in board_review."""
    case = make_case(S.INVESTIGATING, investigator=investigator, allegation_category="force")
    wf.finding_record(
        actor=investigator,
        complaint=case,
        expected_version=case.version,
        allegation=case.allegations.get(),
        finding=Finding.EXONERATED,
        reason="Force was within policy.",
    )
    c = Complaint.objects.get(pk=case.pk)
    done = wf.findings_issue(actor=investigator, complaint=c, expected_version=c.version)
    assert done.status == S.BOARD_REVIEW
    assert BoardReview.objects.get(complaint=case).reason == BoardReview.Reason.RULE
    kinds = list(ComplaintEvent.objects.filter(complaint=case).values_list("kind", flat=True))
    assert kinds[-2:] == ["finding_issued", "board_referred"]
