"""Stop rates, rates among stops, their intervals and the census benchmarks (analysis/rates.py,
analysis/census.py)."""

from __future__ import annotations

import csv
import math

import ibis
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson, confint_poisson_2indep

from peelian.stops.analysis import census, frame, rates
from peelian.stops.analysis.options import AnalysisOptions
from peelian.stops.analysis.schema import RACES
from peelian.stops.tests.realdata import real_file

# --- Interval arithmetic against statsmodels' independent implementations -------------------


@pytest.mark.parametrize(("x", "n"), [(0, 40), (3, 40), (57, 1000), (999, 1000), (40, 40)])
def test_wilson_matches_statsmodels(x, n):
    est, low, high = rates.wilson(x, n)
    ref_low, ref_high = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert est == pytest.approx(x / n)
    assert low == pytest.approx(ref_low, abs=1e-12)
    assert high == pytest.approx(ref_high, abs=1e-12)


@pytest.mark.parametrize("k", [0, 1, 7, 250, 12_345])
def test_garwood_matches_statsmodels_exact_poisson(k):
    low, high = rates.garwood(k)
    ref_low, ref_high = confint_poisson(k, 1.0, method="exact-c", alpha=0.05)
    assert low == pytest.approx(ref_low, abs=1e-9)
    assert high == pytest.approx(ref_high, rel=1e-9)


def test_risk_ratio_matches_statsmodels_katz_interval():
    x1, n1, x2, n2 = 120, 2000, 90, 3000
    ours = rates.risk_ratio(x1, n1, x2, n2)
    table = Table2x2(np.array([[x1, n1 - x1], [x2, n2 - x2]]))
    low, high = table.riskratio_confint(alpha=0.05)
    assert ours["estimate"] == pytest.approx(table.riskratio)
    assert ours["lower"] == pytest.approx(low)
    assert ours["upper"] == pytest.approx(high)


def test_rate_ratio_matches_statsmodels_wald_log():
    ours = rates.rate_ratio(300, 5_000.0, 400, 20_000.0)
    low, high = confint_poisson_2indep(
        300, 5_000.0, 400, 20_000.0, method="wald-log", compare="ratio"
    )
    assert ours["estimate"] == pytest.approx(3.0)
    assert ours["lower"] == pytest.approx(low)
    assert ours["upper"] == pytest.approx(high)


def _cells(rows: dict[str, dict[str, int]]) -> pd.DataFrame:
    records = []
    for race, v in rows.items():
        rec = {"race": race, "n_stops": v["n_stops"]}
        for name in rates.RATE_FIELDS:
            rec[f"{name}_recorded"] = v.get(f"{name}_recorded", 0)
            rec[f"{name}_true"] = v.get(f"{name}_true", 0)
        records.append(rec)
    return pd.DataFrame(records)


def test_planted_rates_intervals_cover_at_the_nominal_rate():
    """200 replicates with known per-capita stop rates and search probabilities.

    Coverage of a 95% interval over 200 replicates has binomial sd sqrt(.95*.05/200) = 1.5
    points; we require >= 90% (more than 3 sd below nominal would fail).
    """
    rng = np.random.default_rng(20240601)
    pop = {"white": 50_000.0, "black": 20_000.0}
    true_rate = {"white": 0.10, "black": 0.25}  # stops per resident per year
    true_search = {"white": 0.02, "black": 0.05}
    years = 2.0
    hits = {"stop": 0, "search": 0, "stop_ratio": 0, "search_ratio": 0}
    reps = 200
    for _ in range(reps):
        rows = {}
        for race in pop:
            n = int(rng.poisson(true_rate[race] * pop[race] * years))
            s = int(rng.binomial(n, true_search[race]))
            rows[race] = {"n_stops": n, "search_recorded": n, "search_true": s}
        cells = _cells(rows)
        sr = rates.fit_stop_rate(cells, pop, years)
        rr = rates.fit_rates(cells)
        b = sr["black"]
        hits["stop"] += b["lower"] <= true_rate["black"] <= b["upper"]
        ratio = sr["ratio_vs_white"]["black"]
        hits["stop_ratio"] += ratio["lower"] <= 2.5 <= ratio["upper"]
        s = rr["search"]["by_race"]["black"]
        hits["search"] += s["lower"] <= true_search["black"] <= s["upper"]
        sratio = rr["search"]["ratio_vs_white"]["black"]
        hits["search_ratio"] += sratio["lower"] <= 2.5 <= sratio["upper"]
    for name, count in hits.items():
        assert count / reps >= 0.90, (name, count)


