"""The oversight app's open data and public statistics.

Datasets:

* ``complaints``: one row per allegation (a complaint without an allegation yet has one
  row with the allegation columns empty). De-identified: an opaque complaint id that cannot
  be linked to the case's staff URL or the complainant's tracking code, the month (never the
  date) received, the district (never the beat, address or point), categories, findings,
  discipline, status, days to close and the board's part. Never a name, contact detail,
  demographic, narrative, free text, officer identity, date, time or place finer than a
  district.
* ``commendations``: commendations counted by month received and district.

Statistics: complaints received by month, complaints by district (with rates per 1,000
residents), finding rates, median days to close, and the agency's agreement with the
civilian review board. Each states its method, denominator and uncertainty.

Findings are published only once issued (status *findings* or later); the agency's final
finding and discipline only once decided.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from peelian.core.registry import DatasetField, StatisticResult, StatisticValue
from peelian.oversight import analysis
from peelian.oversight.models import (
    Allegation,
    BoardRecommendation,
    Complaint,
    Finding,
)

Status = Complaint.Status
# Findings are public once the investigator's findings are issued ...
FINDINGS_PUBLIC = frozenset({Status.FINDINGS, Status.BOARD_REVIEW, Status.DECIDED, Status.CLOSED})
# ... and the agency's final finding and discipline once it has decided.
DECISION_PUBLIC = frozenset({Status.DECIDED, Status.CLOSED})

OPAQUE_ID_SALT = "peelian.oversight.exports.complaint_id"


def _interpolate(message: Any, **values: Any) -> str:
    return str(message) % {k: str(v) for k, v in values.items()}


_lazy_interpolate = lazy(_interpolate, str)


def opaque_id(public_id: Any) -> str:
    """HMAC-SHA256(SECRET_KEY, public_id), first 12 hex characters: stable from release to
    release (rows of one complaint can be joined), but without the server's secret nobody
    can get from it to the case's ``public_id`` (used in staff URLs) or back."""
    return salted_hmac(OPAQUE_ID_SALT, str(public_id), algorithm="sha256").hexdigest()[:12]


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def days_to_close(received_at: dt.datetime, closed_at: dt.datetime | None) -> int | None:
    """Whole calendar days from the day received to the day closed (local time)."""
    if closed_at is None:
        return None
    return (_local_date(closed_at) - _local_date(received_at)).days


# --- the complaints dataset -----------------------------------------------------------------

COMPLAINTS_PRIVACY = _(
    "De-identified. One row per allegation. Left out entirely: the complainant's name, "
    "contact details and demographics, witnesses, the narrative and every free-text field "
    "(allegation summaries, reasons for findings, board comments and rationales), "
    "attachments, tracking codes, and every officer's identity (name, badge, unit, "
    "demographics). Dates are coarsened to the month received; places to the district "
    "(no beat, address or coordinates). The complaint id is a keyed hash (HMAC-SHA256 with "
    "the server's secret) of the internal id, so rows of one complaint can be joined but "
    "cannot be linked to a tracking code or a staff page. Findings appear only once issued, "
    "the final finding and discipline only once the agency has decided. Small-cell rule: "
    "because no column identifies a person, an officer, a date or a place finer than a "
    "district, rows are not suppressed; anyone combining rows with outside knowledge of one "
    "incident could at most learn its district, month, category and outcome."
)

COMPLAINT_FIELDS: tuple[DatasetField, ...] = (
    DatasetField(
        "complaint_id",
        "string",
        _("Opaque id of the complaint (12 hex characters), the same on each of its rows."),
    ),
    DatasetField(
        "allegation_number",
        "integer",
        _("The allegation's number within its complaint (1, 2 …); empty when none yet."),
    ),
    DatasetField("month_received", "yearmonth", _("Month the complaint was received (YYYY-MM).")),
    DatasetField(
        "district", "string", _("Code of the district where it happened; empty if unknown.")
    ),
    DatasetField(
        "channel", "string", _("How it was received: web, phone, mail, in_person, email, import.")
    ),
    DatasetField("status", "string", _("Where the case stands in the workflow.")),
    DatasetField(
        "category",
        "string",
        _("Code of the allegation's category (or the complaint's, before allegations)."),
    ),
    DatasetField(
        "finding",
        "string",
        _("The investigation's finding on the allegation, once issued; empty before."),
    ),
    DatasetField(
        "final_finding",
        "string",
        _("The agency's final finding, once decided; empty before."),
    ),
    DatasetField(
        "discipline",
        "string",
        _("Discipline imposed on the allegation, once decided; empty before or if none recorded."),
    ),
    DatasetField(
        "days_to_close", "integer", _("Calendar days from receipt to closing; empty while open.")
    ),
    DatasetField(
        "board_reviewed", "boolean", _("True when the civilian review board reviewed the case.")
    ),
    DatasetField(
        "board_recommended_finding",
        "string",
        _("The finding the review board recommended for the allegation; empty if none."),
    ),
    DatasetField(
        "agency_concurred",
        "boolean",
        _(
            "Whether the agency concurred with the board's recommendation on the allegation; "
            "empty when there was none or it is not answered yet."
        ),
    ),
)


