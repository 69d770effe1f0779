"""Intake: complaints and commendations filed by the public on the web, entered by staff
from the phone, mail, a visit or an email, and information the complainant adds later
with their tracking code.

A submission is never lost: everything (the complaint, the complainant, the officers and
witnesses they describe, the attachments, the first timeline event and the audit entry)
is written in one transaction, and the confirmation email is sent only after it commits;
a mail failure is logged, never raised.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peelian.agency.geo import LocationError, locate
from peelian.audit.services import audit_log
from peelian.core.errors import ApplicationError, NotFound, validation_error_to_application_error
from peelian.oversight import codes, deadlines, emails, uploads
from peelian.oversight.events import record_event
from peelian.oversight.models import (
    Attachment,
    CaseNote,
    Complainant,
    Complaint,
    ComplaintEvent,
    ReportedOfficer,
    Witness,
)
from peelian.oversight.permissions import ENTER, policy
from peelian.oversight.services.common import bump_version, lock_case

logger = logging.getLogger(__name__)

NARRATIVE_MAX = 20_000
NOTE_MAX = 10_000
MAX_OFFICERS = 10
MAX_WITNESSES = 10
EARLIEST_DATE = dt.date(1900, 1, 1)
STAFF_CHANNELS = frozenset(
    {
        Complaint.Channel.PHONE,
        Complaint.Channel.MAIL,
        Complaint.Channel.IN_PERSON,
        Complaint.Channel.EMAIL,
    }
)
OFFICER_KEYS = {
    "name": "name_given",
    "badge": "badge_given",
    "description": "description",
    "vehicle": "vehicle",
}
WITNESS_KEYS = ("name", "contact", "statement")
COMPLAINANT_KEYS = ("name", "email", "phone", "address", "race", "sex", "age")


def _invalid(field: str, message: Any) -> ApplicationError:
    return ApplicationError(message, code="invalid", fields={field: [message]})


def _full_clean(obj: Any, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise validation_error_to_application_error(exc) from None


def _check_when(occurred_on: dt.date | None, occurred_time: dt.time | None) -> None:
    today = timezone.localdate()
    if occurred_on is not None:
        if occurred_on > today:
            raise _invalid("occurred_on", _("The date of the incident cannot be in the future."))
        if occurred_on < EARLIEST_DATE:
            raise _invalid("occurred_on", _("The date of the incident must be after 1900."))
        if occurred_time is not None and occurred_on == today:
            now = timezone.localtime().time()
            if occurred_time > now:
                raise _invalid(
                    "occurred_time", _("The time of the incident cannot be later than now.")
                )


def _check_narrative(narrative: str) -> str:
    text = (narrative or "").strip()
    if not text:
        raise _invalid("narrative", _("Tell us what happened."))
    if len(text) > NARRATIVE_MAX:
        raise _invalid(
            "narrative",
            _(
                "Keep the account under %(max)d characters (it has %(n)d). Attach a document "
                "for anything longer."
            )
            % {"max": NARRATIVE_MAX, "n": len(text)},
        )
    return text


def _check_point(lat: float | None, lng: float | None) -> tuple[float | None, float | None]:
    if lat is None and lng is None:
        return None, None
    if lat is None or lng is None:
        raise _invalid("lat", _("Give both a latitude and a longitude, or neither."))
    try:
        lat_f, lng_f = float(lat), float(lng)
    except (TypeError, ValueError):
        raise _invalid("lat", _("The latitude and longitude must be numbers.")) from None
    if not (-90 <= lat_f <= 90) or not (-180 <= lng_f <= 180):
        raise _invalid(
            "lat",
            _("The latitude must be between -90 and 90 and the longitude between -180 and 180."),
        )
    return lat_f, lng_f


def _clean_rows(
    rows: Sequence[Mapping[str, Any]] | None, keys: Iterable[str], *, limit: int, what: str
) -> list[dict[str, str]]:
    keys = list(keys)
    cleaned: list[dict[str, str]] = []
    for row in rows or []:
        unknown = set(row) - set(keys)
        if unknown:
            raise _invalid(what, _("Unexpected details: %(keys)s.") % {"keys": sorted(unknown)})
        values = {k: str(row.get(k) or "").strip() for k in keys}
        if any(values.values()):
            cleaned.append(values)
    if len(cleaned) > limit:
        raise _invalid(what, _("At most %(n)d can be listed.") % {"n": limit})
    return cleaned


def _clean_complainant(complainant: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if complainant is None:
        return None
    unknown = set(complainant) - set(COMPLAINANT_KEYS)
    if unknown:
        raise _invalid(
            "complainant", _("Unexpected details: %(keys)s.") % {"keys": sorted(unknown)}
        )
    values: dict[str, Any] = {
        k: str(complainant.get(k) or "").strip() for k in COMPLAINANT_KEYS if k != "age"
    }
    age = complainant.get("age")
    if age in (None, ""):
        values["age"] = None
    else:
        try:
            values["age"] = int(age)
        except (TypeError, ValueError):
            raise _invalid("age", _("The age must be a whole number.")) from None
        if not 0 < values["age"] < 120:
            raise _invalid("age", _("Enter an age between 1 and 119."))
    if not any(v for v in values.values() if v not in (None, "")):
        return None  # nothing given: the complaint is anonymous
    return values


def _resolve_place(
    location_text: str, lat: float | None, lng: float | None
) -> tuple[Any, float | None, float | None]:
    """The beat of the point, else of the address, else None (an unknown place is not an
    error: the words the person wrote are kept for staff)."""
    try:
        if lat is not None and lng is not None:
            return locate((lat, lng)).beat, lat, lng
        if location_text:
            found = locate(location_text)
            return found.beat, found.lat, found.lng
    except LocationError:
        pass
    return None, lat, lng


def _store_attachments(
    complaint: Complaint,
    files: Sequence[uploads.CleanUpload],
    *,
    from_public: bool,
    written: list[str],
) -> list[Attachment]:
    stored: list[Attachment] = []
    for item in files:
        attachment = Attachment(
            complaint=complaint,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            original_name=item.original_name,
            from_public=from_public,
        )
        attachment.file.save("upload", ContentFile(item.content), save=False)
        written.append(str(attachment.file.name))
        attachment.save()
        stored.append(attachment)
    return stored


class _CleanupOnFailure:
    """Files are written to storage during the transaction, which storage cannot roll
    back: when the transaction fails, the files it wrote are removed again."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def __enter__(self) -> list[str]:
        return self.written

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            for name in self.written:
                try:
                    default_storage.delete(name)
                except OSError:
                    logger.warning("could not remove an attachment of a failed submission")


