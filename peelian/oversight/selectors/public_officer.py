"""Public officer pages (off by default: ``settings.PEELIAN_PUBLIC_OFFICER_PAGES``, because
whether an officer's complaint history may be published differs by state).

What a public page may hold: the officer's name, badge, rank and current unit, and COUNTS
ONLY — allegations of closed complaints by finding (the agency's final finding, or the
investigation's finding when no final one was recorded), sustained allegations by category,
complaints closed, commendations received, and counts per calendar year contributed by
other modules (the use-of-force module: incidents). Never the complainant, the narrative,
the reasons for a finding, anything about a case still open, or a date finer than the year.

Other modules add their per-year counts through ``register_public_officer_count``, without
this module importing them. Every function raises ``NotFound`` when the setting is off, so
the pages simply do not exist for the public.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from peelian.agency.models import Officer
from peelian.core.errors import NotFound
from peelian.oversight.models import Allegation, Complaint, Finding, ReportedOfficer

SEARCH_MAX_LENGTH = 100

YearCounter = Callable[[Officer], Mapping[int, int]]


@dataclass(frozen=True)
class PublicOfficerCount:
    """A hook: ``counts(officer)`` returns ``{year: count}`` for that module's records."""

    name: str
    title: str | Promise
    counts: YearCounter


PUBLIC_OFFICER_COUNTS: dict[str, PublicOfficerCount] = {}


def register_public_officer_count(entry: PublicOfficerCount) -> None:
    """Called from another app's ``ready()`` (e.g. ``peelian.force`` for force incidents)."""
    existing = PUBLIC_OFFICER_COUNTS.get(entry.name)
    if existing is not None and existing != entry:
        raise ValueError(f"public officer count {entry.name!r} is already registered")
    PUBLIC_OFFICER_COUNTS[entry.name] = entry


@dataclass(frozen=True)
class YearCounts:
    """A ready-made counter: rows of ``model`` (``"app_label.Model"``) whose ``officer_field``
    is the officer, counted by the calendar year (local time) of ``date_field``."""

    model: str
    date_field: str
    officer_field: str = "officer"

    def __call__(self, officer: Officer) -> dict[int, int]:
        model = apps.get_model(self.model)
        rows = (
            model.objects.filter(**{self.officer_field: officer})
            .annotate(year=ExtractYear(self.date_field))
            .values("year")
            .annotate(n=Count("pk"))
            .order_by("year")
        )
        return {int(r["year"]): int(r["n"]) for r in rows if r["year"] is not None}


@dataclass(frozen=True)
class LabelCount:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class YearCount:
    year: int
    count: int


@dataclass(frozen=True)
class CountSection:
    name: str
    title: str
    years: tuple[YearCount, ...]  # oldest first
    total: int


@dataclass(frozen=True)
class PublicOfficerSummary:
    public_id: uuid.UUID
    name: str
    badge: str
    rank: str
    unit: str
    allegations_by_finding: tuple[LabelCount, ...]  # every finding, in the taxonomy's order
    allegations_total: int
    sustained_by_category: tuple[LabelCount, ...]  # categories with at least one, most first
    complaints_closed: int
    commendations: int
    sections: tuple[CountSection, ...]


def public_officer_pages_enabled() -> bool:
    return bool(getattr(settings, "PEELIAN_PUBLIC_OFFICER_PAGES", False))


def _require_enabled() -> None:
    if not public_officer_pages_enabled():
        raise NotFound(_("No such page."))


def public_officer_search(query: str = "") -> QuerySet[Officer]:
    """Officers (active, on leave or separated) whose name or badge matches ``query``: every
    word must appear in the first or last name, or the query is the start of a badge."""
    _require_enabled()
    officers = Officer.objects.select_related("unit").order_by("last_name", "first_name", "badge")
    text = " ".join(query.split())[:SEARCH_MAX_LENGTH]
    if not text:
        return officers
    by_name = Q()
    for word in text.split(" "):
        by_name &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    by_badge = Q(badge__istartswith=text.lstrip("#"))
    return officers.filter(by_name | by_badge)


def public_officer_summary(public_id: uuid.UUID | str) -> PublicOfficerSummary:
    """The officer's public counts, or ``NotFound`` (setting off, or no such officer)."""
    _require_enabled()
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("No such officer.")) from None
    officer = Officer.objects.select_related("unit").filter(public_id=key).first()
    if officer is None:
        raise NotFound(_("No such officer."))
    return _summary(officer)


def _category_name(name: str, name_es: str) -> str:
    language = (get_language() or "en").split("-")[0]
    return name_es if language == "es" and name_es else name


def _summary(officer: Officer) -> PublicOfficerSummary:
    closed = Q(complaint__kind=Complaint.Kind.COMPLAINT, complaint__status=Complaint.Status.CLOSED)
    rows = (
        Allegation.objects.filter(closed, officer=officer)
        .values_list(
            "complaint_id",
            "finding",
            "final_finding",
            "category__code",
            "category__name",
            "category__name_es",
        )
        .order_by()
    )
    by_finding: Counter[str] = Counter()
    sustained: Counter[tuple[str, str]] = Counter()
    closed_ids: set[int] = set()
    for complaint_id, finding, final_finding, code, name, name_es in rows:
        closed_ids.add(complaint_id)
        effective = final_finding or finding
        if not effective:
            continue
        by_finding[effective] += 1
        if effective == Finding.SUSTAINED:
            sustained[(code, _category_name(name, name_es))] += 1
    # Closed complaints that name the officer without an allegation against them.
    closed_ids.update(
        ReportedOfficer.objects.filter(closed, officer=officer)
        .values_list("complaint_id", flat=True)
        .order_by()
    )
    commendations = (
        ReportedOfficer.objects.filter(officer=officer, complaint__kind=Complaint.Kind.COMMENDATION)
        .values("complaint_id")
        .distinct()
        .count()
    )
    sections = []
    for entry in PUBLIC_OFFICER_COUNTS.values():
        counts = {int(y): int(n) for y, n in entry.counts(officer).items() if n}
        sections.append(
            CountSection(
                name=entry.name,
                title=str(entry.title),
                years=tuple(YearCount(y, counts[y]) for y in sorted(counts)),
                total=sum(counts.values()),
            )
        )
    return PublicOfficerSummary(
        public_id=officer.public_id,
        name=f"{officer.first_name} {officer.last_name}",
        badge=officer.badge,
        rank=str(officer.get_rank_display()),
        unit=officer.unit.name if officer.unit else "",
        allegations_by_finding=tuple(
            LabelCount(code, str(label), by_finding.get(code, 0)) for code, label in Finding.choices
        ),
        allegations_total=sum(by_finding.values()),
        sustained_by_category=tuple(
            LabelCount(code, label, n)
            for (code, label), n in sorted(sustained.items(), key=lambda i: (-i[1], i[0][1]))
        ),
        complaints_closed=len(closed_ids),
        commendations=commendations,
        sections=tuple(sections),
    )


def public_officer_card(officer: Officer) -> dict[str, Any]:
    """What the search list shows for one officer (never more than the public page)."""
    return {
        "public_id": officer.public_id,
        "name": f"{officer.last_name}, {officer.first_name}",
        "badge": officer.badge,
        "rank": str(officer.get_rank_display()),
        "unit": officer.unit.name if officer.unit else "",
    }
