"""Writing imported complaint history (see ``peelian.oversight.importing`` for reading it).

All or nothing per file: one transaction holds every write and the run's single audit entry
(``oversight.complaint.import``), so a failure part-way leaves nothing behind. Writes are
batched (``bulk_create``). Re-importing the same source is idempotent: a complaint whose
source record id (``external_id`` = "<source>:<id>") is already present is left untouched
and counted as already imported, so nothing is duplicated or updated.

Imported complaints have no complainant-facing tracking code: ``tracking_hash`` is the
SHA-256 of "import:<external_id>", a string that no typed code can normalise to, so it can
never open a case at /complaints/track/; ``tracking_hint`` is the marker ``IMPT``. Their
public-timeline events carry the historical dates from the data, so they are written here
directly as ``ComplaintEvent`` rows (``record_event`` stamps the current time); their detail
holds only the public keys ``record_event`` allows.

Officers: an allegation is linked to an ``Officer`` of the agency whose badge matches;
otherwise ``Allegation.officer`` stays empty and the officer as the data names them is kept
in a staff-only ``ReportedOfficer`` row (name and badge given). Complainants: only the
demographics the mapping declares (race, sex, age); never a name or contact details.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from peelian.agency.models import Agency, Beat, District, Officer
from peelian.audit.services import audit_log
from peelian.oversight.importing import ComplaintRecord, ImportMapping, ParseResult
from peelian.oversight.models import (
    Allegation,
    AllegationCategory,
    Complainant,
    Complaint,
    ComplaintEvent,
    ReportedOfficer,
)
from peelian.oversight.permissions import IMPORT, policy

IMPORT_HINT = "IMPT"
BATCH_SIZE = 1000


@dataclass
class ImportResult:
    source: str
    dry_run: bool
    complaint_rows: int = 0
    allegation_rows: int = 0
    complaints_created: int = 0
    complaints_already_imported: int = 0
    complaints_rejected: int = 0
    complaints_without_allegations: int = 0
    allegations_created: int = 0
    reported_officers_created: int = 0
    officers_matched: int = 0
    complainants_created: int = 0
    events_created: int = 0
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    warnings_by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def import_tracking_hash(external_id: str) -> str:
    return hashlib.sha256(f"import:{external_id}".encode()).hexdigest()


def _aware(value: dt.date | dt.datetime | None) -> dt.datetime | None:
    """Dates from the data become midnight in the site's time zone."""
    if value is None:
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _unique_codes(rows: list[tuple[str, Any]]) -> dict[str, Any]:
    """code -> object, leaving out codes that more than one object shares."""
    counts = Counter(code for code, _obj in rows)
    return {code: obj for code, obj in rows if counts[code] == 1}


def _officer_key(values: dict[str, Any]) -> tuple[str, str]:
    badge = values.get("officer_badge") or ""
    name = values.get("officer_name") or " ".join(
        part for part in (values.get("officer_first_name"), values.get("officer_last_name")) if part
    )
    return str(badge), str(name)[:160]


def _events(complaint: Complaint, record: ComplaintRecord) -> list[ComplaintEvent]:
    received = complaint.received_at
    closed = complaint.closed_at
    findings = Counter(a.values["finding"] for a in record.allegations if a.values.get("finding"))
    finals = Counter(
        a.values["final_finding"] for a in record.allegations if a.values.get("final_finding")
    )
    rows = [ComplaintEvent(complaint=complaint, kind="received", at=received, detail={})]
    if closed is not None:
        # The data give no date for the findings or the decision: the closing date stands
        # in for both, so the timeline never shows a date the data do not support.
        if findings:
            rows.append(
                ComplaintEvent(
                    complaint=complaint,
                    kind="finding_issued",
                    at=closed,
                    detail={"findings": dict(sorted(findings.items()))},
                )
            )
        if finals:
            rows.append(
                ComplaintEvent(
                    complaint=complaint,
                    kind="decided",
                    at=closed,
                    detail={"decisions": dict(sorted(finals.items()))},
                )
            )
        rows.append(ComplaintEvent(complaint=complaint, kind="closed", at=closed, detail={}))
    return rows


