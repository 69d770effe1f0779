"""The agency's open data and public statistic.

* ``districts-and-beats``: one row per beat with resident figures and area (and GeoJSON).
* ``officer-workforce``: active officers by race, sex and rank group, small cells suppressed.
* ``workforce-representation``: officers' and residents' shares by race, and their ratio.

Nothing here carries a person: the beat rows are census-like aggregates, the workforce rows
are counts with cells of 1 to 4 suppressed.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

from peelian.agency.analysis import representation, suppress_small_cells
from peelian.agency.geo import area_km2
from peelian.agency.models import RACE_CHOICES, RACES, SEX_CHOICES, Beat, Officer
from peelian.core.registry import DatasetField, StatisticResult, StatisticValue

# --- districts and beats --------------------------------------------------------------------


def race_field(race: str) -> str:
    """``asian/pacific islander`` -> ``population_asian_pacific_islander``."""
    return "population_" + re.sub(r"[^a-z0-9]+", "_", race.lower()).strip("_")


RACE_LABELS = dict(RACE_CHOICES)


def _interpolate(message: Any, **values: Any) -> str:
    return str(message) % {k: str(v) for k, v in values.items()}


# Interpolated when read, so the text follows the reader's language.
_lazy_interpolate = lazy(_interpolate, str)

BEAT_FIELDS: tuple[DatasetField, ...] = (
    DatasetField("district_code", "string", _("The district's code.")),
    DatasetField("district_name", "string", _("The district's name.")),
    DatasetField("beat_code", "string", _("The beat's code, unique within its district.")),
    DatasetField("beat_name", "string", _("The beat's name.")),
    DatasetField("population", "integer", _("Residents of the beat.")),
    *(
        DatasetField(
            race_field(race),
            "integer",
            _lazy_interpolate(
                _("Residents of the beat in the race/ethnicity category “%(label)s”."),
                label=RACE_LABELS[race],
            ),
        )
        for race in RACES
    ),
    DatasetField(
        "median_household_income",
        "integer",
        _("Median household income in US dollars; empty when not known."),
    ),
    DatasetField(
        "spanish_speaking_share",
        "number",
        _("Share (0 to 1) of households speaking Spanish at home; empty when not known."),
    ),
    DatasetField(
        "area_km2",
        "number",
        _(
            "Land and water area inside the beat boundary, in square kilometres: the "
            "boundary projected with a spherical Lambert azimuthal equal-area projection "
            "centred on the beat (WGS 84 authalic radius, 6371.0072 km), to 0.001 km²."
        ),
    ),
)


def _beat_row(beat: Beat) -> dict[str, Any]:
    by_race = beat.population_by_race or {}
    row: dict[str, Any] = {
        "district_code": beat.district.code,
        "district_name": beat.district.name,
        "beat_code": beat.code,
        "beat_name": beat.name,
        "population": beat.population,
    }
    for race in RACES:
        row[race_field(race)] = int(by_race.get(race, 0))
    row["median_household_income"] = beat.median_household_income
    row["spanish_speaking_share"] = beat.spanish_speaking_share
    row["area_km2"] = round(area_km2(shape(beat.boundary)), 3)
    return row


def _beats() -> Any:
    return Beat.objects.select_related("district").order_by("district__code", "code")


def districts_and_beats_rows() -> list[dict[str, Any]]:
    return [_beat_row(beat) for beat in _beats()]


def districts_and_beats_geojson() -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946, WGS 84) of beat polygons; each feature's
    properties are the beat's row of the dataset."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f"{beat.district.code}-{beat.code}",
                "geometry": beat.boundary,
                "properties": _beat_row(beat),
            }
            for beat in _beats()
        ],
    }


# --- officer workforce ----------------------------------------------------------------------

RANK_GROUPS: dict[str, tuple[str, ...]] = {
    "officer": (Officer.Rank.OFFICER, Officer.Rank.DETECTIVE),
    "supervisor": (Officer.Rank.SERGEANT, Officer.Rank.LIEUTENANT),
    "command": (
        Officer.Rank.CAPTAIN,
        Officer.Rank.COMMANDER,
        Officer.Rank.DEPUTY_CHIEF,
        Officer.Rank.CHIEF,
    ),
}
RANK_GROUP_OF = {rank: group for group, ranks in RANK_GROUPS.items() for rank in ranks}
SEXES = [code for code, _label in SEX_CHOICES]

WORKFORCE_PRIVACY = _(
    "Counts only, of officers whose status is active. Small-cell suppression: a cell counting "
    "1 to 4 officers is published empty with suppressed = true, because so few people in a "
    "race, sex and rank group can be identified. Within each race, when only one cell would "
    "be suppressed, the smallest other non-zero cell is suppressed too (or, if all others "
    "are zero, all of them), so that the per-race totals in the workforce-representation "
    "statistic cannot recover a hidden count by subtraction. Zero counts are published."
)

WORKFORCE_FIELDS: tuple[DatasetField, ...] = (
    DatasetField("race", "string", _("Race/ethnicity category (Stanford Open Policing).")),
    DatasetField("sex", "string", _("Sex: female, male or unknown.")),
    DatasetField(
        "rank_group",
        "string",
        _(
            "officer (police officer, detective), supervisor (sergeant, lieutenant) or "
            "command (captain, commander, deputy chief, chief)."
        ),
    ),
    DatasetField("officers", "integer", _("Active officers in the cell; empty when suppressed.")),
    DatasetField("suppressed", "boolean", _("True when the count is withheld (small-cell rule).")),
)


def workforce_counts() -> dict[tuple[str, str, str], int]:
    """Active officers by (race, sex, rank group), every combination present (zeros too)."""
    counts: Counter[tuple[str, str, str]] = Counter()
    rows = Officer.objects.filter(status=Officer.Status.ACTIVE).values_list("race", "sex", "rank")
    for race, sex, rank in rows:
        counts[(race, sex, RANK_GROUP_OF[rank])] += 1
    return {
        (race, sex, group): counts[(race, sex, group)]
        for race in RACES
        for sex in SEXES
        for group in RANK_GROUPS
    }


def officer_workforce_rows() -> list[dict[str, Any]]:
    cells = suppress_small_cells(workforce_counts(), group_by=0)
    return [
        {
            "race": cell.key[0],
            "sex": cell.key[1],
            "rank_group": cell.key[2],
            "officers": cell.count,
            "suppressed": cell.suppressed,
        }
        for cell in cells
    ]


# --- workforce representation ---------------------------------------------------------------

REPRESENTATION_METHOD = _(
    "For each race/ethnicity category: the share of active officers in the category (officers "
    "in it ÷ all active officers) and the share of residents in it (residents in it ÷ all "
    "residents, summing every beat's population by race). The representation ratio is the "
    "officer share divided by the resident share: 1 means officers mirror residents, below 1 "
    "means the category is under-represented among officers."
)
REPRESENTATION_DENOMINATOR = _(
    "Officers: every officer whose status is active on the date shown (N given with each "
    "officer share). Residents: the sum of the beats' resident counts by race (N given with "
    "each resident share)."
)
REPRESENTATION_UNCERTAINTY = _(
    "The officer and resident shares are full counts of the current workforce and of the "
    "beat population figures, so they have no sampling error and no interval. The "
    "representation ratio is given with a 95% interval that treats the workforce as a draw "
    "from a hiring process: the Wilson score interval for the officer share (officers in "
    "the category out of N officers), divided by the resident share, which is taken as "
    "known. It shows how far the ratio could move by chance alone in a workforce of this "
    "size."
)


def workforce_representation() -> StatisticResult:
    as_of = timezone.localdate()
    officers = Counter(
        Officer.objects.filter(status=Officer.Status.ACTIVE).values_list("race", flat=True)
    )
    residents: Counter[str] = Counter()
    for by_race in Beat.objects.values_list("population_by_race", flat=True):
        for race, count in (by_race or {}).items():
            residents[race] += int(count)
    groups = [r for r in RACES if officers.get(r, 0) or residents.get(r, 0)]
    result = representation(officers, residents, groups, confidence=0.95)
    if result is None:
        missing = (
            _("There are no active officers on record.")
            if not sum(officers.values())
            else _("There are no resident figures for the beats.")
        )
        return StatisticResult(
            values=(
                StatisticValue(
                    label=_("Representation ratio"),
                    value=None,
                    denominator=0,
                    insufficient_data=missing,
                ),
            ),
            unit=_("share (0 to 1); ratio of shares"),
            as_of=as_of,
            confidence=0.95,
        )
    values: list[StatisticValue] = []
    for g in result.groups:
        label = RACE_LABELS.get(g.group, g.group)
        values.append(
            StatisticValue(
                label=_lazy_interpolate(_("%(race)s: share of officers"), race=label),
                value=round(g.officer_share, 4),
                denominator=result.officers_total,
            )
        )
        values.append(
            StatisticValue(
                label=_lazy_interpolate(_("%(race)s: share of residents"), race=label),
                value=round(g.resident_share, 4),
                denominator=result.residents_total,
            )
        )
        values.append(
            StatisticValue(
                label=_lazy_interpolate(_("%(race)s: representation ratio"), race=label),
                value=round(g.ratio, 3) if g.ratio is not None else None,
                denominator=result.officers_total,
                interval=(
                    (round(g.ratio_interval[0], 3), round(g.ratio_interval[1], 3))
                    if g.ratio_interval is not None
                    else None
                ),
                insufficient_data=(
                    _("No residents are counted in this category.") if g.ratio is None else None
                ),
            )
        )
    return StatisticResult(
        values=tuple(values),
        unit=_("share (0 to 1); ratio of shares"),
        as_of=as_of,
        confidence=0.95,
    )
