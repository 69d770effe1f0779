"""The outcome (hit-rate) test (``analysis/outcome.py``)."""

from __future__ import annotations

import gzip
import json
import math

import ibis
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from peelian.stops.analysis import frame, outcome
from peelian.stops.analysis.options import AnalysisOptions
from peelian.stops.tests.realdata import real_file

OPTIONS = AnalysisOptions()


def _table(rows: list[dict[str, object]]) -> ibis.Table:
    raw = ibis.memtable(pd.DataFrame(rows).astype(str).replace({"None": None}))
    return frame.normalize(raw)


def _rows(race: str, district: str, searches: int, hits: int, **extra: object) -> list[dict]:
    out = []
    for i in range(searches):
        out.append(
            {
                "date": "2020-01-01",
                "subject_race": race,
                "district": district,
                "search_conducted": "TRUE",
                "contraband_found": "TRUE" if i < hits else "FALSE",
                "search_basis": extra.get("basis", "probable cause"),
            }
        )
    return out


def test_hit_rates_and_wilson_match_statsmodels() -> None:
    rows = (
        _rows("black", "A", 60, 12)
        + _rows("black", "B", 40, 14)
        + _rows("white", "A", 50, 20)
        + _rows("white", "B", 70, 21)
        + _rows("hispanic", "A", 10, 2)  # too few searches
    )
    # Stops without a search: never in the denominator.
    rows += [
        {
            "date": "2020-01-01",
            "subject_race": "black",
            "district": "A",
            "search_conducted": "FALSE",
            "contraband_found": None,
            "search_basis": None,
        }
    ] * 25
    res = outcome.analyze(_table(rows), OPTIONS)
    assert res["insufficient_data"] is None
    black = res["hit_rate"]["black"]
    # Hand count: (12 + 14) / (60 + 40).
    assert black["n_searches"] == 100
    assert black["n_hits"] == 26
    assert black["estimate"] == pytest.approx(0.26)
    low, high = proportion_confint(26, 100, alpha=0.05, method="wilson")
    assert (black["lower"], black["upper"]) == pytest.approx((low, high), abs=1e-9)
    white = res["hit_rate"]["white"]
    assert white["estimate"] == pytest.approx(41 / 120)
    hisp = res["hit_rate"]["hispanic"]
    assert hisp["estimate"] is None
    assert hisp["lower"] is None
    assert "at least 30" in hisp["insufficient_data"]
    assert "hispanic" not in res["difference_vs_white"]
    diff = res["difference_vs_white"]["black"]
    assert diff["estimate"] == pytest.approx(0.26 - 41 / 120)
    # Newcombe's hybrid interval by hand from the two statsmodels Wilson intervals.
    wl, wh = proportion_confint(41, 120, alpha=0.05, method="wilson")
    p1, p2 = 0.26, 41 / 120
    assert diff["lower"] == pytest.approx(p1 - p2 - math.hypot(p1 - low, wh - p2))
    assert diff["upper"] == pytest.approx(p1 - p2 + math.hypot(high - p1, p2 - wl))
    cells = {(c["race"], c["district"]): c for c in res["by_district"]}
    assert cells[("black", "B")]["estimate"] == pytest.approx(14 / 40)
    assert cells[("hispanic", "A")]["estimate"] is None
    json.dumps(res, allow_nan=False)


def test_non_discretionary_and_unknown_contraband_are_counted_not_used() -> None:
    rows = _rows("white", "A", 40, 10) + _rows("white", "A", 15, 15, basis="other")
    rows += [
        {
            "date": "2020-01-01",
            "subject_race": "white",
            "district": "A",
            "search_conducted": "TRUE",
            "contraband_found": None,
            "search_basis": "consent",
        }
    ] * 7
    # A basis outside OPP's list is kept (like a missing basis) and reported.
    rows += _rows("white", "B", 5, 0, basis="odor")
    res = outcome.analyze(_table(rows), OPTIONS)
    white = res["hit_rate"]["white"]
    assert white["n_searches"] == 45
    assert white["n_hits"] == 10
    counts = res["counts"]
    assert counts["searches_total"] == 67
    assert counts["non_discretionary_excluded"] == 15
    assert counts["unknown_contraband"] == 7
    assert counts["unrecognized_search_basis"] == 5


def test_predicate_rule_no_search_means_contraband_missing() -> None:
    # contraband_found TRUE on a stop without a search is not a hit, nor a search.
    rows = _rows("black", "A", 30, 3)
    rows += [
        {
            "date": "2020-01-01",
            "subject_race": "black",
            "district": "A",
            "search_conducted": "FALSE",
            "contraband_found": "TRUE",
            "search_basis": None,
        }
    ] * 10
    t = _table(rows)
    no_search = t.filter(~t.search_conducted).contraband_found.isnull().all().execute()
    assert bool(no_search)
    res = outcome.analyze(t, OPTIONS)
    assert res["hit_rate"]["black"]["n_hits"] == 3
    assert res["hit_rate"]["black"]["n_searches"] == 30


def test_insufficient_data() -> None:
    res = outcome.analyze(_table(_rows("black", "A", 5, 1)), OPTIONS)
    assert res["insufficient_data"]
    assert res["hit_rate"]["black"]["estimate"] is None
    no_search = [
        {
            "date": "2020-01-01",
            "subject_race": "white",
            "district": "A",
            "search_conducted": "FALSE",
            "contraband_found": None,
            "search_basis": None,
        }
    ] * 50
    res = outcome.analyze(_table(no_search), OPTIONS)
    assert res["insufficient_data"] == "no searches recorded"
    assert "hit_rate" in res
    assert res["hit_rate"] == {}
    raw = ibis.memtable(pd.DataFrame({"date": ["2020-01-01"], "subject_race": ["white"]}))
    res = outcome.analyze(raw, OPTIONS)  # not normalized: columns absent
    assert "columns missing" in res["insufficient_data"]


def test_hartford_real_file(tmp_path: object) -> None:
    path = real_file("opp_hartford", "ct_hartford_2019_02_25.csv.gz")
    t = frame.normalize(frame.open_file(path))
    res = outcome.analyze(t, OPTIONS)
    # Independent count straight from the CSV with pandas (no Ibis).
    with gzip.open(path, "rt") as fh:
        raw = pd.read_csv(fh, dtype=str)
    searched = raw[raw["search_conducted"].str.upper() == "TRUE"]
    disc = searched[searched["search_basis"].fillna("").str.lower() != "other"]
    known = disc[disc["contraband_found"].notna()]
    for race in ("black", "white", "hispanic"):
        sub = known[known["subject_race"] == race]
        hits = int((sub["contraband_found"].str.upper() == "TRUE").sum())
        assert res["hit_rate"][race]["n_searches"] == len(sub)
        assert res["hit_rate"][race]["n_hits"] == hits
    assert res["counts"]["searches_total"] == len(searched)
