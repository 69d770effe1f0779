"""Filing complaints and commendations: the service, the public form, staff entry."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import ExifTags, Image

from peelian.accounts.roles import ANALYST, COMMUNITY_LIAISON, SUPERVISOR
from peelian.audit.models import AuditEntry
from peelian.core.errors import ApplicationError, PermissionDenied
from peelian.oversight import codes
from peelian.oversight.models import (
    Attachment,
    Complainant,
    Complaint,
    ReportedOfficer,
    Witness,
)
from peelian.oversight.services.intake import complaint_enter, complaint_submit
from peelian.oversight.tests.test_intake_support import (
    NARRATIVE,
    file_complaint,
    form_data,
    make_city,
    started_token,
)
from peelian.oversight.tests.test_uploads import jpeg_with_gps

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_state() -> Any:
    # Rate-limit counters live in the cache; a request to /es/ leaves Spanish active in
    # this thread (reverse() would then give /es/ addresses to the next test).
    cache.clear()
    translation.activate("en")
    yield
    cache.clear()
    translation.deactivate()


def gps_jpeg_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("IMG_2231.jpg", jpeg_with_gps(), content_type="image/jpeg")


def stored_bytes(attachment: Attachment) -> bytes:
    with default_storage.open(attachment.file.name) as handle:
        return bytes(handle.read())


# --- the service ------------------------------------------------------------------------


def test_anonymous_spanish_complaint_with_a_gps_photo() -> None:
    complaint, code = complaint_submit(
        actor="public",
        kind="complaint",
        narrative=NARRATIVE,
        occurred_on=dt.date(2025, 3, 14),
        language="es",
        attachments=[gps_jpeg_upload()],
        submission_key="k" * 32,
    )

    assert code is not None
    normalised = codes.normalise(code)
    assert normalised is not None
    complaint.refresh_from_db()
    assert complaint.tracking_hash == codes.code_hash(normalised)
    assert complaint.tracking_hint == normalised[-4:]
    assert code not in json.dumps(list(Complaint.objects.values_list("tracking_hash", flat=True)))
    assert complaint.anonymous is True
    assert complaint.language == "es"
    assert complaint.status == Complaint.Status.RECEIVED
    assert complaint.channel == Complaint.Channel.WEB
    assert complaint.stage_due_at is not None
    assert not Complainant.objects.filter(complaint=complaint).exists()
    assert list(complaint.events.values_list("kind", flat=True)) == ["received"]

    (attachment,) = complaint.attachments.all()
    content = stored_bytes(attachment)
    assert attachment.content_type == "image/jpeg"
    assert attachment.size == len(content)
    assert b"SpyCam" not in content
    image = Image.open(io.BytesIO(content))
    assert dict(image.getexif()) == {}
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "IMG_2231" not in attachment.file.name
    assert str(complaint.public_id) in attachment.file.name


def test_audit_records_counts_and_ids_never_the_story_or_identity() -> None:
    complaint, _code = file_complaint(attachments=[gps_jpeg_upload()])
    entry = AuditEntry.objects.get(action="oversight.complaint.submit")
    assert entry.actor_label == "public"
    assert entry.target_id == str(complaint.public_id)
    assert entry.after["officers"] == 1
    assert entry.after["witnesses"] == 1
    assert len(entry.after["attachments"]) == 1
    dumped = json.dumps([entry.before, entry.after])
    for secret in (NARRATIVE, "shouted", "Carla", "carla@example.org", "Grimes", "Wanda"):
        assert secret not in dumped


def test_everything_is_stored_in_one_piece() -> None:
    complaint, _code = file_complaint(
        officers=[
            {"name": "Officer Grimes", "badge": "4411", "description": "tall", "vehicle": "12"},
            {"name": "", "badge": "", "description": "", "vehicle": ""},  # blank row skipped
        ],
        witnesses=[{"name": "Wanda Witness", "contact": "555-0101", "statement": "I saw it"}],
        complainant={"name": "Carla Complainant", "email": "carla@example.org", "age": "34"},
        consent_share_identity=True,
    )
    assert complaint.anonymous is False
    assert complaint.consent_share_identity is True
    assert complaint.complainant.name == "Carla Complainant"
    assert complaint.complainant.age == 34
    officer = ReportedOfficer.objects.get(complaint=complaint)
    assert (officer.name_given, officer.badge_given, officer.vehicle) == (
        "Officer Grimes",
        "4411",
        "12",
    )
    assert Witness.objects.get(complaint=complaint).statement == "I saw it"


def test_script_in_narrative_is_stored_as_text_and_escaped_for_staff(
    client: Any, make_user: Any, login: Any
) -> None:
    evil = "<script>alert('x')</script> and <b>bold</b>"
    complaint, _code = file_complaint(narrative=evil)
    complaint.refresh_from_db()
    assert complaint.narrative == evil
    login(client, make_user(SUPERVISOR))
    response = client.get(reverse("cases:detail", args=[complaint.public_id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(" not in body
    assert "&lt;script&gt;alert(" in body


@pytest.mark.parametrize(
    ("when", "field"),
    [
        ({"occurred_on": dt.date(1899, 12, 31)}, "occurred_on"),
        ({"occurred_on": dt.date(1, 1, 1)}, "occurred_on"),
        ({"occurred_on": "tomorrow"}, "occurred_on"),
    ],
)
def test_impossible_dates_are_refused(when: dict[str, Any], field: str) -> None:
    if when.get("occurred_on") == "tomorrow":
        when = {"occurred_on": timezone.localdate() + dt.timedelta(days=1)}
    with pytest.raises(ApplicationError) as err:
        file_complaint(**when)
    assert field in err.value.fields
    assert not Complaint.objects.exists()


def test_a_time_later_today_is_refused() -> None:
    now = timezone.localtime()
    if now.hour == 23 and now.minute >= 58:
        pytest.skip("no later time today to test with")
    later = (now + dt.timedelta(minutes=2)).time()
    with pytest.raises(ApplicationError) as err:
        file_complaint(occurred_on=now.date(), occurred_time=later)
    assert "occurred_time" in err.value.fields


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"narrative": "   "}, "narrative"),
        ({"narrative": "x" * 20_001}, "narrative"),
        ({"narrative": "x" * (10 * 1024 * 1024)}, "narrative"),
        ({"lat": 91.0, "lng": 0.0}, "lat"),
        ({"lat": 10.0, "lng": -181.0}, "lat"),
        ({"lat": 10.0}, "lat"),
        ({"complainant": None, "consent_share_identity": True}, "consent_share_identity"),
        ({"language": "fr"}, "language"),
        ({"kind": "praise"}, "kind"),
        ({"officers": [{"rank": "x"}]}, "officers"),
        ({"officers": [{"name": f"O{i}"} for i in range(11)]}, "officers"),
        ({"complainant": {"email": "not-an-email"}}, "email"),
        ({"complainant": {"age": "300"}}, "age"),
        ({"submission_key": "short"}, "submission_key"),
        ({"attachments": [SimpleUploadedFile("x.jpg", b"<html></html>")]}, "attachments"),
    ],
)
def test_invalid_input_is_refused_and_nothing_is_stored(values: dict[str, Any], field: str) -> None:
    with pytest.raises(ApplicationError) as err:
        file_complaint(**values)
    assert field in err.value.fields, err.value.fields
    assert not Complaint.objects.exists()
    assert not AuditEntry.objects.filter(action="oversight.complaint.submit").exists()


def test_the_same_submission_key_makes_one_complaint() -> None:
    first, _code = file_complaint(submission_key="same-key-" + "x" * 20)
    again, code_again = complaint_submit(
        actor="public",
        kind="complaint",
        narrative=NARRATIVE,
        submission_key="same-key-" + "x" * 20,
    )
    assert again.pk == first.pk
    assert code_again is None  # the code is never handed out twice
    assert Complaint.objects.count() == 1
    assert AuditEntry.objects.filter(action="oversight.complaint.submit").count() == 1


def test_the_place_is_resolved_to_a_beat() -> None:
    beat = make_city()
    by_address, _c = file_complaint(location_text="150 N Oak Ave")
    assert by_address.beat == beat
    assert by_address.district == beat.district
    assert by_address.lat is not None
    by_point, _c = file_complaint(lat=38.49, lng=-98.0)
    assert by_point.beat == beat
    assert (by_point.lat, by_point.lng) == (38.49, -98.0)


def test_an_unknown_place_is_kept_as_text() -> None:
    make_city()
    complaint, _c = file_complaint(location_text="behind the old mill, near the river")
    assert complaint.beat is None
    assert complaint.location_text == "behind the old mill, near the river"
    outside, _c = file_complaint(lat=10.0, lng=10.0)
    assert outside.beat is None
    assert (outside.lat, outside.lng) == (10.0, 10.0)


def test_confirmation_email_in_the_complainants_language(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _complaint, code = file_complaint(language="es")
    (message,) = mail.outbox
    assert message.to == ["carla@example.org"]
    assert code in message.body
    assert f"/es/complaints/track/{code}/" in message.body
    assert NARRATIVE not in message.body


def test_no_email_without_an_address(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        file_complaint(complainant={"name": "Pat", "phone": "555-0100"})
    assert mail.outbox == []


def test_mail_server_down_the_complaint_is_still_committed(
    django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        mock.patch(
            "peelian.oversight.emails.send_mail", side_effect=ConnectionRefusedError("down")
        ),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        complaint, code = file_complaint()
    assert callbacks  # the email was deferred to after the commit
    assert code
    assert Complaint.objects.filter(pk=complaint.pk).exists()
    assert "was not sent" in caplog.text
    assert "carla@example.org" not in caplog.text


def test_a_failure_midway_leaves_nothing_behind() -> None:
    with (
        mock.patch(
            "peelian.oversight.services.intake.record_event", side_effect=RuntimeError("boom")
        ),
        mock.patch.object(default_storage, "delete", wraps=default_storage.delete) as delete,
        pytest.raises(RuntimeError),
    ):
        file_complaint(attachments=[gps_jpeg_upload()])
    assert not Complaint.objects.exists()
    assert not Attachment.objects.exists()
    assert not Complainant.objects.exists()
    (name,) = [c.args[0] for c in delete.call_args_list]
    assert not default_storage.exists(name)


def test_submit_is_for_the_web_channel_only() -> None:
    with pytest.raises(ApplicationError):
        file_complaint(channel="phone")


# --- staff entry ------------------------------------------------------------------------


def test_staff_entry_needs_the_enter_permission(make_user: Any) -> None:
    liaison = make_user(COMMUNITY_LIAISON)
    complaint, code = complaint_enter(
        actor=liaison,
        channel="phone",
        narrative="Caller says an officer was rude at a traffic stop.",
        complainant={"name": "Caller", "phone": "555-0199"},
    )
    assert codes.normalise(code) is not None
    assert complaint.channel == "phone"
    assert complaint.events.get().detail == {"channel": "phone"}
    entry = AuditEntry.objects.get(action="oversight.complaint.enter")
    assert entry.actor_id == liaison.pk

    with pytest.raises(PermissionDenied):
        complaint_enter(actor=make_user(ANALYST), channel="mail", narrative="x")
    with pytest.raises(PermissionDenied):
        complaint_enter(actor="public", channel="mail", narrative="x")
    with pytest.raises(ApplicationError) as err:
        complaint_enter(actor=liaison, channel="web", narrative="x")
    assert "channel" in err.value.fields
    assert Complaint.objects.count() == 1


def test_staff_entry_attachments_are_not_marked_public(make_user: Any) -> None:
    complaint, _code = complaint_enter(
        actor=make_user(SUPERVISOR),
        channel="mail",
        narrative="Letter received.",
        attachments=[SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter")],
    )
    assert complaint.attachments.get().from_public is False


# --- the public form --------------------------------------------------------------------


def test_form_page_renders_accessibly(client: Any) -> None:
    make_city()
    response = client.get(reverse("complaints:new"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="submission_key"' in body
    assert 'name="started"' in body
    assert "<svg" in body
    assert "data-map" in body
    assert "oversight/intake.js" in body
    assert "<script>" not in body  # no inline script (CSP)
    assert 'autocomplete="email"' in body
    commend = client.get(reverse("complaints:commend"))
    assert commend.status_code == 200


def test_file_by_the_web_form_in_spanish_with_a_photo(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    data = form_data(attachments=gps_jpeg_upload())
    response = client.post("/es/complaints/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/es/complaints/received/"
    complaint = Complaint.objects.get()
    assert complaint.language == "es"
    assert complaint.anonymous is True
    assert complaint.occurred_on == dt.date(2025, 3, 14)
    assert b"SpyCam" not in stored_bytes(complaint.attachments.get())

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    code = page.context["code"]
    normalised = codes.normalise(code)
    assert normalised is not None
    assert codes.code_hash(normalised) == complaint.tracking_hash
    assert code in page.content.decode()
    assert f"/es/complaints/track/{code}/" in page.content.decode()


def test_web_form_with_identity_officers_and_witnesses(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    beat = make_city()
    data = form_data(
        anonymous=None,
        language="en",
        name="Carla Complainant",
        email="carla@example.org",
        consent_share_identity="on",
        location_text="150 N Oak Ave",
        **{
            "officers-0-name": "Grimes",
            "officers-0-badge": "4411",
            "witnesses-0-name": "Wanda",
            "witnesses-0-statement": "Saw it",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("complaints:new"), data)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.beat == beat
    assert complaint.complainant.email == "carla@example.org"
    assert complaint.consent_share_identity is True
    assert complaint.officers.get().badge_given == "4411"
    assert complaint.witnesses.get().statement == "Saw it"
    assert len(mail.outbox) == 1


def test_commendation_by_the_web_form(client: Any) -> None:
    response = client.post(reverse("complaints:commend"), form_data())
    assert response.status_code == 302
    assert Complaint.objects.get().kind == Complaint.Kind.COMMENDATION


def test_a_double_click_shows_the_same_code_again(client: Any) -> None:
    data = form_data()
    first = client.post(reverse("complaints:new"), data)
    code = client.get(first["Location"]).context["code"]
    second = client.post(reverse("complaints:new"), data)
    assert second.status_code == 302
    assert client.get(second["Location"]).context["code"] == code
    assert Complaint.objects.count() == 1


def test_the_same_form_from_another_browser_never_gets_the_code(client: Any) -> None:
    from django.test import Client

    data = form_data()
    first = client.post(reverse("complaints:new"), data)
    code = client.get(first["Location"]).context["code"]
    other = Client().post(reverse("complaints:new"), data)
    assert other.status_code == 200
    body = other.content.decode()
    assert "already received" in body
    assert code not in body
    assert code.replace("-", "") not in body
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"website": "http://spam.example"}, "Leave the last field empty"),
        ({"started": "form:garbage:sig"}, "The form is damaged"),
        ({"narrative": ""}, "This field is required"),
        ({"narrative": "x" * 20_001}, "20000"),
        ({"occurred_on": "1850-01-01"}, "after 1900"),
        ({"occurred_on": "2999-01-01"}, "future"),
        ({"attachments": SimpleUploadedFile("a.jpg", b"<html>x</html>")}, "file type"),
        ({"anonymous": "on", "name": "Carla"}, "anonymous"),
        ({"anonymous": "on", "consent_share_identity": "on"}, "no identity to share"),
        ({"lat": "123", "lng": "0"}, "90"),
    ],
)
def test_refusals_say_why_and_store_nothing(
    client: Any, overrides: dict[str, Any], message: str
) -> None:
    response = client.post(reverse("complaints:new"), form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'class="error-summary"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_too_fast_is_refused(client: Any) -> None:
    response = client.post(reverse("complaints:new"), form_data(started=started_token(1)))
    assert response.status_code == 400
    assert "too quickly" in response.content.decode()
    assert not Complaint.objects.exists()


def test_an_expired_form_is_refused(client: Any) -> None:
    response = client.post(
        reverse("complaints:new"), form_data(started=started_token(2 * 24 * 3600))
    )
    assert response.status_code == 400
    assert "more than a day ago" in response.content.decode()


def test_a_huge_post_is_refused_without_a_server_error(client: Any) -> None:
    response = client.post(reverse("complaints:new"), form_data(narrative="x" * 10 * 1024 * 1024))
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_submissions_are_rate_limited_per_address(client: Any, settings: Any) -> None:
    settings.PEELIAN_PUBLIC_RATE_LIMITS = {"submit": (2, 3600)}
    for _ in range(2):
        assert client.post(reverse("complaints:new"), form_data()).status_code == 302
    refused = client.post(reverse("complaints:new"), form_data())
    assert refused.status_code == 429
    assert "Too many reports" in refused.content.decode()
    assert Complaint.objects.count() == 2
    # Another address is not affected.
    other = client.post(reverse("complaints:new"), form_data(), REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302


def test_received_page_without_a_submission_goes_to_the_form(client: Any) -> None:
    response = client.get(reverse("complaints:received"))
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:new")
