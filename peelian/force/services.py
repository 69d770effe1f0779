"""Use-of-force writes: report, review, link to a complaint, import. Each checks the policy,
validates, writes and records its audit entry in one transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peelian.agency import geo
from peelian.agency.models import RACES, Agency, Beat, District, Officer
from peelian.audit.services import audit_log, snapshot
from peelian.core.errors import ApplicationError, Conflict, validation_error_to_application_error
from peelian.force import imports
from peelian.force.models import (
    FORCE_TYPES,
    Armed,
    ContactReason,
    ForceIncident,
    ForceOfficer,
    ForceReason,
    ForceSubject,
    Resistance,
    ReviewStatus,
    encode_force_types,
)
from peelian.force.permissions import IMPORT, LINK, REPORT, REVIEW, officer_of, policy

REVIEW_FIELDS = ("review_status", "reviewer", "reviewed_at", "review_notes")
MAX_RECORDINGS = 50


@dataclass(frozen=True)
class OfficerInput:
    officer: Officer | None
    force_types: Sequence[str]
    injured: bool = False
    name_given: str = ""


@dataclass(frozen=True)
class SubjectInput:
    race: str = "unknown"
    sex: str = "unknown"
    age: int | None = None
    injured: bool | None = None
    injury_description: str = ""
    hospitalized: bool | None = None
    armed: str = Armed.UNKNOWN


def _invalid(field_name: str, message: Any) -> ApplicationError:
    return ApplicationError(message, code="invalid", fields={field_name: [message]})


def _single_agency() -> Agency:
    agencies = list(Agency.objects.all()[:2])
    if len(agencies) != 1:
        raise ApplicationError(
            _("Name the agency: there is not exactly one."), code="agency_required"
        )
    return agencies[0]


def _check_officers(officers: Sequence[OfficerInput]) -> None:
    if not officers:
        raise _invalid("officers", _("Name at least one officer who used force."))
    seen: set[int] = set()
    for item in officers:
        if item.officer is None and not item.name_given.strip():
            raise _invalid("officers", _("Each officer must be chosen or named."))
        if item.officer is not None:
            if item.officer.pk in seen:
                raise _invalid("officers", _("An officer is listed twice."))
            seen.add(item.officer.pk)
        if not item.force_types:
            raise _invalid("officers", _("Say which force each officer used."))
        bad = sorted(set(item.force_types) - set(FORCE_TYPES))
        if bad:
            raise _invalid(
                "officers",
                _("Unknown force type: %(types)s.") % {"types": ", ".join(bad)},
            )


def _check_subjects(subjects: Sequence[SubjectInput]) -> None:
    if not subjects:
        raise _invalid("subjects", _("Describe at least one person force was used on."))
    for s in subjects:
        if s.race not in RACES:
            raise _invalid("subjects", _("Unknown race/ethnicity code %(r)s.") % {"r": s.race})
        if s.sex not in ("female", "male", "unknown"):
            raise _invalid("subjects", _("Unknown sex code %(s)s.") % {"s": s.sex})
        if s.armed not in Armed.values:
            raise _invalid("subjects", _("Unknown armed code %(a)s.") % {"a": s.armed})
        if s.age is not None and not 0 <= s.age <= 120:
            raise _invalid("subjects", _("An age must be between 0 and 120."))


def _place(
    agency: Agency, location_text: str, lat: float | None, lng: float | None
) -> tuple[Beat | None, float | None, float | None]:
    if lat is not None or lng is not None:
        if lat is None or lng is None:
            raise _invalid("lat", _("Give both the latitude and the longitude."))
        query: Any = (lat, lng)
        field_name = "lat"
    elif location_text.strip():
        query = location_text
        field_name = "location_text"
    else:
        raise _invalid("location_text", _("Say where force was used."))
    try:
        found = geo.locate(query, agency=agency)
    except geo.LocationError as exc:
        raise _invalid(field_name, exc.message) from exc
    return found.beat, found.lat, found.lng


@transaction.atomic
def force_report(
    *,
    actor: Any,
    occurred_at: dt.datetime,
    officers: Sequence[OfficerInput],
    subjects: Sequence[SubjectInput],
    location_text: str = "",
    lat: float | None = None,
    lng: float | None = None,
    contact_reason: str = ContactReason.UNKNOWN,
    force_reason: str = ForceReason.UNKNOWN,
    resistance: str = Resistance.UNKNOWN,
    narrative: str = "",
    recording_ids: Iterable[str] = (),
    agency: Agency | None = None,
    public_id: uuid.UUID | None = None,
) -> ForceIncident:
    """File a use-of-force report. An officer (not a supervisor) must be among the officers
    who used force: officers report their own force. The place is located to its beat.
    ``public_id`` is for the demo seeder, whose ids must follow from its seed."""
    policy.require(actor, REPORT)
    agency = agency or _single_agency()
    _check_officers(officers)
    _check_subjects(subjects)
    if timezone.is_naive(occurred_at):
        raise _invalid("occurred_at", _("The time must carry its time zone."))
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise _invalid("occurred_at", _("The time of the incident is in the future."))
    own = officer_of(actor)
    from peelian.accounts.roles import SUPERVISOR
    from peelian.core.permissions import has_role

    if (
        own is not None
        and not has_role(actor, SUPERVISOR)
        and all(o.officer is None or o.officer.pk != own.pk for o in officers)
    ):
        raise _invalid("officers", _("Officers report force they used: include yourself."))
    for o in officers:
        if o.officer is not None and o.officer.agency_id != agency.pk:
            raise _invalid("officers", _("An officer belongs to another agency."))
    recordings = [str(r).strip() for r in recording_ids if str(r).strip()]
    if len(recordings) > MAX_RECORDINGS or any(len(r) > 64 for r in recordings):
        raise _invalid("recording_ids", _("Too many recording ids, or one longer than 64."))
    beat, lat, lng = _place(agency, location_text, lat, lng)
    incident = ForceIncident(
        agency=agency,
        occurred_at=occurred_at,
        location_text=location_text.strip(),
        lat=lat,
        lng=lng,
        beat=beat,
        district=beat.district if beat else None,
        beat_code=beat.code if beat else "",
        district_code=beat.district.code if beat else "",
        contact_reason=contact_reason,
        force_reason=force_reason,
        resistance=resistance,
        narrative=narrative.strip(),
        force_type_codes=encode_force_types({t for o in officers for t in o.force_types}),
        recording_ids=sorted(set(recordings)),
        reported_by=actor if not isinstance(actor, str) else None,
    )
    if public_id is not None:
        incident.public_id = public_id
    try:
        incident.full_clean(exclude=["reviewer", "reported_by"])
    except ValidationError as exc:
        raise validation_error_to_application_error(exc) from exc
    incident.save()
    ForceOfficer.objects.bulk_create(
        ForceOfficer(
            incident=incident,
            officer=o.officer,
            officer_name_given=o.name_given.strip()[:160],
            force_types=sorted(set(o.force_types)),
            injured=o.injured,
        )
        for o in officers
    )
    ForceSubject.objects.bulk_create(
        ForceSubject(
            incident=incident,
            race=s.race,
            sex=s.sex,
            age=s.age,
            injured=s.injured,
            injury_description=s.injury_description.strip(),
            hospitalized=s.hospitalized,
            armed=s.armed,
        )
        for s in subjects
    )
    audit_log(
        actor=actor,
        action="force.incident.report",
        target=incident,
        after={
            **snapshot(
                incident,
                ["occurred_at", "beat", "contact_reason", "force_reason", "resistance"],
            ),
            "force_types": incident.force_types,
            "officers": [o.officer.pk if o.officer else None for o in officers],
            "subjects": len(subjects),
        },
    )
    return incident


@transaction.atomic
def force_review(
    *,
    actor: Any,
    incident: ForceIncident,
    decision: str,
    notes: str = "",
    at: dt.datetime | None = None,
) -> ForceIncident:
    """Approve, return (for correction) or refer (for investigation) a pending or returned
    report. Returning and referring need notes saying why. ``at`` is when the review took
    place (default: now; the demo seeder passes its own fixed dates)."""
    locked = ForceIncident.objects.select_for_update().get(pk=incident.pk)
    policy.require(actor, REVIEW, locked)
    if decision not in (ReviewStatus.APPROVED, ReviewStatus.RETURNED, ReviewStatus.REFERRED):
        raise _invalid("decision", _("Choose approve, return or refer."))
    if locked.review_status not in (ReviewStatus.PENDING, ReviewStatus.RETURNED):
        raise Conflict(
            _("This report has already been reviewed (%(status)s).")
            % {"status": locked.get_review_status_display()}
        )
    notes = notes.strip()
    if decision != ReviewStatus.APPROVED and not notes:
        raise _invalid("notes", _("Say why the report is returned or referred."))
    before = snapshot(locked, REVIEW_FIELDS)
    locked.review_status = decision
    locked.reviewer = actor
    locked.reviewed_at = at or timezone.now()
    locked.review_notes = notes
    locked.save(update_fields=[*REVIEW_FIELDS, "updated_at"])
    audit_log(
        actor=actor,
        action="force.incident.review",
        target=locked,
        before=before,
        after=snapshot(locked, REVIEW_FIELDS),
    )
    return locked


@transaction.atomic
def force_link_complaint(*, actor: Any, incident: ForceIncident, complaint: Any) -> ForceIncident:
    policy.require(actor, LINK, incident)
    if incident.complaints.filter(pk=complaint.pk).exists():
        raise Conflict(_("The incident is already linked to this complaint."))
    incident.complaints.add(complaint)
    audit_log(
        actor=actor,
        action="force.incident.link_complaint",
        target=incident,
        after={"complaint": str(complaint.public_id)},
    )
    return incident


# --- import -------------------------------------------------------------------------------


@dataclass
class ImportResult:
    source: str
    rows_read: int
    rows_rejected: int
    incidents_created: int
    incidents_skipped: int  # already imported before (same source and external id)
    incidents_rejected: int
    subjects_created: int
    issues: list[imports.RowIssue] = field(default_factory=list)

    @property
    def errors(self) -> list[imports.RowIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[imports.RowIssue]:
        return [i for i in self.issues if i.severity == "warning"]


def _area_index(agency: Agency) -> tuple[dict[str, District], dict[tuple[str, str], Beat]]:
    districts = {d.code: d for d in District.objects.filter(agency=agency)}
    beats = {
        (b.district.code, b.code): b
        for b in Beat.objects.filter(district__agency=agency).select_related("district")
    }
    return districts, beats


def force_import(
    *,
    actor: Any,
    agency: Agency,
    mapping: imports.ColumnMapping,
    header: list[str],
    rows: Iterable[imports.SourceRow],
    batch_size: int = 1000,
) -> ImportResult:
    """Import every valid incident; skip those already imported from the same source;
    report each rejected row. Each batch commits with its own audit entry, so a long import
    that stops half way keeps what it wrote and the next run continues where it stopped."""
    policy.require(actor, IMPORT)
    try:
        plan = imports.plan_import(mapping, header, rows, default_timezone=agency.timezone)
    except imports.MappingError as exc:
        raise ApplicationError(str(exc), code="mapping_invalid") from exc
    districts, beats = _area_index(agency)
    created = skipped = subjects_created = 0
    for start in range(0, len(plan.incidents), batch_size):
        batch = plan.incidents[start : start + batch_size]
        with transaction.atomic():
            existing = set(
                ForceIncident.objects.filter(
                    agency=agency,
                    source=mapping.source,
                    external_id__in=[p.external_id for p in batch],
                ).values_list("external_id", flat=True)
            )
            fresh = [p for p in batch if p.external_id not in existing]
            skipped += len(batch) - len(fresh)
            if not fresh:
                continue
            rows_ = [
                ForceIncident(
                    agency=agency,
                    occurred_at=p.occurred_at,
                    location_text=p.location_text,
                    beat_code=p.beat_code,
                    district_code=p.district_code,
                    district=districts.get(p.district_code),
                    beat=beats.get((p.district_code, p.beat_code)),
                    contact_reason=p.contact_reason,
                    force_reason=p.force_reason,
                    resistance=p.resistance,
                    force_type_codes=encode_force_types(p.force_types),
                    source=mapping.source,
                    external_id=p.external_id,
                )
                for p in fresh
            ]
            saved = ForceIncident.objects.bulk_create(rows_)
            if any(i.pk is None for i in saved):  # pragma: no cover - old SQLite
                lookup = dict(
                    ForceIncident.objects.filter(
                        agency=agency,
                        source=mapping.source,
                        external_id__in=[p.external_id for p in fresh],
                    ).values_list("external_id", "pk")
                )
                for incident in saved:
                    incident.pk = lookup[incident.external_id]
            officer_rows = []
            subject_rows = []
            for incident, parsed in zip(saved, fresh, strict=True):
                for o in parsed.officers.values():
                    officer_rows.append(
                        ForceOfficer(
                            incident_id=incident.pk,
                            officer_name_given=o.name_given,
                            force_types=sorted(o.force_types),
                        )
                    )
                for s in parsed.subjects.values():
                    subject_rows.append(
                        ForceSubject(
                            incident_id=incident.pk,
                            race=s.race,
                            sex=s.sex,
                            age=s.age,
                            injured=s.injured,
                            hospitalized=s.hospitalized,
                            armed=s.armed,
                        )
                    )
            ForceOfficer.objects.bulk_create(officer_rows, batch_size=batch_size)
            ForceSubject.objects.bulk_create(subject_rows, batch_size=batch_size)
            created += len(saved)
            subjects_created += len(subject_rows)
            audit_log(
                actor=actor,
                action="force.import",
                target_type="force.forceincident",
                target_id=mapping.source,
                after={
                    "source": mapping.source,
                    "agency": agency.slug,
                    "created": len(saved),
                    "first": fresh[0].external_id,
                    "last": fresh[-1].external_id,
                },
            )
    return ImportResult(
        source=mapping.source,
        rows_read=plan.rows_read,
        rows_rejected=plan.rows_rejected,
        incidents_created=created,
        incidents_skipped=skipped,
        incidents_rejected=plan.incidents_rejected,
        subjects_created=subjects_created,
        issues=plan.issues,
    )
