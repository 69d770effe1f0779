"""The staff entry page: complaints received by phone, mail, in person or email."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from peelian.accounts.roles import (
    ANALYST,
    COMMUNITY_LIAISON,
    PARTNER,
    REVIEW_BOARD,
    SUPERVISOR,
)
from peelian.audit.models import AuditEntry
from peelian.core.registry import registry
from peelian.oversight import codes
from peelian.oversight.models import Complainant, Complaint, ReportedOfficer

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9])</code>")


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "channel": "phone",
        "kind": "complaint",
        "narrative": "The caller says an officer pushed him outside the library.",
        "occurred_on": "2024-03-02",
        "occurred_time": "14:30",
        "location_text": "100 Main St",
        "name": "Dana Caller",
        "email": "",
        "phone": "555-0100",
        "address": "12 Elm Rd",
        "language": "en",
        "submission_key": "k" * 24,
        "officers-TOTAL_FORMS": "2",
        "officers-INITIAL_FORMS": "0",
        "officers-MIN_NUM_FORMS": "0",
        "officers-MAX_NUM_FORMS": "10",
        "officers-0-name": "Officer Reyes",
        "officers-0-badge": "4411",
        "officers-0-description": "Tall, blue jacket",
    }
    data.update(overrides)
    return data


def signed_in(login: Any, make_user: Any, *roles: str) -> Client:
    return login(Client(), make_user(*roles))


def test_liaison_enters_a_phone_complaint_and_sees_the_code_once(
    login: Any, make_user: Any
) -> None:
    client = signed_in(login, make_user, COMMUNITY_LIAISON)
    url = reverse("cases:enter")
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="started"' not in page.content.decode()
    assert 'name="website"' not in page.content.decode()

    response = client.post(url, _form())
    assert response.status_code == 302
    assert response["Location"] == url
    complaint = Complaint.objects.get()
    assert complaint.channel == Complaint.Channel.PHONE
    assert complaint.kind == Complaint.Kind.COMPLAINT
    assert complaint.anonymous is False
    assert complaint.location_text == "100 Main St"
    assert Complainant.objects.get(complaint=complaint).name == "Dana Caller"
    officer = ReportedOfficer.objects.get(complaint=complaint)
    assert (officer.name_given, officer.badge_given) == ("Officer Reyes", "4411")
    entry = AuditEntry.objects.get(action="oversight.complaint.enter")
    assert entry.after["channel"] == "phone"

    shown = client.get(url)
    assert shown.status_code == 200
    html = shown.content.decode()
    match = CODE_RE.search(html)
    assert match is not None
    code = match.group(1)
    assert complaint.tracking_hash == codes.code_hash(codes.normalise(code) or "")
    # A liaison may not see case files: no link to the case.
    assert str(complaint.public_id) not in html
    # Shown once: the next visit is the empty form again.
    again = client.get(url).content.decode()
    assert code not in again
    assert CODE_RE.search(again) is None


def test_supervisor_gets_a_link_to_the_case(login: Any, make_user: Any) -> None:
    client = signed_in(login, make_user, SUPERVISOR)
    url = reverse("cases:enter")
    form = _form(channel="mail", kind="commendation", anonymous="on")
    for field in ("name", "phone", "address"):
        form[field] = ""
    assert client.post(url, form).status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.kind, complaint.anonymous) == (
        "mail",
        "commendation",
        True,
    )
    assert not Complainant.objects.exists()
    html = client.get(url).content.decode()
    assert reverse("cases:detail", args=[complaint.public_id]) in html


@pytest.mark.parametrize("role", [ANALYST, REVIEW_BOARD, PARTNER])
def test_other_roles_are_refused(login: Any, make_user: Any, role: str) -> None:
    client = signed_in(login, make_user, role)
    url = reverse("cases:enter")
    assert client.get(url).status_code == 403
    assert client.post(url, _form()).status_code == 403
    assert not Complaint.objects.exists()
    assert not AuditEntry.objects.filter(action="oversight.complaint.enter").exists()


def test_anonymous_visitor_is_sent_to_sign_in() -> None:
    response = Client().get(reverse("cases:enter"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"narrative": "   "}, "narrative"),
        ({"channel": "web"}, "channel"),
        ({"channel": "import"}, "channel"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"email": "not-an-email"}, "email"),
        ({"anonymous": "on"}, None),  # anonymous with a name given
        ({"name": "", "phone": "", "address": "", "consent_share_identity": "on"}, None),
        ({"officers-0-badge": "9" * 30}, None),
    ],
)
def test_invalid_input_reshows_the_form_and_writes_nothing(
    login: Any, make_user: Any, overrides: dict[str, Any], field_error: str | None
) -> None:
    client = signed_in(login, make_user, COMMUNITY_LIAISON)
    response = client.post(reverse("cases:enter"), _form(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    if field_error is not None:
        assert f'href="#id_{field_error}' in html
    assert "Dana Caller" in html or overrides.get("name") == ""  # what was typed is kept
    assert not Complaint.objects.exists()
    assert not Complainant.objects.exists()
    assert not AuditEntry.objects.filter(action="oversight.complaint.enter").exists()


def test_same_form_sent_twice_creates_one_complaint(login: Any, make_user: Any) -> None:
    client = signed_in(login, make_user, COMMUNITY_LIAISON)
    url = reverse("cases:enter")
    assert client.post(url, _form()).status_code == 302
    again = client.post(url, _form())
    assert again.status_code == 409
    assert "already entered" in again.content.decode()
    assert Complaint.objects.count() == 1


def test_page_in_spanish(login: Any, make_user: Any) -> None:
    client = signed_in(login, make_user, COMMUNITY_LIAISON)
    page = client.get("/es/staff/cases/enter/")
    assert page.status_code == 200
    assert '<html lang="es"' in page.content.decode()


def test_staff_link_for_intake_roles_only() -> None:
    def names(role: str) -> set[str]:
        return {link.url_name for link in registry.staff_links_for(frozenset({role}))}

    assert "cases:enter" in names(COMMUNITY_LIAISON)
    assert "cases:enter" in names(SUPERVISOR)
    for role in (ANALYST, REVIEW_BOARD, PARTNER):
        assert "cases:enter" not in names(role)
