"""Stop-data open data: monthly counts by district and race.

One row per (month, district, race) with the number of stops and, among them, searches,
searches that found contraband, frisks, arrests and citations. Counts only: no stop-level
rows, no times, places, ages, sexes, officers or reasons. Small-cell rule, as for the other
open datasets: an outcome count from 1 to 4 is published empty (``suppressed`` says which),
so a rare event in a small group cannot point at a person; stop counts are always published.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from peelian.core.registry import DatasetField
from peelian.stops.models import Stop

SMALL_CELL_MAX = 4
OUTCOMES = {
    "searches": Q(search_conducted=True),
    "searches_with_contraband": Q(search_conducted=True, contraband_found=True),
    "frisks": Q(frisk_performed=True),
    "arrests": Q(arrest_made=True),
    "citations": Q(citation_issued=True),
}

FIELDS: tuple[DatasetField, ...] = (
    DatasetField("month", "string", _("Month of the stops (YYYY-MM).")),
    DatasetField("district", "string", _("District code as recorded; empty when not known.")),
    DatasetField(
        "subject_race",
        "string",
        _(
            "Race/ethnicity recorded by the officer (Stanford Open Policing codes); empty "
            "when not recorded."
        ),
    ),
    DatasetField("stops", "integer", _("Number of stops.")),
    DatasetField("searches", "integer", _("Stops with a search.")),
    DatasetField(
        "searches_with_contraband", "integer", _("Searches that found contraband (hits).")
    ),
    DatasetField("frisks", "integer", _("Stops with a frisk.")),
    DatasetField("arrests", "integer", _("Stops ending in an arrest.")),
    DatasetField("citations", "integer", _("Stops ending in a citation.")),
    DatasetField(
        "suppressed",
        "string",
        _("Columns left empty by the small-cell rule (1 to 4 events), separated by ';'."),
    ),
)

PRIVACY = _(
    "Counts only, by month, district and race: no stop-level records, times, places, ages, "
    "sexes, reasons or officers. An outcome count from 1 to 4 is left empty (the "
    "'suppressed' column names it), so a rare event in a small group cannot single a "
    "person out."
)


def stops_by_month_rows() -> Iterator[dict[str, Any]]:
    qs = (
        Stop.objects.annotate(month=TruncMonth("stop_date"))
        .values("month", "district", "subject_race")
        .annotate(stops=Count("id"), **{k: Count("id", filter=q) for k, q in OUTCOMES.items()})
        .order_by("month", "district", "subject_race")
    )
    for row in qs.iterator(chunk_size=5000):
        out: dict[str, Any] = {
            "month": row["month"].strftime("%Y-%m"),
            "district": row["district"],
            "subject_race": row["subject_race"],
            "stops": row["stops"],
        }
        hidden = []
        for name in OUTCOMES:
            n = row[name]
            if 1 <= n <= SMALL_CELL_MAX:
                out[name] = None
                hidden.append(name)
            else:
                out[name] = n
        out["suppressed"] = ";".join(hidden)
        yield out