def _send_confirmation(complaint_id: int, email: str, code: str, language: str) -> None:
    def send() -> None:
        try:
            emails.send_complaint_received(
                complaint_id=complaint_id, to=email, code=code, language=language
            )
        except Exception:
            # The complaint is committed; a mail failure must not reach the person filing.
            logger.exception("confirmation email for complaint %s was not sent", complaint_id)

    transaction.on_commit(send)


def _create(
    *,
    actor: Any,
    action: str,
    kind: str,
    channel: str,
    narrative: str,
    occurred_on: dt.date | None,
    occurred_time: dt.time | None,
    location_text: str,
    lat: float | None,
    lng: float | None,
    officers: Sequence[Mapping[str, Any]] | None,
    witnesses: Sequence[Mapping[str, Any]] | None,
    complainant: Mapping[str, Any] | None,
    language: str,
    third_party: bool,
    consent_share_identity: bool,
    attachments: Sequence[Any] | None,
    submission_key: str | None,
    written: list[str],
) -> tuple[Complaint, str | None]:
    if kind not in Complaint.Kind.values:
        raise _invalid("kind", _("Choose a complaint or a commendation."))
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise _invalid("language", _("Choose a language we offer."))
    text = _check_narrative(narrative)
    _check_when(occurred_on, occurred_time)
    lat, lng = _check_point(lat, lng)
    location_text = (location_text or "").strip()
    if len(location_text) > 300:
        raise _invalid("location_text", _("Keep the place under 300 characters."))
    officer_rows = _clean_rows(officers, OFFICER_KEYS, limit=MAX_OFFICERS, what="officers")
    witness_rows = _clean_rows(witnesses, WITNESS_KEYS, limit=MAX_WITNESSES, what="witnesses")
    identity = _clean_complainant(complainant)
    anonymous = identity is None
    if anonymous and consent_share_identity:
        raise _invalid(
            "consent_share_identity",
            _(
                "An anonymous complaint has no identity to share: leave the consent unticked, "
                "or tell us who you are."
            ),
        )
    if submission_key is not None:
        submission_key = submission_key.strip()
        if not 16 <= len(submission_key) <= 64:
            raise _invalid("submission_key", _("The form is damaged. Reload it and try again."))
        existing = Complaint.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing, None
    files = uploads.clean_uploads(list(attachments or []))
    beat, lat, lng = _resolve_place(location_text, lat, lng)

    code = codes.new_code()
    normalised = codes.normalise(code) or ""  # a fresh code is always valid
    now = timezone.now()
    complaint = Complaint(
        kind=kind,
        channel=channel,
        status=Complaint.Status.RECEIVED,
        tracking_hash=codes.code_hash(normalised),
        tracking_hint=normalised[-4:],
        submission_key=submission_key or None,
        received_at=now,
        occurred_on=occurred_on,
        occurred_time=occurred_time,
        location_text=location_text,
        lat=lat,
        lng=lng,
        beat=beat,
        district=beat.district if beat is not None else None,
        narrative=text,
        language=language,
        anonymous=anonymous,
        third_party=bool(third_party),
        consent_share_identity=bool(consent_share_identity),
    )
    deadlines.apply_stage(complaint, now=now)
    _full_clean(complaint, exclude=["tracking_hash", "submission_key"])
    try:
        with transaction.atomic():
            complaint.save()
    except IntegrityError:
        # The same form arrived twice at once: the other request created it.
        if submission_key:
            existing = Complaint.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                return existing, None
        raise

    if identity is not None:
        person = Complainant(complaint=complaint, **identity)
        _full_clean(person, exclude=["complaint"])
        person.save()
    for row in officer_rows:
        officer = ReportedOfficer(
            complaint=complaint, **{OFFICER_KEYS[k]: v for k, v in row.items()}
        )
        _full_clean(officer, exclude=["complaint", "officer"])
        officer.save()
    for row in witness_rows:
        witness = Witness(complaint=complaint, **row)
        _full_clean(witness, exclude=["complaint"])
        witness.save()
    stored = _store_attachments(
        complaint, files, from_public=channel == Complaint.Channel.WEB, written=written
    )
    record_event(complaint, ComplaintEvent.Kind.RECEIVED, {"channel": channel})
    audit_log(
        actor=actor,
        action=action,
        target=complaint,
        after={
            "kind": kind,
            "channel": channel,
            "anonymous": anonymous,
            "third_party": bool(third_party),
            "language": language,
            "beat_id": beat.pk if beat is not None else None,
            "officers": len(officer_rows),
            "witnesses": len(witness_rows),
            "attachments": [str(a.public_id) for a in stored],
        },
    )
    if identity is not None and identity.get("email"):
        _send_confirmation(complaint.pk, identity["email"], code, language)
    return complaint, code


