"""Stage deadlines, overdue cases, the alert task's service and the command; the case
selectors' visibility rules."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from peelian.accounts.roles import ADMINISTRATOR, INVESTIGATOR, REVIEW_BOARD, SUPERVISOR
from peelian.audit.models import AuditEntry
from peelian.core.errors import NotFound
from peelian.oversight import deadlines
from peelian.oversight.models import Complaint
from peelian.oversight.selectors import cases as sel
from peelian.oversight.services import workflow as wf
from peelian.oversight.tests.factories import category, make_case

S = Complaint.Status
pytestmark = pytest.mark.django_db


def test_configured_deadlines_are_used(settings: Any, make_user: Any) -> None:
    settings.PEELIAN_OVERSIGHT_DEADLINES = {"assign": 3}
    case = make_case(S.RECEIVED)
    wf.complaint_triage(
        actor=make_user(SUPERVISOR),
        complaint=case,
        expected_version=case.version,
        category=category("courtesy"),
        priority="normal",
        handler="oversight",
    )
    case.refresh_from_db()
    assert case.stage_due_at - case.stage_started_at == dt.timedelta(days=3)


@pytest.mark.parametrize("bad", [{"nope": 3}, {"triage": 0}, {"triage": "5"}])
def test_bad_deadline_settings_are_refused(settings: Any, bad: dict[str, Any]) -> None:
    settings.PEELIAN_OVERSIGHT_DEADLINES = bad
    with pytest.raises(ImproperlyConfigured):
        deadlines.deadline_days()


def make_late(state: str, **kw: Any) -> Complaint:
    case = make_case(state, **kw)
    Complaint.objects.filter(pk=case.pk).update(stage_due_at=timezone.now() - dt.timedelta(days=4))
    return Complaint.objects.get(pk=case.pk)


def test_overdue_cases_and_alerts(make_user: Any) -> None:
    investigator = make_user(INVESTIGATOR)
    supervisor = make_user(SUPERVISOR)
    late = make_late(S.INVESTIGATING, investigator=investigator)
    late_unassigned = make_late(S.RECEIVED)
    on_time = make_case(S.INVESTIGATING)
    closed = make_late(S.CLOSED)
    found = set(deadlines.overdue_cases())
    assert found == {late, late_unassigned}
    assert deadlines.is_overdue(late)
    assert not deadlines.is_overdue(on_time)
    assert not deadlines.is_overdue(closed)
    result = wf.overdue_alerts_send()
    assert result == {"cases": 2, "emails": 2}
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {investigator.email, supervisor.email}
    assert f"…{late.tracking_hint}" in by_to[investigator.email].body
    assert f"…{late_unassigned.tracking_hint}" not in by_to[investigator.email].body
    assert f"…{late_unassigned.tracking_hint}" in by_to[supervisor.email].body
    # Never the complainant's identity or the narrative.
    for message in mail.outbox:
        assert late.complainant.name not in message.body
        assert late.narrative not in message.body


def test_no_overdue_no_mail() -> None:
    make_case(S.TRIAGED)
    assert wf.overdue_alerts_send() == {"cases": 0, "emails": 0}
    assert mail.outbox == []


def test_task_runs_the_service(make_user: Any) -> None:
    from peelian.oversight.tasks import send_overdue_alerts

    make_user(SUPERVISOR)
    make_late(S.TRIAGED)
    assert send_overdue_alerts.call() == {"cases": 1, "emails": 1}


def test_overdue_command_lists_cases() -> None:
    make_case(S.TRIAGED)
    out = StringIO()
    call_command("oversight", "overdue", stdout=out)
    assert "No overdue cases." in out.getvalue()
    late = make_late(S.TRIAGED)
    out = StringIO()
    call_command("oversight", "overdue", stdout=out)
    assert str(late.public_id) in out.getvalue()
    assert "4 days late" in out.getvalue()


# --- selectors -----------------------------------------------------------------------------


def test_case_list_by_role(make_user: Any) -> None:
    investigator = make_user(INVESTIGATOR)
    mine = make_case(S.ASSIGNED, investigator=investigator)
    other = make_case(S.ASSIGNED)
    referred = make_case(S.BOARD_REVIEW)
    assert list(sel.case_list_for_viewer(investigator, {})) == [mine]
    assert set(sel.case_list_for_viewer(make_user(ADMINISTRATOR), {})) == {mine, other, referred}
    assert list(sel.case_list_for_viewer(make_user(REVIEW_BOARD), {})) == []
    assert list(sel.case_list_for_viewer("system:x", {})) == []
    supervisor = make_user(SUPERVISOR)
    assert list(sel.case_list_for_viewer(supervisor, {"status": "board_review"})) == [referred]
    assert list(sel.case_list_for_viewer(supervisor, {"status": "bogus"})) == []
    assert list(sel.case_list_for_viewer(supervisor, {"mine": True})) == []


def test_case_get_refuses_and_audits(make_user: Any) -> None:
    case = make_case(S.ASSIGNED)
    with pytest.raises(NotFound):
        sel.case_get_for_viewer(make_user(INVESTIGATOR), case.public_id)
    with pytest.raises(NotFound):
        sel.case_get_for_viewer(case.investigator, "not-a-uuid")
    assert not AuditEntry.objects.filter(action="oversight.complaint.view").exists()
    assert sel.case_get_for_viewer(case.investigator, case.public_id) == case
    assert AuditEntry.objects.filter(action="oversight.complaint.view").count() == 1


def test_complainant_for_viewer(make_user: Any) -> None:
    case = make_case(S.BOARD_REVIEW)
    board = make_user(REVIEW_BOARD)
    assert sel.complainant_for_viewer(board, case) == sel.HIDDEN
    Complaint.objects.filter(pk=case.pk).update(consent_share_identity=True)
    case = Complaint.objects.get(pk=case.pk)
    assert sel.complainant_for_viewer(board, case) == case.complainant
    assert AuditEntry.objects.filter(action="oversight.complainant.view").count() == 1
