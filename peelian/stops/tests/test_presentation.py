"""The report's presentation: readable axes, reasons in the reader's language, the chart's
numbers with their intervals, and a CSV row for every published estimate."""

from __future__ import annotations

import pytest
from django.utils import translation
from statsmodels.stats.proportion import proportion_confint

from peelian.stops import charts, presentation


@pytest.mark.parametrize(
    ("top", "as_percent", "labels"),
    [
        (0.44, True, ["0%", "20%", "40%", "60%"]),
        (226.1, False, ["0", "100", "200", "300"]),
        (0.019, True, ["0.0%", "0.5%", "1.0%", "1.5%", "2.0%"]),
        (0.36, True, ["0%", "10%", "20%", "30%", "40%"]),
    ],
)
def test_axis_ticks_are_round_numbers(top: float, as_percent: bool, labels: list[str]) -> None:
    chart = charts.interval_chart(
        [charts.IntervalRow("a", top * 0.9, top * 0.8, top)], as_percent=as_percent
    )
    assert [t["label"] for t in chart["ticks"]] == labels
    assert chart["rows"][0]["x_hi"] <= chart["right"]


def test_known_reasons_are_translated_with_their_numbers() -> None:
    reason = "13 discretionary searches with a recorded result; at least 30 are needed"
    with translation.override("es"):
        text = presentation.reason_text(reason)
        unknown = presentation.reason_text("a reason no one has seen before")
    assert "13" in text
    assert "30" in text
    assert "searches" not in text
    assert "seen before" not in unknown  # never untranslated text on a Spanish page
    assert presentation.reason_text(None) is None


RESULTS = {
    "stop_rate": {
        "method": "m",
        "insufficient_data": None,
        "black": {"estimate": 0.2, "lower": 0.19, "upper": 0.21, "n_stops": 800},
        "white": {"estimate": 0.1, "lower": 0.09, "upper": 0.11, "n_stops": 500},
        "ratio_vs_white": {"black": {"estimate": 2.0, "lower": 1.8, "upper": 2.2}},
    },
    "veil_of_darkness": {
        "method": "m",
        "insufficient_data": None,
        "estimate": -0.4,
        "std_error": 0.1,
        "lower": -0.6,
        "upper": -0.2,
        "odds_ratio": 0.67,
        "odds_ratio_lower": 0.55,
        "odds_ratio_upper": 0.82,
        "n_stops": 2500,
        "chart": {
            "bins": [
                {"minutes_since_dusk": -30, "is_dark": False, "n_black": 12, "n_total": 20,
                 "share_black": 0.6},
                {"minutes_since_dusk": 10, "is_dark": True, "n_black": 8, "n_total": 20,
                 "share_black": 0.4},
            ]
        },
    },
}  # fmt: skip


def test_report_context_reads_the_results() -> None:
    with translation.override("en"):
        ctx = presentation.report_context(RESULTS)
    assert [r["race"] for r in ctx["stop_rate"]["rows"]] == ["black", "white"]
    assert ctx["stop_rate"]["rows"][0]["value"] == "200.0"  # per 1,000 residents
    # The veil-of-darkness reading follows the interval: wholly below 1 -> the bias pattern.
    assert "Fewer Black drivers were stopped when it was dark" in ctx["vod"]["reading"]
    # Each chart band has its Wilson interval (checked against statsmodels).
    lo, hi = proportion_confint(12, 20, method="wilson")
    assert ctx["vod"]["chart_rows"][0]["interval"] == f"{lo * 100:.1f}% to {hi * 100:.1f}%"


def test_every_estimate_has_a_csv_row() -> None:
    rows = presentation.flat_rows(RESULTS)
    assert ["stop_rate", "stops_per_resident_year", "black", 0.2, 0.19, 0.21, 800, ""] in rows
    assert any(r[0] == "veil_of_darkness" and r[3] == -0.4 for r in rows)


def test_public_download_withholds_small_area_counts() -> None:
    results = {
        "outcome_test": {
            "hit_rate": {"black": {"estimate": 0.3, "n_searches": 300, "n_hits": 90}},
            "by_district": [
                {"race": "black", "district": "A", "n_searches": 3, "n_hits": 1},
                {"race": "white", "district": "A", "n_searches": 40, "n_hits": 0},
            ],
        },
        "threshold_test": {
            "by_geography": [{"race": "black", "district": "A", "n_stops": 900, "n_hits": 4}]
        },
    }
    public = presentation.public_results(results)
    cell = public["outcome_test"]["by_district"][0]
    assert cell["n_searches"] is None
    assert cell["n_hits"] is None
    assert cell["suppressed"] == ["n_searches", "n_hits"]
    assert public["outcome_test"]["by_district"][1]["n_hits"] == 0  # zero reveals no one
    assert "suppressed" not in public["outcome_test"]["by_district"][1]
    assert public["threshold_test"]["by_geography"][0]["n_hits"] is None
    assert public["threshold_test"]["by_geography"][0]["n_stops"] == 900
    assert public["outcome_test"]["hit_rate"]["black"]["n_hits"] == 90  # city-wide: kept
    assert results["outcome_test"]["by_district"][0]["n_hits"] == 1  # the stored run is intact