def test_insufficient_data_rules_give_reasons_and_no_numbers():
    cells = _cells(
        {
            "white": {"n_stops": 500, "search_recorded": 500, "search_true": 10},
            "black": {"n_stops": 5, "search_recorded": 5, "search_true": 1},
            "hispanic": {"n_stops": 200, "search_recorded": 200, "search_true": 0},
        }
    )
    sr = rates.fit_stop_rate(cells, None, 1.0)
    assert sr["insufficient_data"].startswith("no population benchmark")
    assert not any(race in sr for race in ("white", "black", "hispanic"))
    sr = rates.fit_stop_rate(cells, {"white": 1000, "black": 1000, "hispanic": 0}, 1.0)
    assert "estimate" in sr["white"]
    assert "estimate" not in sr["black"]  # 5 stops < MIN_STOPS
    assert sr["hispanic"]["insufficient_data"] == "benchmark population is zero"
    assert "estimate" not in sr["ratio_vs_white"]["black"]
    rr = rates.fit_rates(cells)
    assert "estimate" not in rr["search"]["by_race"]["black"]  # 5 < MIN_DENOMINATOR
    assert rr["search"]["by_race"]["hispanic"]["estimate"] == 0.0
    assert rr["search"]["ratio_vs_white"]["hispanic"] == {
        "insufficient_data": "zero events in a group"
    }
    assert rr["frisk"]["insufficient_data"] == "frisk_performed is not recorded"
    assert rates.fit_stop_rate(cells, {"white": 10.0}, None)["insufficient_data"]


def test_analyze_on_an_ibis_table_counts_denominators_where_recorded():
    df = pd.DataFrame(
        {
            "date": ["2020-01-01"] * 40 + ["2020-12-31"] * 40 + ["2020-06-01"],
            "subject_race": ["white"] * 40 + ["black"] * 40 + ["martian"],
            # 10 white stops have no search recorded: they leave the denominator
            "search_conducted": ["TRUE"] * 6
            + ["FALSE"] * 24
            + [""] * 10
            + ["TRUE"] * 8
            + ["FALSE"] * 32
            + ["TRUE"],
        }
    )
    t = frame.normalize(ibis.memtable(df))
    out = rates.analyze(t, AnalysisOptions(population={"white": 400.0, "black": 100.0}))
    sr = out["stop_rate"]
    assert sr["years"] == pytest.approx(366 / 365.25)  # 2020 is a leap year
    assert sr["white"]["estimate"] == pytest.approx(40 / (400 * 366 / 365.25))
    assert sr["n_race_missing"] == 1
    search = out["rates"]["search"]["by_race"]
    assert search["white"]["n_recorded"] == 30
    assert search["white"]["estimate"] == pytest.approx(6 / 30)
    assert search["black"]["estimate"] == pytest.approx(8 / 40)
    assert out["rates"]["search"]["ratio_vs_white"]["black"]["estimate"] == pytest.approx(1.0)


# --- Real data: Stanford's published county figures and the census benchmark files ---------


def _load_opp_2017():
    root = ("opp_aggregates_2017",)
    fig2 = pd.read_csv(real_file(*root, "fig2_stop_rate_county.csv"), dtype={"location": str})
    fig3 = pd.read_csv(real_file(*root, "fig3a_search_rate_county.csv"), dtype={"location": str})
    combined = pd.read_csv(real_file(*root, "combined_data.csv"))
    fips = pd.read_csv(real_file("opp_resources", "fips_county.csv"), dtype=str)
    fips["location"] = fips.STATEFP + fips.COUNTYFP
    fips["county"] = fips.COUNTYNAME.str.upper()
    for f in (fig2, fig3):
        f["race"] = f.driver_race.str.replace(" drivers", "", regex=False)
        f["county_state"] = f.location.map(fips.set_index("location").STATE)
        f["county"] = f.location.map(fips.set_index("location").county)
    published = combined.rename(columns={"location": "county", "state": "county_state"})
    published = published.rename(columns={"driver_race": "race"})
    return fig2, fig3, published