def complaint_rows() -> list[dict[str, Any]]:
    """The ``complaints`` dataset: see ``COMPLAINTS_PRIVACY``. Queries: three, whatever
    the size (complaints, allegations, recommendations)."""
    complaints = list(
        Complaint.objects.filter(kind=Complaint.Kind.COMPLAINT)
        .order_by("received_at", "id")
        .values(
            "id",
            "public_id",
            "received_at",
            "closed_at",
            "status",
            "channel",
            "district__code",
            "category__code",
            "board_review__id",
        )
    )
    allegations: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in (
        Allegation.objects.filter(complaint__kind=Complaint.Kind.COMPLAINT)
        .order_by("complaint_id", "id")
        .values("id", "complaint_id", "category__code", "finding", "final_finding", "discipline")
    ):
        allegations[a["complaint_id"]].append(a)
    recommendations = {
        r["allegation_id"]: r
        for r in BoardRecommendation.objects.values(
            "allegation_id", "recommended_finding", "agency_concurs"
        )
    }
    rows: list[dict[str, Any]] = []
    for c in complaints:
        received = _local_date(c["received_at"])
        base = {
            "complaint_id": opaque_id(c["public_id"]),
            "month_received": received.strftime("%Y-%m"),
            "district": c["district__code"] or "",
            "channel": c["channel"],
            "status": c["status"],
        }
        tail = {
            "days_to_close": days_to_close(c["received_at"], c["closed_at"]),
            "board_reviewed": c["board_review__id"] is not None,
        }
        findings_public = c["status"] in FINDINGS_PUBLIC
        decision_public = c["status"] in DECISION_PUBLIC
        items = allegations.get(c["id"], [])
        if not items:
            rows.append(
                {
                    **base,
                    "allegation_number": None,
                    "category": c["category__code"] or "",
                    "finding": "",
                    "final_finding": "",
                    "discipline": "",
                    **tail,
                    "board_recommended_finding": "",
                    "agency_concurred": None,
                }
            )
            continue
        for number, a in enumerate(items, start=1):
            rec = recommendations.get(a["id"]) if findings_public else None
            rows.append(
                {
                    **base,
                    "allegation_number": number,
                    "category": a["category__code"],
                    "finding": a["finding"] if findings_public else "",
                    "final_finding": a["final_finding"] if decision_public else "",
                    "discipline": a["discipline"] if decision_public else "",
                    **tail,
                    "board_recommended_finding": rec["recommended_finding"] if rec else "",
                    "agency_concurred": rec["agency_concurs"] if rec else None,
                }
            )
    order = [f.name for f in COMPLAINT_FIELDS]
    return [{name: row[name] for name in order} for row in rows]


# --- the commendations dataset --------------------------------------------------------------

COMMENDATIONS_PRIVACY = _(
    "Counts only: commendations by the month received and the district. No names, contact "
    "details, narratives or officers. Months and districts without a commendation are left "
    "out (their count is zero)."
)

COMMENDATION_FIELDS: tuple[DatasetField, ...] = (
    DatasetField("month_received", "yearmonth", _("Month received (YYYY-MM).")),
    DatasetField("district", "string", _("District code; empty when not known.")),
    DatasetField("commendations", "integer", _("Commendations received.")),
)


def commendation_rows() -> list[dict[str, Any]]:
    counts: Counter[tuple[str, str]] = Counter()
    for received_at, district in Complaint.objects.filter(
        kind=Complaint.Kind.COMMENDATION
    ).values_list("received_at", "district__code"):
        counts[(_local_date(received_at).strftime("%Y-%m"), district or "")] += 1
    return [
        {"month_received": month, "district": district, "commendations": n}
        for (month, district), n in sorted(counts.items())
    ]


# --- statistics -----------------------------------------------------------------------------

WINDOW_MONTHS = 12