def complaint_submit(
    *,
    actor: Any = "public",
    kind: str,
    narrative: str,
    occurred_on: dt.date | None = None,
    occurred_time: dt.time | None = None,
    location_text: str = "",
    lat: float | None = None,
    lng: float | None = None,
    officers: Sequence[Mapping[str, Any]] | None = None,
    witnesses: Sequence[Mapping[str, Any]] | None = None,
    complainant: Mapping[str, Any] | None = None,
    language: str = "en",
    third_party: bool = False,
    consent_share_identity: bool = False,
    attachments: Sequence[Any] | None = None,
    channel: str = Complaint.Channel.WEB,
    submission_key: str | None = None,
) -> tuple[Complaint, str | None]:
    """File a complaint or commendation from the public web form.

    Returns ``(complaint, tracking_code)``. The code is shown to the person once and only
    its hash is stored; when ``submission_key`` was already used (a double click, a
    retried POST) nothing new is created and the code is ``None``: the caller shows the
    code it kept for that key, or says the complaint was already received.

    ``complainant=None`` (or only blank values) makes the complaint anonymous.
    """
    if channel != Complaint.Channel.WEB:
        raise _invalid("channel", _("Complaints from other channels are entered by staff."))
    with _CleanupOnFailure() as written, transaction.atomic():
        return _create(
            written=written,
            actor=actor,
            action="oversight.complaint.submit",
            kind=kind,
            channel=channel,
            narrative=narrative,
            occurred_on=occurred_on,
            occurred_time=occurred_time,
            location_text=location_text,
            lat=lat,
            lng=lng,
            officers=officers,
            witnesses=witnesses,
            complainant=complainant,
            language=language,
            third_party=third_party,
            consent_share_identity=consent_share_identity,
            attachments=attachments,
            submission_key=submission_key,
        )


