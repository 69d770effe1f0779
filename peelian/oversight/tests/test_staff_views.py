"""The staff case pages: who sees which cases, the forms of each step, stale forms,
attachment downloads and the complainant's identity."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from peelian.accounts.roles import ADMINISTRATOR, INVESTIGATOR, REVIEW_BOARD, SUPERVISOR
from peelian.audit.models import AuditEntry
from peelian.core.registry import registry
from peelian.oversight.models import Attachment, BoardReview, Complaint
from peelian.oversight.tests.factories import category, make_case

S = Complaint.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def investigator(make_user: Any) -> Any:
    return make_user(INVESTIGATOR)


def signed_in(login: Any, user: Any) -> Client:
    return login(Client(), user)


def test_queue_investigator_sees_only_own_cases(login: Any, investigator: Any) -> None:
    mine = make_case(S.INVESTIGATING, investigator=investigator)
    theirs = make_case(S.INVESTIGATING)
    client = signed_in(login, investigator)
    page = client.get(reverse("cases:queue"))
    assert page.status_code == 200
    html = page.content.decode()
    assert str(mine.public_id) in html
    assert str(theirs.public_id) not in html
    assert client.get(reverse("cases:detail", args=[mine.public_id])).status_code == 200
    assert client.get(reverse("cases:detail", args=[theirs.public_id])).status_code == 404


def test_queue_filters_and_board_members_see_nothing(login: Any, make_user: Any) -> None:
    received = make_case(S.RECEIVED)
    triaged = make_case(S.TRIAGED)
    late = make_case(S.TRIAGED)
    Complaint.objects.filter(pk=late.pk).update(stage_due_at="2000-01-01T00:00:00Z")
    client = signed_in(login, make_user(SUPERVISOR))
    html = client.get(reverse("cases:queue"), {"status": "triaged"}).content.decode()
    assert str(triaged.public_id) in html
    assert str(received.public_id) not in html
    html = client.get(reverse("cases:queue"), {"overdue": "on"}).content.decode()
    assert str(late.public_id) in html
    assert str(triaged.public_id) not in html
    assert "overdue" in html
    board = signed_in(login, make_user(REVIEW_BOARD))
    html = board.get(reverse("cases:queue")).content.decode()
    assert str(received.public_id) not in html


def test_queue_query_count_is_bounded(
    login: Any, make_user: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(12):
        make_case(S.INVESTIGATING)
    client = signed_in(login, make_user(SUPERVISOR))
    with django_assert_max_num_queries(15):
        assert client.get(reverse("cases:queue")).status_code == 200


def test_case_file_view_is_audited_and_query_bounded(
    login: Any, investigator: Any, django_assert_max_num_queries: Any
) -> None:
    case = make_case(S.INVESTIGATING, investigator=investigator)
    client = signed_in(login, investigator)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("cases:detail", args=[case.public_id]))
    assert page.status_code == 200
    assert AuditEntry.objects.filter(
        action="oversight.complaint.view", target_id=str(case.public_id), actor_id=investigator.pk
    ).exists()
    html = page.content.decode()
    assert case.complainant.name in html
    assert 'name="note-version"' in html
    assert f'value="{case.version}"' in html


def test_full_workflow_through_the_forms(login: Any, make_user: Any, investigator: Any) -> None:
    supervisor = signed_in(login, make_user(SUPERVISOR))
    admin = signed_in(login, make_user(ADMINISTRATOR))
    inv = signed_in(login, investigator)
    case = make_case(S.RECEIVED)

    def post(client: Client, step: str, data: dict[str, Any]) -> Any:
        current = Complaint.objects.get(pk=case.pk)
        payload = {f"{step}-{k}": v for k, v in {"version": current.version, **data}.items()}
        return client.post(reverse("cases:act", args=[case.public_id, step]), payload)

    def status() -> str:
        return Complaint.objects.get(pk=case.pk).status

    assert (
        post(
            supervisor,
            "triage",
            {
                "category": category("courtesy").pk,
                "priority": "normal",
                "handler": "oversight",
            },
        ).status_code
        == 302
    )
    assert status() == S.TRIAGED
    assert post(supervisor, "assign", {"investigator": investigator.pk}).status_code == 302
    assert status() == S.ASSIGNED
    assert post(inv, "conflict", {"has_conflict": "no"}).status_code == 302
    assert post(inv, "start", {}).status_code == 302
    assert status() == S.INVESTIGATING
    assert post(inv, "allegation", {"category": category("courtesy").pk}).status_code == 302
    allegation = case.allegations.get()
    # Issuing before the finding is refused with the reason on the page, nothing written.
    response = post(inv, "issue", {})
    assert response.status_code == 400
    assert "Every allegation needs a finding" in response.content.decode()
    assert status() == S.INVESTIGATING
    assert (
        post(
            inv,
            "finding",
            {
                "allegation": allegation.pk,
                "finding": "sustained",
                "reason": "Video.",
            },
        ).status_code
        == 302
    )
    assert post(inv, "issue", {}).status_code == 302
    assert status() == S.FINDINGS
    # The investigator may not decide: the step is not offered and is refused.
    assert (
        post(
            inv,
            "decide",
            {
                f"final_finding_{allegation.pk}": "sustained",
                f"discipline_{allegation.pk}": "none",
            },
        ).status_code
        == 404
    )
    assert (
        post(
            admin,
            "decide",
            {
                f"final_finding_{allegation.pk}": "sustained",
                f"discipline_{allegation.pk}": "suspension",
                f"suspension_days_{allegation.pk}": "2",
            },
        ).status_code
        == 302
    )
    assert status() == S.DECIDED
    assert post(admin, "close", {}).status_code == 302
    assert status() == S.CLOSED


def test_stale_form_is_a_conflict_with_a_message(login: Any, make_user: Any) -> None:
    case = make_case(S.RECEIVED)
    client = signed_in(login, make_user(SUPERVISOR))
    stale = case.version
    Complaint.objects.filter(pk=case.pk).update(version=stale + 1)
    response = client.post(
        reverse("cases:act", args=[case.public_id, "triage"]),
        {
            "triage-version": stale,
            "triage-category": category("courtesy").pk,
            "triage-priority": "normal",
            "triage-handler": "oversight",
        },
    )
    assert response.status_code == 409
    assert "Someone else changed this case" in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.RECEIVED
    assert case.version == stale + 1
    assert not AuditEntry.objects.filter(action="oversight.complaint.triage").exists()


def test_other_investigator_cannot_act(login: Any, make_user: Any) -> None:
    case = make_case(S.INVESTIGATING)
    client = signed_in(login, make_user(INVESTIGATOR))
    response = client.post(
        reverse("cases:act", args=[case.public_id, "note"]),
        {"note-version": case.version, "note-text": "x"},
    )
    assert response.status_code == 404
    assert not case.notes.exists()


def test_identity_hidden_without_identity_view(login: Any, make_user: Any) -> None:
    case = make_case(S.BOARD_REVIEW)  # referred; the complainant did not consent
    assert not case.consent_share_identity
    board = signed_in(login, make_user(REVIEW_BOARD))
    page = board.get(reverse("cases:detail", args=[case.public_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert case.complainant.name not in html
    assert case.complainant.email not in html
    assert "may not see the complainant" in html
    assert not AuditEntry.objects.filter(action="oversight.complainant.view").exists()
    supervisor = signed_in(login, make_user(SUPERVISOR))
    assert (
        case.complainant.name
        in supervisor.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    )
    assert AuditEntry.objects.filter(action="oversight.complainant.view").count() == 1
    assert BoardReview.objects.filter(complaint=case).exists()


@pytest.fixture
def stored_attachment(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }

    def make(case: Complaint) -> Attachment:
        body = b"<html><script>alert(1)</script></html>"
        item = Attachment(
            complaint=case,
            content_type="image/png",
            size=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
            original_name="photo.png",
        )
        item.file.save("upload", ContentFile(body), save=False)
        item.save()
        return item

    return make


def test_attachment_download_is_audited_and_refused_to_others(
    login: Any, make_user: Any, investigator: Any, stored_attachment: Any
) -> None:
    case = make_case(S.INVESTIGATING, investigator=investigator)
    item = stored_attachment(case)
    url = reverse("cases:attachment", args=[case.public_id, item.public_id])
    client = signed_in(login, investigator)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"<html>")
    assert AuditEntry.objects.filter(action="oversight.attachment.view").count() == 1
    other = signed_in(login, make_user(INVESTIGATOR))
    assert other.get(url).status_code == 404
    wrong_case = make_case(S.INVESTIGATING, investigator=investigator)
    wrong = reverse("cases:attachment", args=[wrong_case.public_id, item.public_id])
    assert client.get(wrong).status_code == 404
    assert AuditEntry.objects.filter(action="oversight.attachment.view").count() == 1


def test_staff_link_registered_for_case_roles() -> None:
    for role in (INVESTIGATOR, SUPERVISOR, ADMINISTRATOR):
        assert "cases:queue" in [s.url_name for s in registry.staff_links_for(frozenset({role}))]
    assert "cases:queue" not in [
        s.url_name for s in registry.staff_links_for(frozenset({REVIEW_BOARD}))
    ]


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    case = make_case(S.RECEIVED)
    response = client.get(reverse("cases:detail", args=[case.public_id]))
    assert response.status_code == 302