def test_stop_and_search_rate_arithmetic_reproduces_stanfords_county_figures():
    """fig2/fig3a give counts and denominators; combined_data gives Stanford's rates (3 dp)."""
    fig2, fig3, published = _load_opp_2017()
    keys = ["county_state", "county", "race"]
    compared = {"stop": 0, "search": 0}
    for (state, county), group in fig2.groupby(["county_state", "county"]):
        cells = pd.DataFrame({"race": group.race.str.lower(), "n_stops": group.n_stops})
        pop = dict(zip(group.race.str.lower(), group.county_population, strict=True))
        # fig2's n_stops are stops per year, so one year of exposure.
        fit = rates.fit_stop_rate(cells, pop, 1.0)
        for race, v in fit.items():
            if race not in RACES or "estimate" not in v:
                continue
            row = published.loc[
                (published.county_state == state)
                & (published.county == county)
                & (published.race == race.title())
            ]
            if len(row) == 1 and not pd.isna(row.stop_rate.iloc[0]):
                assert v["estimate"] == pytest.approx(row.stop_rate.iloc[0], abs=5e-4 + 1e-12)
                assert v["lower"] <= v["estimate"] <= v["upper"]
                compared["stop"] += 1
    merged = fig3.merge(published, on=keys)
    for _, row in merged.iterrows():
        n, x = int(row.n_stops), int(row.n_searches)
        cells = _cells({"white": {"n_stops": n, "search_recorded": n, "search_true": x}})
        fit = rates.fit_rates(cells)["search"]["by_race"]["white"]
        if "estimate" in fit and not pd.isna(row.search_rate):
            assert fit["estimate"] == pytest.approx(row.search_rate, abs=5e-4 + 1e-12)
            compared["search"] += 1
    # Most county x race rows join by name (a few county names differ between the files).
    assert compared["stop"] > 2000
    assert compared["search"] > 2000


def test_acs_county_benchmark_follows_opps_race_mapping():
    path = real_file("opp_resources", "acs_2017_5_year_county_level_race_data.csv")
    pop = census.acs_population(path, "Hartford County, CT")
    # Hand-read from the file's Hartford County row: total 897,417; non-Hispanic 742,440;
    # NH white 560,997; NH black 114,711; NH Asian 45,178; NH Pacific Islander 195;
    # Hispanic 154,977.
    assert pop == {
        "asian/pacific islander": 45_178 + 195,
        "black": 114_711,
        "hispanic": 154_977,
        "white": 560_997,
        "other": 742_440 - 560_997 - 114_711 - 45_178 - 195,
    }
    assert sum(pop.values()) == 897_417
    assert census.acs_population(path, "hartford county, connecticut") == pop
    with pytest.raises(census.BenchmarkError):
        census.acs_population(path, "Nowhere County, CT")
    state = census.acs_population(
        real_file("opp_resources", "acs_2017_5_year_state_level_race_data.csv"), "AL"
    )
    assert state["white"] == 3_198_079
    assert state["hispanic"] == 198_375


def test_minneapolis_benchmark_sums_neighbourhood_shares():
    path = real_file("mpls_stops_2017", "MplsDemo.csv")
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    white = sum(float(r["population"]) * float(r["white"]) for r in rows)
    pop = census.mpls_population(path)
    assert set(pop) == {"white", "black"}
    assert pop["white"] == pytest.approx(white)
    one = census.mpls_population(path, ["Cedar Riverside"])
    assert one["black"] == pytest.approx(8247 * 0.464)
    with pytest.raises(census.BenchmarkError):
        census.mpls_population(path, ["Atlantis"])


def test_plain_csv_benchmark_validates_rows(tmp_path):
    good = tmp_path / "pop.csv"
    good.write_text("race,population\nWhite,1000\nblack,250.5\nother/unknown,10\n")
    assert census.csv_population(good) == {"white": 1000.0, "black": 250.5, "other": 10.0}
    for body, message in [
        ("race,pop\nwhite,1\n", "header"),
        ("race,population\nmartian,1\n", "unknown race"),
        ("race,population\nwhite,-5\n", ">= 0"),
        ("race,population\nwhite,lots\n", "unreadable"),
        ("race,population\nwhite,1\nWHITE,2\n", "twice"),
    ]:
        bad = tmp_path / "bad.csv"
        bad.write_text(body)
        with pytest.raises(census.BenchmarkError, match=message):
            census.csv_population(bad)
    assert math.isclose(sum(census.csv_population(good).values()), 1260.5)