def _window(as_of: dt.date) -> tuple[dt.datetime, dt.datetime, list[dt.date]]:
    """The 12 full calendar months before ``as_of``'s month, as aware datetimes."""
    months = analysis.previous_months(as_of, WINDOW_MONTHS)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(months[0], dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(analysis.month_start(as_of), dt.time.min, tzinfo=tz)
    return start, end, months


def _complaints() -> Any:
    return Complaint.objects.filter(kind=Complaint.Kind.COMPLAINT)


RECEIVED_METHOD = _(
    "Complaints (not commendations) counted by the calendar month in which they were "
    "received (local time), for the 12 full months before the current month. Every channel "
    "counts: web, phone, mail, in person, email and imported records."
)
RECEIVED_DENOMINATOR = _("None: these are counts, not rates.")
RECEIVED_UNCERTAINTY = _(
    "Exact counts of every complaint on record, so no interval is given. A month's count "
    "can still rise later when a complaint received by mail is entered late."
)


def complaints_by_month(as_of: dt.date | None = None) -> StatisticResult:
    as_of = as_of or timezone.localdate()
    start, end, _months = _window(as_of)
    days = [
        _local_date(r)
        for r in _complaints()
        .filter(received_at__gte=start, received_at__lt=end)
        .values_list("received_at", flat=True)
    ]
    counts = analysis.monthly_counts(days, as_of, WINDOW_MONTHS)
    return StatisticResult(
        values=tuple(
            StatisticValue(label=month.strftime("%Y-%m"), value=float(n), denominator=None)
            for month, n in counts
        ),
        unit=_("complaints"),
        as_of=as_of,
    )


BY_DISTRICT_METHOD = _(
    "Complaints (not commendations) received in the 12 full months before the current month, "
    "counted by the district where the incident happened, and the same count per 1,000 "
    "residents of the district (residents: the sum of its beats' population figures). "
    "Complaints whose place is not known are counted under “District not known”."
)
BY_DISTRICT_DENOMINATOR = _("For the rate: the district's residents (given as N with each rate).")
BY_DISTRICT_UNCERTAINTY = _(
    "Counts are exact. Each rate has an exact 95% Poisson interval (Garwood 1936) that "
    "treats the year's count as one draw from a process with a steady rate, so it shows "
    "how far the rate could move by chance alone; small districts have wide intervals."
)


def complaints_by_district(as_of: dt.date | None = None) -> StatisticResult:
    from peelian.agency.models import Beat, District

    as_of = as_of or timezone.localdate()
    start, end, _months = _window(as_of)
    counts = Counter(
        _complaints()
        .filter(received_at__gte=start, received_at__lt=end)
        .values_list("district__code", flat=True)
    )
    residents: Counter[str] = Counter()
    for code, population in Beat.objects.values_list("district__code", "population"):
        residents[code] += int(population or 0)
    values: list[StatisticValue] = []
    for district in District.objects.order_by("code"):
        n = counts.get(district.code, 0)
        label = f"{district.code} {district.name}"
        values.append(
            StatisticValue(
                label=_lazy_interpolate(_("%(district)s: complaints"), district=label),
                value=float(n),
                denominator=None,
            )
        )
        population = residents.get(district.code, 0)
        if population > 0:
            low, high = analysis.poisson_interval(n, 0.95)
            per = 1000 / population
            values.append(
                StatisticValue(
                    label=_lazy_interpolate(
                        _("%(district)s: complaints per 1,000 residents"), district=label
                    ),
                    value=round(n * per, 3),
                    denominator=population,
                    interval=(round(low * per, 3), round(high * per, 3)),
                )
            )
        else:
            values.append(
                StatisticValue(
                    label=_lazy_interpolate(
                        _("%(district)s: complaints per 1,000 residents"), district=label
                    ),
                    value=None,
                    denominator=0,
                    insufficient_data=_("No residents are recorded for this district."),
                )
            )
    unknown = counts.get(None, 0)
    if unknown:
        values.append(
            StatisticValue(label=_("District not known"), value=float(unknown), denominator=None)
        )
    return StatisticResult(
        values=tuple(values),
        unit=_("complaints; complaints per 1,000 residents"),
        as_of=as_of,
        confidence=0.95,
    )


FINDING_ORDER = [code for code, _label in Finding.choices]
FINDING_LABELS = dict(Finding.choices)

FINDINGS_METHOD = _(
    "Every allegation of a complaint whose findings have been issued (status findings or "
    "later), on record at any time. The finding used is the agency's final finding when it "
    "has decided, otherwise the investigation's issued finding. Each finding's share is its "
    "count divided by all those allegations."
)
FINDINGS_DENOMINATOR = _("Allegations with an issued or final finding (N given).")
FINDINGS_UNCERTAINTY = _(
    "Each share has a 95% Wilson score interval, treating allegations as independent draws "
    "from the agency's handling of complaints; allegations of one complaint are related, so "
    "the true uncertainty is somewhat larger."
)


def finding_rates(as_of: dt.date | None = None) -> StatisticResult:
    as_of = as_of or timezone.localdate()
    rows = Allegation.objects.filter(
        complaint__kind=Complaint.Kind.COMPLAINT, complaint__status__in=FINDINGS_PUBLIC
    ).values_list("finding", "final_finding")
    findings = [final or issued for issued, final in rows]
    rates = analysis.finding_rates(findings, FINDING_ORDER, 0.95)
    n = rates[0].n if rates else 0
    if n == 0:
        values: tuple[StatisticValue, ...] = (
            StatisticValue(
                label=_("Sustained"),
                value=None,
                denominator=0,
                insufficient_data=_("No findings have been issued yet."),
            ),
        )
    else:
        values = tuple(
            StatisticValue(
                label=FINDING_LABELS[r.label],
                value=round(r.share, 4) if r.share is not None else None,
                denominator=r.n,
                interval=(round(r.interval[0], 4), round(r.interval[1], 4)) if r.interval else None,
            )
            for r in rates
        )
    return StatisticResult(
        values=values, unit=_("share of allegations (0 to 1)"), as_of=as_of, confidence=0.95
    )


DAYS_METHOD = _(
    "Complaints (not commendations) closed in the 12 full months before the current month: "
    "for each, the calendar days from the day it was received to the day it was closed "
    "(local time). The published value is the median of those days."
)
DAYS_DENOMINATOR = _("Complaints closed in those 12 months (N given).")
DAYS_UNCERTAINTY = _(
    "A distribution-free 95% confidence interval for the median from order statistics (the "
    "binomial method: W. J. Conover, Practical Nonparametric Statistics, 1999, section 3.2): "
    "the k-th smallest and k-th largest durations, with k chosen so that the interval "
    "covers the median with at least 95% probability whatever the shape of the "
    "distribution. With fewer than 6 closed complaints no such interval exists and none is "
    "given."
)


def median_days_to_close(as_of: dt.date | None = None) -> StatisticResult:
    as_of = as_of or timezone.localdate()
    start, end, _months = _window(as_of)
    durations = [
        days_to_close(received, closed)
        for received, closed in _complaints()
        .filter(closed_at__gte=start, closed_at__lt=end)
        .values_list("received_at", "closed_at")
    ]
    estimate = analysis.median_with_interval([d for d in durations if d is not None], 0.95)
    if estimate.median is None:
        value = StatisticValue(
            label=_("Median days to close"),
            value=None,
            denominator=0,
            insufficient_data=_("No complaint was closed in the period."),
        )
    else:
        value = StatisticValue(
            label=_("Median days to close"),
            value=estimate.median,
            denominator=estimate.n,
            interval=(estimate.low, estimate.high) if estimate.low is not None else None,
            insufficient_data=None
            if estimate.low is not None
            else _("Too few closed complaints for a 95% interval (at least 6 are needed)."),
        )
    return StatisticResult(values=(value,), unit=_("days"), as_of=as_of, confidence=0.95)


AGREEMENT_METHOD = _(
    "Every recommendation the civilian review board made on an allegation and the agency "
    "has answered, on record at any time: the share the agency concurred with."
)
AGREEMENT_DENOMINATOR = _("Board recommendations the agency has answered (N given).")
AGREEMENT_UNCERTAINTY = _(
    "A 95% Wilson score interval, treating each answered recommendation as an independent "
    "draw; recommendations on one case are related, so the true uncertainty is somewhat "
    "larger."
)


def board_agreement(as_of: dt.date | None = None) -> StatisticResult:
    as_of = as_of or timezone.localdate()
    answers: Iterable[bool | None] = BoardRecommendation.objects.values_list(
        "agency_concurs", flat=True
    )
    rate = analysis.agreement_rate(answers, 0.95)
    if rate.n == 0:
        value = StatisticValue(
            label=_("Agency concurred with the board"),
            value=None,
            denominator=0,
            insufficient_data=_("The agency has not answered any board recommendation yet."),
        )
    else:
        assert rate.share is not None  # noqa: S101 - n > 0
        assert rate.interval is not None  # noqa: S101 - n > 0
        value = StatisticValue(
            label=_("Agency concurred with the board"),
            value=round(rate.share, 4),
            denominator=rate.n,
            interval=(round(rate.interval[0], 4), round(rate.interval[1], 4)),
        )
    return StatisticResult(
        values=(value,), unit=_("share of recommendations (0 to 1)"), as_of=as_of, confidence=0.95
    )
