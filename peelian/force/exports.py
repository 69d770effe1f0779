"""Use-of-force open data and public statistics.

* dataset ``use-of-force``: one row per (incident, subject), coarsened (month, district and
  beat codes, 10-year age bands, "under 18" for every minor) with no names, narratives,
  injury descriptions, exact times or addresses; rare combinations suppressed (see
  ``PRIVACY``).
* statistics: incidents by month; subject injury rate with a Wilson 95% interval; share of
  incidents whose supervisor review is completed, with a Wilson 95% interval.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peelian.agency.analysis import wilson_interval
from peelian.core.registry import DatasetField, StatisticResult, StatisticValue
from peelian.force.models import REVIEW_DONE, ForceIncident, ForceSubject

SMALL_CELL_MAX = 4  # as the agency's suppression rule: groups of 1 to 4 people are hidden


def age_group(age: int | None) -> str:
    """``None`` -> "unknown"; under 18 -> "under 18" (nothing finer); then 10-year bands
    18-24, 25-34, ..., 65 and over."""
    if age is None:
        return "unknown"
    if age < 18:
        return "under 18"
    if age < 25:
        return "18-24"
    if age >= 65:
        return "65 and over"
    low = (age - 25) // 10 * 10 + 25
    return f"{low}-{low + 9}"


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


FIELDS: tuple[DatasetField, ...] = (
    DatasetField("incident", "string", _("A random key grouping the rows of one incident.")),
    DatasetField("month", "string", _("Month force was used (YYYY-MM).")),
    DatasetField("district", "string", _("District code; empty when not known.")),
    DatasetField("beat", "string", _("Beat code; empty when not known or suppressed.")),
    DatasetField("contact_reason", "string", _("Reason for the contact (coded).")),
    DatasetField("force_reason", "string", _("Reason for using force (coded).")),
    DatasetField("resistance", "string", _("Subject's highest resistance (coded).")),
    DatasetField(
        "force_types", "string", _("Types of force used in the incident, separated by ';'.")
    ),
    DatasetField("subject_race", "string", _("Race/ethnicity (Stanford Open Policing codes).")),
    DatasetField("subject_sex", "string", _("Sex: female, male or unknown.")),
    DatasetField(
        "subject_age_group",
        "string",
        _("Age band: under 18, 18-24, 25-34, ... 65 and over, or unknown."),
    ),
    DatasetField("subject_injured", "string", _("yes, no or unknown.")),
    DatasetField("subject_hospitalized", "string", _("yes, no or unknown.")),
    DatasetField("subject_armed", "string", _("Armed (coded).")),
    DatasetField(
        "review_status", "string", _("Supervisor review: pending, approved, returned, referred.")
    ),
    DatasetField("source", "string", _("Empty for the agency's own reports; else the import.")),
)

PRIVACY = _(
    "No names, badge numbers, narratives, injury descriptions, exact times or addresses: "
    "only the month, the district and beat codes and coded fields. A minor's age is given "
    "only as 'under 18'. The incident key is random, not the agency's report number. "
    "Small-cell rule: when fewer than 5 subjects in a district share a month, race, sex "
    "and age group, their beat is withheld and their age group is published as "
    "'suppressed', so a rare combination cannot single a person out."
)


def _subjects() -> Iterable[ForceSubject]:
    return (
        ForceSubject.objects.select_related("incident")
        .order_by("incident__occurred_at", "incident_id", "id")
        .iterator(chunk_size=2000)
    )


def use_of_force_rows() -> list[dict[str, Any]]:
    subjects = list(_subjects())
    tz = timezone.get_current_timezone()

    def month(s: ForceSubject) -> str:
        return s.incident.occurred_at.astimezone(tz).strftime("%Y-%m")

    def key(s: ForceSubject) -> tuple[str, ...]:
        return (month(s), s.incident.district_code, s.race, s.sex, age_group(s.age))

    counts = Counter(key(s) for s in subjects)
    rows = []
    for s in subjects:
        i = s.incident
        rare = counts[key(s)] <= SMALL_CELL_MAX
        rows.append(
            {
                "incident": str(i.public_id),
                "month": month(s),
                "district": i.district_code,
                "beat": "" if rare else i.beat_code,
                "contact_reason": i.contact_reason,
                "force_reason": i.force_reason,
                "resistance": i.resistance,
                "force_types": ";".join(i.force_types),
                "subject_race": s.race,
                "subject_sex": s.sex,
                "subject_age_group": "suppressed" if rare else age_group(s.age),
                "subject_injured": _yes_no(s.injured),
                "subject_hospitalized": _yes_no(s.hospitalized),
                "subject_armed": s.armed,
                "review_status": i.review_status,
                "source": i.source,
            }
        )
    return rows


# --- statistics -----------------------------------------------------------------------------

BY_MONTH_METHOD = _(
    "Every use-of-force incident on record, counted by the calendar month (local time) in "
    "which force was used. An incident with several officers or subjects counts once."
)
BY_MONTH_DENOMINATOR = _("None: these are counts of incidents, not rates.")
BY_MONTH_UNCERTAINTY = _(
    "Exact counts of the incidents on record, so no interval. They are only as complete "
    "as reporting: force that was never reported is not counted."
)


def incidents_by_month() -> StatisticResult:
    tz = timezone.get_current_timezone()
    counts = Counter(
        at.astimezone(tz).strftime("%Y-%m")
        for at in ForceIncident.objects.values_list("occurred_at", flat=True)
    )
    values = tuple(
        StatisticValue(label=m, value=float(n), denominator=None) for m, n in sorted(counts.items())
    )
    if not values:
        values = (
            StatisticValue(
                label=_("Incidents"),
                value=None,
                denominator=0,
                insufficient_data=_("No use-of-force incidents are on record."),
            ),
        )
    return StatisticResult(values=values, unit=_("incidents"), as_of=timezone.localdate())


INJURY_METHOD = _(
    "Subjects recorded as injured divided by subjects whose injury status is recorded "
    "(yes or no), over all incidents on record. A person force was used on in two "
    "incidents counts twice."
)
INJURY_DENOMINATOR = _(
    "Subjects of force whose injury status is known; subjects with an unknown status are "
    "left out, and their number is given."
)
INJURY_UNCERTAINTY = _(
    "A 95% Wilson score interval for a binomial proportion, treating the subjects as a "
    "sample of the agency's uses of force; subjects in one incident are not independent, "
    "so the interval is somewhat too narrow."
)


def injury_rate() -> StatisticResult:
    flags = list(ForceSubject.objects.values_list("injured", flat=True))
    known = [f for f in flags if f is not None]
    n, injured = len(known), sum(1 for f in known if f)
    unknown = len(flags) - n
    if n == 0:
        value = StatisticValue(
            label=_("Subjects injured"),
            value=None,
            denominator=0,
            insufficient_data=_("No subject has a recorded injury status."),
        )
    else:
        low, high = wilson_interval(injured, n, 0.95)
        value = StatisticValue(
            label=_("Subjects injured"),
            value=round(injured / n, 4),
            denominator=n,
            interval=(round(low, 4), round(high, 4)),
        )
    unknown_value = StatisticValue(
        label=_("Subjects with unknown injury status (left out)"),
        value=float(unknown),
        denominator=len(flags),
    )
    return StatisticResult(
        values=(value, unknown_value),
        unit=_("share of subjects (0 to 1); count"),
        as_of=timezone.localdate(),
        confidence=0.95,
    )


REVIEW_METHOD = _(
    "Incidents whose supervisor review is completed (approved, or referred for "
    "investigation) divided by all incidents on record. A report returned for correction "
    "or still pending is not completed."
)
REVIEW_DENOMINATOR = _("Every use-of-force incident on record.")
REVIEW_UNCERTAINTY = _(
    "A 95% Wilson score interval, treating the share as a rate of a review process; the "
    "count itself is exact."
)


def review_completion() -> StatisticResult:
    statuses = list(ForceIncident.objects.values_list("review_status", flat=True))
    n = len(statuses)
    done = sum(1 for s in statuses if s in REVIEW_DONE)
    if n == 0:
        value = StatisticValue(
            label=_("Incidents with review completed"),
            value=None,
            denominator=0,
            insufficient_data=_("No use-of-force incidents are on record."),
        )
    else:
        low, high = wilson_interval(done, n, 0.95)
        value = StatisticValue(
            label=_("Incidents with review completed"),
            value=round(done / n, 4),
            denominator=n,
            interval=(round(low, 4), round(high, 4)),
        )
    return StatisticResult(
        values=(value,),
        unit=_("share of incidents (0 to 1)"),
        as_of=timezone.localdate(),
        confidence=0.95,
    )


def counts_by_month_and_district() -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
    """For the public page: months, district codes and incident counts per (month,
    district). Counts of incidents (not people) are published in full."""
    tz = timezone.get_current_timezone()
    counts: Counter[tuple[str, str]] = Counter()
    for at, district in ForceIncident.objects.values_list("occurred_at", "district_code"):
        counts[(at.astimezone(tz).strftime("%Y-%m"), district or "")] += 1
    months = sorted({m for m, _d in counts})
    districts = sorted({d for _m, d in counts})
    return months, districts, dict(counts)