@transaction.atomic
def complaints_import(
    *,
    actor: Any,
    agency: Agency,
    mapping: ImportMapping,
    parsed: ParseResult,
    dry_run: bool = False,
    check_permission: bool = True,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Write the parsed records (those without errors) for ``agency``. ``dry_run`` checks
    everything (including which complaints are already imported and which beats and
    officers match) and writes nothing. ``check_permission=False`` is for the command line,
    whose operator already has full access to the database."""
    if check_permission:
        policy.require(actor, IMPORT)
    result = ImportResult(
        source=mapping.source,
        dry_run=dry_run,
        complaint_rows=parsed.complaint_rows,
        allegation_rows=parsed.allegation_rows,
        complaints_rejected=parsed.rejected_complaints,
        complaints_without_allegations=parsed.without_allegations,
        errors_by_kind=parsed.error_counts(),
    )
    warnings: Counter[str] = Counter()
    categories = {c.code: c for c in AllegationCategory.objects.all()}
    existing = set(
        Complaint.objects.filter(external_id__startswith=f"{mapping.source}:").values_list(
            "external_id", flat=True
        )
    )
    beats = _unique_codes([(b.code, b) for b in Beat.objects.filter(district__agency=agency)])
    districts = {d.code: d for d in District.objects.filter(agency=agency)}
    officers = _unique_codes([(o.badge, o) for o in Officer.objects.filter(agency=agency)])

    new_records = []
    for record in parsed.records:
        if record.external_id in existing:
            result.complaints_already_imported += 1
        else:
            new_records.append(record)

    for start in range(0, len(new_records), batch_size):
        batch = new_records[start : start + batch_size]
        complaints: list[Complaint] = []
        for record in batch:
            values = record.values
            beat = district = None
            if values.get("beat"):
                beat = beats.get(values["beat"])
                if beat is None:
                    warnings["unknown_beat"] += 1
            if values.get("district"):
                district = districts.get(values["district"])
                if district is None:
                    warnings["unknown_district"] += 1
            if beat is not None and district is None:
                district = beat.district
            received = _aware(values["received_at"])
            if received is None:  # the mapping requires it; parse never leaves it out
                raise ValueError(f"{record.external_id}: no received date")
            category_code = values.get("category") or (
                record.allegations[0].values["category"] if record.allegations else None
            )
            complaints.append(
                Complaint(
                    kind=Complaint.Kind.COMPLAINT,
                    channel=Complaint.Channel.IMPORT,
                    status=record.status,
                    tracking_hash=import_tracking_hash(record.external_id),
                    tracking_hint=IMPORT_HINT,
                    received_at=received,
                    occurred_on=values.get("occurred_on"),
                    occurred_time=values.get("occurred_time"),
                    location_text=values.get("location_text") or "",
                    beat=beat,
                    district=district,
                    narrative="",
                    category=categories.get(category_code) if category_code else None,
                    closed_at=_aware(values.get("closed_at")),
                    external_id=record.external_id,
                )
            )
        allegation_count = sum(len(r.allegations) for r in batch)
        result.complaints_created += len(complaints)
        result.allegations_created += allegation_count
        if dry_run:
            for record in batch:
                for allegation in record.allegations:
                    badge = allegation.values.get("officer_badge")
                    if badge and badge in officers:
                        result.officers_matched += 1
                result.complainants_created += bool(record.complainant)
            continue
        Complaint.objects.bulk_create(complaints, batch_size=batch_size)
        allegations: list[Allegation] = []
        reported: list[ReportedOfficer] = []
        complainants: list[Complainant] = []
        events: list[ComplaintEvent] = []
        for complaint, record in zip(complaints, batch, strict=True):
            seen_officers: set[tuple[str, str]] = set()
            for allegation in record.allegations:
                values = allegation.values
                officer = officers.get(values.get("officer_badge") or "")
                if officer is not None:
                    result.officers_matched += 1
                key = _officer_key(values)
                if key not in seen_officers:
                    seen_officers.add(key)
                    reported.append(
                        ReportedOfficer(
                            complaint=complaint,
                            officer=officer,
                            badge_given=key[0],
                            name_given=key[1],
                        )
                    )
                final = values.get("final_finding") or ""
                allegations.append(
                    Allegation(
                        complaint=complaint,
                        officer=officer,
                        category=categories[values["category"]],
                        finding=values.get("finding") or "",
                        finding_at=complaint.closed_at if values.get("finding") else None,
                        final_finding=final,
                        discipline=values.get("discipline") or "",
                        suspension_days=values.get("suspension_days"),
                        decided_at=_aware(values.get("decided_at"))
                        or (complaint.closed_at if final else None),
                    )
                )
            if record.complainant:
                complainants.append(Complainant(complaint=complaint, **record.complainant))
            events.extend(_events(complaint, record))
        Allegation.objects.bulk_create(allegations, batch_size=batch_size)
        ReportedOfficer.objects.bulk_create(reported, batch_size=batch_size)
        Complainant.objects.bulk_create(complainants, batch_size=batch_size)
        ComplaintEvent.objects.bulk_create(events, batch_size=batch_size)
        result.reported_officers_created += len(reported)
        result.complainants_created += len(complainants)
        result.events_created += len(events)

    result.warnings_by_kind = dict(sorted(warnings.items()))
    if not dry_run:
        audit_log(
            actor=actor,
            action="oversight.complaint.import",
            target_type="oversight.import",
            target_id=f"{mapping.source}:{agency.slug}",
            after=result.as_dict(),
        )
    return result
