"""The public case tracker: what a tracking code shows, and adding information with it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from peelian.audit.models import AuditEntry
from peelian.core.errors import ApplicationError, NotFound
from peelian.oversight import codes
from peelian.oversight.events import record_event
from peelian.oversight.models import CaseNote, Complaint, ComplaintEvent
from peelian.oversight.selectors.tracking import complaint_for_code, tracker_for
from peelian.oversight.services.intake import complaint_add_info
from peelian.oversight.tests.test_intake_support import NARRATIVE, file_complaint

pytestmark = pytest.mark.django_db

SECRETS = (
    NARRATIVE,
    "shouted",
    "Officer Grimes",
    "Grimes",
    "4411",
    "Wanda",
    "555-0101",
    "Carla",
    "carla@example.org",
)


@pytest.fixture(autouse=True)
def _fresh_state() -> Any:
    cache.clear()
    translation.activate("en")
    yield
    cache.clear()
    translation.deactivate()


def other_code(code: str) -> str:
    """A valid code (right check character) that is not this one."""
    while True:
        candidate = codes.new_code()
        if candidate != code:
            return candidate


def advance(complaint: Complaint, status: str, *events: tuple[str, dict[str, Any]]) -> None:
    for kind, detail in events:
        record_event(complaint, kind, detail)
    Complaint.objects.filter(pk=complaint.pk).update(status=status)


# --- selector ---------------------------------------------------------------------------


def test_complaint_for_code_accepts_how_people_type_it() -> None:
    complaint, code = file_complaint()
    assert complaint_for_code(code) == complaint
    assert complaint_for_code(code.lower().replace("-", " ")) == complaint
    assert complaint_for_code(other_code(code)) is None
    assert complaint_for_code("not a code") is None
    assert complaint_for_code("") is None
    # One wrong character fails the check and finds nothing.
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert complaint_for_code(typo) is None


def test_tracker_counts_findings_and_ignores_unknown_detail() -> None:
    complaint, _code = file_complaint()
    advance(
        complaint,
        Complaint.Status.FINDINGS,
        (ComplaintEvent.Kind.ASSIGNED, {}),
        (ComplaintEvent.Kind.FINDING_ISSUED, {"findings": {"sustained": 1, "unfounded": 2}}),
    )
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.DECIDED,
        at=complaint.received_at,
        detail={"findings": {"Grimes": 1, "sustained": "x"}, "channel": "Grimes"},
    )
    complaint.refresh_from_db()
    tracker = tracker_for(complaint)
    kinds = [entry.kind for entry in tracker.timeline]
    assert sorted(kinds) == ["assigned", "decided", "finding_issued", "received"]
    finding_entry = next(e for e in tracker.timeline if e.kind == "finding_issued")
    assert finding_entry.facts == ("Sustained: 1", "Unfounded: 2")
    decided = next(e for e in tracker.timeline if e.kind == "decided")
    assert decided.facts == ()
    assert tracker.status == "findings"


# --- pages ------------------------------------------------------------------------------


def test_tracker_page_shows_the_timeline_and_nothing_about_anyone(client: Any) -> None:
    complaint, code = file_complaint(language="es")
    CaseNote.objects.create(
        complaint=complaint, author=None, text="Wanda called", from_complainant=True
    )
    advance(
        complaint,
        Complaint.Status.BOARD_REVIEW,
        (ComplaintEvent.Kind.TRIAGED, {}),
        (ComplaintEvent.Kind.ASSIGNED, {}),
        (ComplaintEvent.Kind.FINDING_ISSUED, {"findings": {"sustained": 1, "not_sustained": 1}}),
        (ComplaintEvent.Kind.BOARD_REFERRED, {}),
    )
    response = client.get(reverse("complaints:track_case", args=[code]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Received", "Investigator assigned", "Findings issued", "civilian review board"):
        assert text in body
    assert "Sustained: 1" in body
    assert "Not sustained: 1" in body
    assert "With the civilian review board." in body
    for secret in SECRETS:
        assert secret not in body, secret
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert 'action="/complaints/track/' in body  # the add-information form


def test_tracker_in_spanish(client: Any) -> None:
    _complaint, code = file_complaint()
    response = client.get(f"/es/complaints/track/{code}/")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()


def test_unknown_and_malformed_codes_get_the_same_answer(client: Any) -> None:
    _complaint, code = file_complaint()
    for attempt in (other_code(code), "ZZZZ", code[:-1] + "!", "<script>"):
        response = client.get(reverse("complaints:track_case", args=[attempt]))
        assert response.status_code == 404
        body = response.content.decode()
        assert "There is no case with that code" in body
        assert "<script>" not in body
    posted = client.post(reverse("complaints:track"), {"code": other_code(code)})
    assert posted.status_code == 404
    assert "There is no case with that code" in posted.content.decode()


def test_track_form_leads_to_the_case(client: Any) -> None:
    _complaint, code = file_complaint()
    assert client.get(reverse("complaints:track")).status_code == 200
    typed = code.lower().replace("-", "")
    response = client.post(reverse("complaints:track"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:track_case", args=[code])


def test_wrong_codes_are_rate_limited_per_address(settings: Any) -> None:
    settings.PEELIAN_PUBLIC_RATE_LIMITS = {"track_fail": (3, 3600)}
    _complaint, code = file_complaint()
    guesser = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(3):
        assert (
            guesser.get(reverse("complaints:track_case", args=[other_code(code)])).status_code
            == 404
        )
    # Now even the right code is refused from that address: no oracle for a guesser.
    blocked = guesser.get(reverse("complaints:track_case", args=[code]))
    assert blocked.status_code == 429
    assert "Too many wrong codes" in blocked.content.decode()
    assert guesser.post(reverse("complaints:track"), {"code": code}).status_code == 429
    # Someone else, from another address, is unaffected; right codes do not count.
    owner = Client(REMOTE_ADDR="10.2.2.2")
    for _ in range(5):
        assert owner.get(reverse("complaints:track_case", args=[code])).status_code == 200


# --- adding information -----------------------------------------------------------------


def test_add_information_by_code() -> None:
    complaint, code = file_complaint()
    version = Complaint.objects.get(pk=complaint.pk).version
    complaint_add_info(
        code=code,
        text="I found the name of another witness.",
        attachments=[SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt")],
    )
    note = CaseNote.objects.get(complaint=complaint)
    assert note.from_complainant is True
    assert note.author is None
    assert note.text == "I found the name of another witness."
    attachment = complaint.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.from_public is True
    assert complaint.events.filter(kind="info_added").count() == 1
    assert Complaint.objects.get(pk=complaint.pk).version == version + 1
    entry = AuditEntry.objects.get(action="oversight.complaint.add_info")
    assert entry.actor_label == "public"
    assert "witness" not in str(entry.after)


def test_add_information_refusals() -> None:
    complaint, code = file_complaint()
    with pytest.raises(NotFound):
        complaint_add_info(code=other_code(code), text="hello")
    with pytest.raises(ApplicationError) as empty:
        complaint_add_info(code=code, text="   ")
    assert "text" in empty.value.fields
    with pytest.raises(ApplicationError):
        complaint_add_info(code=code, text="x" * 10_001)
    with pytest.raises(ApplicationError):
        complaint_add_info(code=code, attachments=[SimpleUploadedFile("x.svg", b"<svg/>")])
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.CLOSED)
    with pytest.raises(ApplicationError) as closed:
        complaint_add_info(code=code, text="one more thing")
    assert closed.value.code == "case_closed"
    assert "closed" in str(closed.value.message)
    assert not CaseNote.objects.exists()
    assert not complaint.events.filter(kind="info_added").exists()


def test_add_information_on_the_page(client: Any) -> None:
    complaint, code = file_complaint()
    url = reverse("complaints:track_add", args=[code])
    response = client.post(url, {"text": "The officer's car was number 12."})
    assert response.status_code == 200
    assert "the information was added" in response.content.decode()
    assert "The officer's car" not in response.content.decode()  # not echoed back
    assert CaseNote.objects.get(complaint=complaint).from_complainant
    assert "You added information" in response.content.decode()

    empty = client.post(url, {"text": ""})
    assert empty.status_code == 400
    assert "Write the new information" in empty.content.decode()


def test_add_information_on_a_closed_case_page(client: Any) -> None:
    complaint, code = file_complaint()
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.CLOSED)
    page = client.get(reverse("complaints:track_case", args=[code]))
    assert "This case is closed" in page.content.decode()
    assert reverse("complaints:track_add", args=[code]) not in page.content.decode()
    response = client.post(reverse("complaints:track_add", args=[code]), {"text": "more"})
    assert response.status_code == 400
    assert "This case is closed" in response.content.decode()
    assert not CaseNote.objects.exists()


def test_add_information_with_an_unknown_code_page(client: Any) -> None:
    _complaint, code = file_complaint()
    response = client.post(
        reverse("complaints:track_add", args=[other_code(code)]), {"text": "hello"}
    )
    assert response.status_code == 404
    assert not CaseNote.objects.exists()
