"""Reads of the agency's structure and officers.

The roster and the personnel record depend on who is looking and go through the policy;
opening a personnel record is a sensitive read and leaves an audit entry. Districts and
beats are public.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from peelian.agency.models import Agency, Assignment, Beat, District, Officer, Unit
from peelian.agency.permissions import RecordScope, policy
from peelian.audit.services import audit_log
from peelian.core.errors import NotFound

# What the roster shows: no demographics, no birth year, no history.
ROSTER_FIELDS = (
    "public_id",
    "agency_id",
    "badge",
    "first_name",
    "last_name",
    "rank",
    "status",
    "unit_id",
    "unit__code",
    "unit__name",
)


def officer_list_for_viewer(
    *,
    viewer: Any,
    agency: Agency | None = None,
    unit: Unit | int | None = None,
    rank: str | None = None,
    status: str | None = None,
    search: str | None = None,
) -> QuerySet[Officer]:
    """The roster, filtered. Raises ``PermissionDenied`` for viewers without roster access.
    Loads only the roster fields (reading a demographic field on a row would cost a query)."""
    policy.require(viewer, "officer.view_roster")
    qs = Officer.objects.select_related("unit").only(*ROSTER_FIELDS)
    if agency is not None:
        qs = qs.filter(agency=agency)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if rank:
        qs = qs.filter(rank=rank)
    if status:
        qs = qs.filter(status=status)
    if search and search.strip():
        term = search.strip()
        qs = qs.filter(
            Q(last_name__icontains=term) | Q(first_name__icontains=term) | Q(badge__iexact=term)
        )
    return qs.order_by("last_name", "first_name", "badge")


def officer_record_scope(*, viewer: Any) -> RecordScope:
    """Which records the viewer may open, to link roster rows without a query per row."""
    return policy.record_scope(viewer)


@dataclass(frozen=True)
class OfficerRecord:
    officer: Officer
    assignments: tuple[Assignment, ...]  # newest first


@transaction.atomic
def officer_get_record(*, viewer: Any, public_id: uuid.UUID | str) -> OfficerRecord:
    """One officer's personnel record, with their assignment history. Writes an
    ``agency.officer.view`` audit entry. Answers ``NotFound`` both when there is no such
    officer and when the viewer may not see them."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("No such officer.")) from None
    officer = (
        Officer.objects.select_related("unit", "unit__district", "agency", "user")
        .filter(public_id=key)
        .first()
    )
    if officer is None or not policy.can(viewer, "officer.view_record", officer):
        raise NotFound(_("No such officer."))
    assignments = tuple(
        officer.assignments.select_related("unit", "beat").order_by("-start_date", "-id")
    )
    audit_log(actor=viewer, action="agency.officer.view", target=officer)
    return OfficerRecord(officer=officer, assignments=assignments)


def unit_choices(*, agency: Agency | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.all()
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs.order_by("code")


def districts_public(
    *, agency: Agency | None = None, with_boundaries: bool = True
) -> QuerySet[District]:
    """Districts with their beats (by code), total population and number of beats.
    Without boundaries the rows are light enough for a page that lists many beats."""
    qs = District.objects.all()
    beats = Beat.objects.order_by("code")
    if not with_boundaries:
        qs = qs.defer("boundary")
        beats = beats.defer("boundary")
    if agency is not None:
        qs = qs.filter(agency=agency)
    # Explicit order: Django leaves Meta.ordering out of aggregate (GROUP BY) queries, and
    # PostgreSQL then returns the groups in any order.
    return (
        qs.annotate(total_population=Sum("beats__population"), beat_count=Count("beats"))
        .order_by("code")
        .prefetch_related(Prefetch("beats", queryset=beats))
    )


def beats_public(
    *, agency: Agency | None = None, district_code: str | None = None
) -> QuerySet[Beat]:
    qs = Beat.objects.select_related("district")
    if agency is not None:
        qs = qs.filter(district__agency=agency)
    if district_code:
        qs = qs.filter(district__code=district_code)
    return qs.order_by("district__code", "code")
