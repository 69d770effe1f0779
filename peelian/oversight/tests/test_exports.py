"""The open data and statistics: nothing identifying or free text in any export, and every
statistic against numbers computed by hand from the fixture below."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest

from peelian.agency.tests.factories import BeatFactory, DistrictFactory, OfficerFactory
from peelian.core.registry import registry
from peelian.oversight import analysis, exports
from peelian.oversight.models import (
    Allegation,
    BoardRecommendation,
    BoardReview,
    Complaint,
)
from peelian.oversight.tests.factories import ComplainantFactory, ComplaintFactory, category

pytestmark = pytest.mark.django_db
TZ = zoneinfo.ZoneInfo("America/Chicago")
AS_OF = dt.date(2026, 6, 30)
NAMES = ["Rosalind Quenby", "Tomasz Wyrzykowski", "Ximena Ocampo", "Bartholomew Fenwick"]


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=TZ)


@pytest.fixture
def records():
    d1 = DistrictFactory(code="N1", name="Northpark")
    d2 = DistrictFactory(code="S2", name="Southgate", agency=d1.agency)
    BeatFactory(district=d1, population=1000)
    BeatFactory(district=d2, population=3000)
    officer = OfficerFactory(
        agency=d1.agency, first_name="Cornelius", last_name="Vandermeer", badge="7731"
    )
    made = {}

    def case(key, name, **fields):
        c = ComplaintFactory(
            narrative=f"Secret narrative {key}: he took my wallet at 4417 Larkspur Ave",
            location_text="4417 Larkspur Ave",
            **fields,
        )
        ComplainantFactory(
            complaint=c, name=name, email=f"{key}@mailbox.test", phone="316-555-0199"
        )
        made[key] = c
        return c

    def allegation(c, finding, final="", discipline=""):
        return Allegation.objects.create(
            complaint=c,
            officer=officer,
            category=category("courtesy"),
            summary="Summary free text ZEBRA",
            finding=finding,
            finding_reason="Reason free text QUOKKA",
            final_finding=final,
            discipline=discipline,
        )

    c1 = case(
        "c1",
        NAMES[0],
        status="closed",
        district=d1,
        received_at=at(2026, 1, 5),
        closed_at=at(2026, 2, 4),
    )
    a11 = allegation(c1, "sustained", "sustained", "counseling")
    a12 = allegation(c1, "unfounded", "unfounded", "none")
    c2 = case(
        "c2",
        NAMES[1],
        status="closed",
        district=d1,
        received_at=at(2026, 2, 10),
        closed_at=at(2026, 4, 21),
    )
    a21 = allegation(c2, "exonerated", "exonerated", "none")
    c3 = case("c3", NAMES[2], status="investigating", district=d2, received_at=at(2026, 3, 1))
    allegation(c3, "sustained")  # recorded, not issued: must stay private
    case("c4", NAMES[3], status="received", district=d2, received_at=at(2026, 5, 20))
    case(
        "c5",
        NAMES[0],
        kind=Complaint.Kind.COMMENDATION,
        status="received",
        district=d2,
        received_at=at(2026, 4, 3),
    )
    c6 = case(
        "c6",
        NAMES[1],
        status="closed",
        district=None,
        received_at=at(2025, 5, 15),
        closed_at=at(2025, 7, 14),
    )
    allegation(c6, "not_sustained", "not_sustained", "none")
    for c, recs in ((c1, [(a12, "sustained", False)]), (c2, [(a21, "exonerated", True)])):
        review = BoardReview.objects.create(
            complaint=c, reason="rule", status="answered", referred_at=c.received_at
        )
        for a, finding, concurs in recs:
            BoardRecommendation.objects.create(
                review=review,
                allegation=a,
                recommended_finding=finding,
                rationale="Rationale free text WOMBAT",
                agency_concurs=concurs,
                agency_reasons="Agency reasons free text NARWHAL",
            )
    made["a11"] = a11
    return made


def _csv(rows):
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def test_registrations():
    assert {"complaints", "commendations"} <= set(registry.datasets)
    assert {
        "complaints-by-month",
        "complaints-by-district",
        "complaint-finding-rates",
        "complaint-days-to-close",
        "board-agency-agreement",
    } <= set(registry.statistics)


def test_no_identity_free_text_or_exact_place_in_any_export(records):
    text = _csv(list(registry.datasets["complaints"].rows()))
    text += _csv(list(registry.datasets["commendations"].rows()))
    forbidden = [
        *NAMES,
        "mailbox.test",
        "555-0199",
        "Secret narrative",
        "Larkspur",
        "4417",
        "ZEBRA",
        "QUOKKA",
        "WOMBAT",
        "NARWHAL",
        "Cornelius",
        "Vandermeer",
        "7731",
        "2026-01-05",  # exact dates
    ]
    for needle in forbidden:
        assert needle not in text, needle
    for c in Complaint.objects.all():
        assert str(c.public_id) not in text
        assert c.public_id.hex[:12] not in text
        assert c.tracking_hash[:12] not in text


def test_complaint_rows(records):
    dataset = registry.datasets["complaints"]
    rows = list(dataset.rows())
    assert all(list(r) == [f.name for f in dataset.fields] for r in rows)
    assert len(rows) == 6  # c1 x2, c2, c3, c4 (no allegation yet), c6; no commendation
    c1 = [r for r in rows if r["complaint_id"] == exports.opaque_id(records["c1"].public_id)]
    assert [r["allegation_number"] for r in c1] == [1, 2]
    assert c1[0] == {
        "complaint_id": exports.opaque_id(records["c1"].public_id),
        "allegation_number": 1,
        "month_received": "2026-01",
        "district": "N1",
        "channel": "web",
        "status": "closed",
        "category": "courtesy",
        "finding": "sustained",
        "final_finding": "sustained",
        "discipline": "counseling",
        "days_to_close": 30,
        "board_reviewed": True,
        "board_recommended_finding": "",
        "agency_concurred": None,
    }
    assert (c1[1]["board_recommended_finding"], c1[1]["agency_concurred"]) == ("sustained", False)
    by_id = {r["complaint_id"]: r for r in rows}
    c3 = by_id[exports.opaque_id(records["c3"].public_id)]
    assert (c3["finding"], c3["final_finding"], c3["days_to_close"]) == ("", "", None)
    c4 = by_id[exports.opaque_id(records["c4"].public_id)]
    assert (c4["allegation_number"], c4["category"], c4["board_reviewed"]) == (None, "", False)
    c6 = by_id[exports.opaque_id(records["c6"].public_id)]
    assert (c6["district"], c6["days_to_close"]) == ("", 60)


def test_opaque_id_is_keyed(records, settings):
    public_id = records["c1"].public_id
    first = exports.opaque_id(public_id)
    assert len(first) == 12
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789abcdef"
    assert exports.opaque_id(public_id) != first


def test_commendation_rows(records):
    assert list(registry.datasets["commendations"].rows()) == [
        {"month_received": "2026-04", "district": "S2", "commendations": 1}
    ]


def test_complaints_by_month(records):
    result = exports.complaints_by_month(AS_OF)
    got = {str(v.label): v.value for v in result.values}
    assert list(got) == [f"{y}-{m:02d}" for y, m in [(2025, m) for m in range(6, 13)]] + [
        f"2026-{m:02d}" for m in range(1, 6)
    ]
    assert got == {
        k: (1.0 if k in {"2026-01", "2026-02", "2026-03", "2026-05"} else 0.0) for k in got
    }
    assert all(v.interval is None for v in result.values)


def test_complaints_by_district(records):
    values = {str(v.label): v for v in exports.complaints_by_district(AS_OF).values}
    assert values["N1 Northpark: complaints"].value == 2
    assert values["S2 Southgate: complaints"].value == 2
    rate = values["N1 Northpark: complaints per 1,000 residents"]
    # 2 complaints / 1,000 residents; Garwood interval for 2 is (0.2422, 7.2247).
    assert (rate.value, rate.denominator) == (2.0, 1000)
    assert rate.interval == pytest.approx((0.242, 7.225), abs=1e-3)
    south = values["S2 Southgate: complaints per 1,000 residents"]
    assert south.value == pytest.approx(2 / 3, abs=1e-3)
    assert "District not known" not in values  # c6 was received before the window


def test_finding_rates(records):
    values = {str(v.label): v for v in exports.finding_rates(AS_OF).values}
    # Issued or final findings: c1 sustained + unfounded, c2 exonerated, c6 not sustained.
    sustained = values["Sustained"]
    assert (sustained.value, sustained.denominator) == (0.25, 4)
    low, high = analysis.wilson_interval(1, 4)
    assert sustained.interval == (round(low, 4), round(high, 4))
    assert values["Unfounded"].value == 0.25
    assert values["Policy failure"].value == 0.0


def test_median_days_to_close(records):
    (value,) = exports.median_days_to_close(AS_OF).values
    # Closed in the window: 30 (c1), 70 (c2), 60 (c6) days.
    assert (value.value, value.denominator, value.interval) == (60.0, 3, None)
    assert value.insufficient_data


def test_board_agreement(records):
    (value,) = exports.board_agreement(AS_OF).values
    assert (value.value, value.denominator) == (0.5, 2)
    low, high = analysis.wilson_interval(1, 2)
    assert value.interval == (round(low, 4), round(high, 4))


def test_statistics_on_an_empty_database_say_so():
    assert exports.finding_rates(AS_OF).values[0].insufficient_data
    assert exports.median_days_to_close(AS_OF).values[0].insufficient_data
    assert exports.board_agreement(AS_OF).values[0].insufficient_data
    assert list(registry.datasets["complaints"].rows()) == []