def complaint_enter(
    *,
    actor: Any,
    channel: str,
    kind: str = Complaint.Kind.COMPLAINT,
    narrative: str,
    occurred_on: dt.date | None = None,
    occurred_time: dt.time | None = None,
    location_text: str = "",
    lat: float | None = None,
    lng: float | None = None,
    officers: Sequence[Mapping[str, Any]] | None = None,
    witnesses: Sequence[Mapping[str, Any]] | None = None,
    complainant: Mapping[str, Any] | None = None,
    language: str = "en",
    third_party: bool = False,
    consent_share_identity: bool = False,
    attachments: Sequence[Any] | None = None,
    submission_key: str | None = None,
) -> tuple[Complaint, str]:
    """Staff enter a complaint received by phone, mail, in person or by email. Returns the
    complaint and the tracking code to read or send to the person."""
    policy.require(actor, ENTER)
    if channel not in STAFF_CHANNELS:
        raise _invalid(
            "channel", _("Choose how the complaint arrived: phone, mail, in person or email.")
        )
    with _CleanupOnFailure() as written, transaction.atomic():
        complaint, code = _create(
            written=written,
            actor=actor,
            action="oversight.complaint.enter",
            kind=kind,
            channel=channel,
            narrative=narrative,
            occurred_on=occurred_on,
            occurred_time=occurred_time,
            location_text=location_text,
            lat=lat,
            lng=lng,
            officers=officers,
            witnesses=witnesses,
            complainant=complainant,
            language=language,
            third_party=third_party,
            consent_share_identity=consent_share_identity,
            attachments=attachments,
            submission_key=submission_key,
        )
    if code is None:
        raise ApplicationError(
            _("This complaint was already entered (the form was sent twice)."),
            code="duplicate",
            status=409,
        )
    return complaint, code


def complaint_add_info(
    *,
    actor: Any = "public",
    code: str,
    text: str = "",
    attachments: Sequence[Any] | None = None,
) -> Complaint:
    """The complainant, with their tracking code alone, adds information (a note and/or
    files) to their case. Refused once the case is closed. The note has no author (the
    complainant has no account) and is marked ``from_complainant``."""
    from peelian.oversight.selectors.tracking import complaint_for_code

    complaint = complaint_for_code(code)
    if complaint is None:
        raise NotFound(_("There is no case with that code. Check it and try again."))
    text = (text or "").strip()
    if len(text) > NOTE_MAX:
        raise _invalid(
            "text",
            _("Keep the information under %(max)d characters (it has %(n)d).")
            % {"max": NOTE_MAX, "n": len(text)},
        )
    files_in = list(attachments or [])
    if not text and not files_in:
        raise _invalid("text", _("Write the new information or attach a file."))
    files = uploads.clean_uploads(files_in)
    with _CleanupOnFailure() as written, transaction.atomic():
        case = lock_case(complaint, expected_version=None)
        if case.status == Complaint.Status.CLOSED:
            raise ApplicationError(
                _(
                    "This case is closed, so information can no longer be added to it. If "
                    "something new happened, file a new complaint."
                ),
                code="case_closed",
                status=409,
            )
        note = None
        if text:
            note = CaseNote(complaint=case, author=None, text=text, from_complainant=True)
            _full_clean(note, exclude=["complaint", "author"])
            note.save()
        stored = _store_attachments(case, files, from_public=True, written=written)
        record_event(case, ComplaintEvent.Kind.INFO_ADDED)
        bump_version(case)
        audit_log(
            actor=actor,
            action="oversight.complaint.add_info",
            target=case,
            after={
                "note_id": note.pk if note is not None else None,
                "attachments": [str(a.public_id) for a in stored],
            },
        )
    return case
