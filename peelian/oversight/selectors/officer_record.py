"""An officer's complaint record (staff only): the complaints and allegations against them,
the investigation's findings, the agency's final decisions and discipline, and the
commendations they received, year by year.

Who may open it: administrators and analysts, and a supervisor for the officers of their
own unit — the agency's ``officer.view_record`` rule, limited to those three roles (that
rule also lets an officer open their own personnel record; their complaint history, with
cases still under investigation, is not opened to them here). Refusals answer "not
found". Every opening writes ``oversight.officer_record.view``.

Other modules add their own entries (the use-of-force module: force incidents) through
``register_officer_record_section``, without this module importing them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from peelian.accounts.roles import ADMINISTRATOR, ANALYST, SUPERVISOR
from peelian.agency.models import Officer
from peelian.agency.permissions import policy as agency_policy
from peelian.audit.services import audit_log
from peelian.core.errors import NotFound
from peelian.core.permissions import roles_of
from peelian.oversight.models import Allegation, Complaint, Finding, ReportedOfficer

RECORD_VIEW_ROLES = frozenset({ADMINISTRATOR, ANALYST, SUPERVISOR})


@dataclass(frozen=True)
class SectionEntry:
    """One entry another module contributes to the record (a force incident, say)."""

    on: dt.date
    label: str
    detail: str = ""


@dataclass(frozen=True)
class RecordSection:
    """A hook: ``entries(officer)`` returns that module's entries for the officer."""

    name: str
    title: str | Promise
    entries: Callable[[Officer], Iterable[SectionEntry]]


OFFICER_RECORD_SECTIONS: dict[str, RecordSection] = {}


def register_officer_record_section(section: RecordSection) -> None:
    """Called from another app's ``ready()`` (e.g. ``peelian.force`` for force incidents)."""
    existing = OFFICER_RECORD_SECTIONS.get(section.name)
    if existing is not None and existing != section:
        raise ValueError(f"officer record section {section.name!r} is already registered")
    OFFICER_RECORD_SECTIONS[section.name] = section


@dataclass(frozen=True)
class RecordRow:
    """One line: an allegation against the officer, a complaint naming them with no
    allegation recorded against them yet, or a commendation."""

    year: int
    on: dt.date
    kind: str  # "allegation" | "complaint" | "commendation"
    tracking_hint: str
    status: str
    category: str
    finding: str
    final_finding: str
    discipline: str
    decided_on: dt.date | None


@dataclass
class YearSummary:
    year: int
    complaints: int = 0
    allegations: int = 0
    sustained: int = 0
    commendations: int = 0


@dataclass(frozen=True)
class ExtraSection:
    name: str
    title: str
    entries: tuple[SectionEntry, ...]


@dataclass(frozen=True)
class OfficerComplaintRecord:
    officer: Officer
    rows: tuple[RecordRow, ...]  # newest first
    years: tuple[YearSummary, ...]  # newest first
    sections: tuple[ExtraSection, ...]


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else timezone.localdate(moment)


def officer_complaint_record(*, viewer: Any, officer: Officer) -> OfficerComplaintRecord:
    """The officer's record, or ``NotFound`` if the viewer may not see it."""
    if not (
        roles_of(viewer) & RECORD_VIEW_ROLES
        and agency_policy.can(viewer, "officer.view_record", officer)
    ):
        raise NotFound(_("No such officer."))
    with transaction.atomic():
        record = _build(officer)
        audit_log(actor=viewer, action="oversight.officer_record.view", target=officer)
    return record


def officer_complaint_record_by_id(
    *, viewer: Any, public_id: uuid.UUID | str
) -> OfficerComplaintRecord:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("No such officer.")) from None
    officer = Officer.objects.select_related("unit").filter(public_id=key).first()
    if officer is None:
        raise NotFound(_("No such officer."))
    return officer_complaint_record(viewer=viewer, officer=officer)


def _build(officer: Officer) -> OfficerComplaintRecord:
    rows: list[RecordRow] = []
    allegations = (
        Allegation.objects.filter(officer=officer)
        .select_related("complaint", "category")
        .order_by("-complaint__received_at", "id")
    )
    with_allegation: set[int] = set()
    for a in allegations:
        c = a.complaint
        with_allegation.add(c.pk)
        on = timezone.localdate(c.received_at)
        rows.append(
            RecordRow(
                year=on.year,
                on=on,
                kind="allegation",
                tracking_hint=c.tracking_hint,
                status=c.get_status_display(),
                category=str(a.category),
                finding=a.get_finding_display() if a.finding else "",
                final_finding=a.get_final_finding_display() if a.final_finding else "",
                discipline=_discipline_label(a),
                decided_on=_local_date(a.decided_at),
            )
        )
    named = (
        ReportedOfficer.objects.filter(officer=officer)
        .select_related("complaint", "complaint__category")
        .order_by("-complaint__received_at")
    )
    seen: set[int] = set()
    for ro in named:
        c = ro.complaint
        if c.pk in with_allegation or c.pk in seen:
            continue
        seen.add(c.pk)
        on = timezone.localdate(c.received_at)
        commendation = c.kind == Complaint.Kind.COMMENDATION
        rows.append(
            RecordRow(
                year=on.year,
                on=on,
                kind="commendation" if commendation else "complaint",
                tracking_hint=c.tracking_hint,
                status=c.get_status_display(),
                category="" if commendation or c.category is None else str(c.category),
                finding="",
                final_finding="",
                discipline="",
                decided_on=None,
            )
        )
    rows.sort(key=lambda r: (r.on, r.tracking_hint), reverse=True)

    summaries: dict[int, YearSummary] = {}
    complaints_in: dict[int, set[int]] = {}
    for a in allegations:
        on = timezone.localdate(a.complaint.received_at)
        s = summaries.setdefault(on.year, YearSummary(on.year))
        s.allegations += 1
        complaints_in.setdefault(on.year, set()).add(a.complaint_id)
        if (a.final_finding or a.finding) == Finding.SUSTAINED:
            s.sustained += 1
    for row in rows:
        if row.kind == "allegation":
            continue
        s = summaries.setdefault(row.year, YearSummary(row.year))
        if row.kind == "commendation":
            s.commendations += 1
        else:
            s.complaints += 1
    for year, ids in complaints_in.items():
        summaries[year].complaints += len(ids)
    years = tuple(sorted(summaries.values(), key=lambda s: s.year, reverse=True))

    sections = tuple(
        ExtraSection(
            name=section.name,
            title=str(section.title),
            entries=tuple(sorted(section.entries(officer), key=lambda e: e.on, reverse=True)),
        )
        for section in OFFICER_RECORD_SECTIONS.values()
    )
    return OfficerComplaintRecord(officer=officer, rows=tuple(rows), years=years, sections=sections)


def _discipline_label(a: Allegation) -> str:
    if not a.discipline:
        return ""
    label = str(a.get_discipline_display())
    if a.suspension_days:
        label = _("%(d)s (%(n)d days)") % {"d": label, "n": a.suspension_days}
    return label
