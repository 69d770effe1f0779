"""The Bayesian threshold test (``analysis/threshold.py``): planted-threshold simulations,
the closed-form threshold, diagnostics, insufficient-data rules and Stanford's 2017 output."""

from __future__ import annotations

import json

import ibis
import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from scipy.stats import norm, rankdata

from peelian.stops.analysis import frame, threshold
from peelian.stops.analysis.options import AnalysisOptions
from peelian.stops.tests.realdata import real_file

RACES = ("black", "hispanic", "white")
PLANTED_T = (1.3, 1.5, 1.8)  # signal-scale thresholds: black searched on least evidence


def simulate(seed: int, n_geo: int = 12, sigma: float = 0.3) -> tuple[pd.DataFrame, dict]:
    """Counts drawn from the model itself, with the truth on the probability scale.

    The truth per cell is computed as the posterior probability of guilt at the threshold
    signal, phi N(t; delta, 1) / (phi N(t; delta, 1) + (1 - phi) N(t; 0, 1)), with scipy's
    normal density (the module uses the closed form logistic(logit phi + delta t - delta^2/2)).
    """
    rng = np.random.default_rng(seed)
    mu_phi, mu_delta = rng.normal(-1.5, 0.3), rng.normal(0.5, 0.2)
    phi_r = rng.normal(mu_phi, 0.1, len(RACES))
    delta_r = rng.normal(mu_delta, 0.1, len(RACES))
    phi_d = np.r_[0, rng.normal(0, 0.1, n_geo - 1)]
    delta_d = np.r_[0, rng.normal(0, 0.1, n_geo - 1)]
    rows = []
    for g in range(n_geo):
        for i, race in enumerate(RACES):
            n = int(rng.integers(1000, 6000))
            t = PLANTED_T[i] + sigma * rng.normal()
            phi = expit(phi_r[i] + phi_d[g])
            delta = np.exp(delta_r[i] + delta_d[g])
            hit_part = phi * norm.sf(t - delta)
            search_rate = hit_part + (1 - phi) * norm.sf(t)
            s = int(rng.binomial(n, search_rate))
            h = int(rng.binomial(s, hit_part / search_rate))
            g_pdf, i_pdf = phi * norm.pdf(t, delta), (1 - phi) * norm.pdf(t)
            rows.append(
                {
                    "race": race,
                    "district": f"d{g:02d}",
                    "n_stops": n,
                    "n_searches": s,
                    "n_hits": h,
                    "true": g_pdf / (g_pdf + i_pdf),
                }
            )
    df = pd.DataFrame(rows)
    truth = {r: float(np.average(g["true"], weights=g["n_stops"])) for r, g in df.groupby("race")}
    return df, truth


@pytest.mark.parametrize("seed", [0, 1])
def test_planted_thresholds_are_recovered(seed: int) -> None:
    cells, truth = simulate(seed)
    res = threshold.fit_threshold(
        cells.drop(columns="true"), chains=2, warmup=250, draws=250, seed=seed
    )
    assert res["insufficient_data"] is None
    json.dumps(res, allow_nan=False)
    est = {r: v["estimate"] for r, v in res["threshold"].items()}
    # Ordering planted (black < hispanic < white on the signal scale) shows on the
    # probability scale: black is searched on less evidence than white, with high posterior
    # probability.
    assert est["black"] < est["white"]
    assert res["difference_vs_white"]["black"]["probability_lower"] > 0.95
    assert res["difference_vs_white"]["black"]["upper"] < 0
    # Per-race averages within 0.08 of the truth (over 8 replicates of this simulation the
    # largest error was 0.063; the thresholds differ by ~0.2 between black and white).
    for race in RACES:
        assert abs(est[race] - truth[race]) < 0.08, (race, est[race], truth[race])
    # Per-cell 95% intervals cover the planted cell thresholds at about the nominal rate
    # (0.89-1.00 over 8 replicates); 0.8 leaves room for 36 cells' binomial noise.
    covered = [
        g["threshold"]["lower"] <= t <= g["threshold"]["upper"]
        for g, t in zip(res["by_geography"], cells["true"], strict=True)
    ]
    assert np.mean(covered) >= 0.8
    diag = res["diagnostics"]
    assert 1.0 <= diag["max_rhat"] < 1.1
    assert diag["min_ess_bulk"] > 50
    assert diag["divergences"] >= 0
    assert diag["n_cells"] == 36
    assert diag["n_geographies"] == 12
    assert res["converged"] == (diag["max_rhat"] <= threshold.RHAT_LIMIT)
    ppc = res["ppc"]
    assert ppc["search_count_coverage_95"] >= 0.8
    assert ppc["hit_count_coverage_95"] >= 0.8
    assert ppc["search_rate_rmse"] < 0.02


def test_probability_threshold_closed_form_matches_densities() -> None:
    rng = np.random.default_rng(3)
    draws = {
        "phi_geo": rng.normal(0, 0.1, (5, 2)),
        "delta_geo": rng.normal(0, 0.1, (5, 2)),
        "t_race": rng.normal(1, 0.5, (5, 2)),
        "sigma_t": np.abs(rng.normal(0, 0.3, 5)),
        "t_raw": rng.normal(0, 1, (5, 4)),
        "phi_race": rng.normal(-1, 0.3, (5, 2)),
        "delta_race": rng.normal(0.3, 0.3, (5, 2)),
    }
    race = np.array([0, 0, 1, 1])
    geo = np.array([0, 1, 0, 2])
    thr, search_rate, hit_rate = threshold._rates(draws, race, geo)
    pg = np.concatenate([np.zeros((5, 1)), draws["phi_geo"]], axis=1)
    dg = np.concatenate([np.zeros((5, 1)), draws["delta_geo"]], axis=1)
    t = draws["t_race"][:, race] + draws["sigma_t"][:, None] * draws["t_raw"]
    phi = expit(draws["phi_race"][:, race] + pg[:, geo])
    delta = np.exp(draws["delta_race"][:, race] + dg[:, geo])
    g, i = phi * norm.pdf(t, delta), (1 - phi) * norm.pdf(t)
    np.testing.assert_allclose(thr, g / (g + i), rtol=1e-10)
    # Search rate by numerical integration of the mixture density above t.
    grid = np.linspace(-10, 12, 20001)
    dens = phi[..., None] * norm.pdf(grid, delta[..., None]) + (1 - phi[..., None]) * norm.pdf(grid)
    above = np.where(grid > t[..., None], dens, 0.0)
    np.testing.assert_allclose(search_rate, np.trapezoid(above, grid, axis=-1), atol=2e-3)
    assert np.all((hit_rate > 0) & (hit_rate < 1))


def test_diagnostics_flag_disagreeing_chains() -> None:
    rng = np.random.default_rng(0)
    good = rng.normal(size=(4, 500))
    d = threshold.diagnostics({"x": good})
    assert d["max_rhat"] < 1.01
    assert 1200 < d["min_ess_bulk"] < 2600  # independent draws: ESS near 2000
    bad = good + np.array([0.0, 0.0, 0.0, 3.0])[:, None]
    d = threshold.diagnostics({"x": bad})
    assert d["max_rhat"] > threshold.RHAT_LIMIT
    assert d["max_rhat_parameter"] == "x[0]"
    # Independent check: split R-hat of rank-normal scores written out from Vehtari et al.
    # (2021), eqs. 1-4, with scipy's rankdata.
    halves = np.concatenate([bad[:, :250], bad[:, 250:]], axis=0)
    z = norm.ppf((rankdata(halves).reshape(halves.shape) - 0.375) / (halves.size + 0.25))
    n = z.shape[1]
    w = z.var(axis=1, ddof=1).mean()
    b = n * z.mean(axis=1).var(ddof=1)
    rhat_bulk = np.sqrt(((n - 1) / n * w + b / n) / w)
    assert d["max_rhat"] >= rhat_bulk - 1e-9
    assert d["max_rhat"] == pytest.approx(rhat_bulk, rel=0.05)


def _cells(rows: list[tuple[str, str, int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["race", "district", "n_stops", "n_searches", "n_hits"])


def test_insufficient_data_rules() -> None:
    base = [(r, f"d{g}", 1000, 50, 10) for r in ("black", "white") for g in range(6)]
    # Too few districts.
    res = threshold.fit_threshold(_cells(base[:4] + base[6:10]))
    assert "sub-geographies" in res["insufficient_data"]
    assert "threshold" not in res
    # No white searches found anything.
    rows = [(r, d, n, s, 0 if r == "white" else h) for r, d, n, s, h in base]
    res = threshold.fit_threshold(_cells(rows))
    assert "reference group" in res["insufficient_data"]
    assert "no search found contraband" in res["races_excluded"]["white"]
    # A race with too few searches is left out and listed; others still need two groups.
    rows = base[6:] + [("hispanic", f"d{g}", 100, 2, 1) for g in range(6)]
    res = threshold.fit_threshold(_cells(rows))
    assert "hispanic" in res["races_excluded"]
    assert res["insufficient_data"] == "fewer than two groups have enough searches to compare"
    # "other" and null races are never fitted, but their stops are reported.
    rows = [*base, ("other", "d0", 500, 40, 5), (None, "d0", 70, 3, 1)]
    _, report = threshold.prepare_cells(_cells(rows))
    assert report["stops_other_races"] == 500
    assert report["stops_without_race_or_district"] == 70


def test_threshold_cells_and_analyze_without_districts() -> None:
    rows = []
    for race, district, searched, found, basis in [
        ("black", "A", "TRUE", "TRUE", "consent"),
        ("black", "A", "TRUE", None, "consent"),
        ("black", "A", "TRUE", "TRUE", "other"),  # non-discretionary: not a stop here
        ("black", "A", "FALSE", "TRUE", None),  # predicate rule: not a hit
        ("black", "A", None, None, None),  # search decision unknown
        ("white", "B", "FALSE", None, None),
    ]:
        rows.append(
            {
                "date": "2020-01-01",
                "subject_race": race,
                "district": district,
                "search_conducted": searched,
                "contraband_found": found,
                "search_basis": basis,
            }
        )
    t = frame.normalize(ibis.memtable(pd.DataFrame(rows)))
    cells = threshold.threshold_cells(t, AnalysisOptions()).set_index(["race", "district"])
    a = cells.loc[("black", "A")]
    assert (a.n_stops, a.n_searches, a.n_searches_known, a.n_hits) == (3, 2, 1, 1)
    assert (a.n_non_discretionary, a.n_search_unknown) == (1, 1)
    t2 = t.mutate(district=ibis.null("string"))
    res = threshold.analyze(t2, AnalysisOptions())
    assert "no district" in res["insufficient_data"]


def test_stanford_2017_rhode_island_agreement() -> None:
    """Rhode Island (6 zones x 3 races) against Stanford's 2017 published thresholds.

    Stanford's 2017 model used a beta signal family, ours the discriminant family of the
    2018 fast threshold test, so levels differ (ours ~0.1 higher in RI; see
    docs/validation/_threshold.md); what must agree is the direction and size of each
    minority-vs-white gap: Stanford's gap must lie inside our 95% interval for the gap.
    """
    path = real_file("opp_aggregates_2017", "fig4b_threshold_test.csv")
    d = pd.read_csv(path)
    d = d[d["state"] == "RI"].copy()
    d["race"] = d["driver_race"].str.split().str[0].str.lower()
    cells = d.rename(
        columns={
            "location_variable": "district",
            "num_stops": "n_stops",
            "num_searches": "n_searches",
            "num_hits": "n_hits",
        }
    )
    res = threshold.fit_threshold(
        cells, chains=2, warmup=250, draws=250, seed=0, weighting="geography_stops"
    )
    geo_stops = cells.groupby("district")["n_stops"].sum()
    theirs = {
        r: np.average(g["inferred_threshold"], weights=geo_stops.reindex(g["district"]))
        for r, g in cells.groupby("race")
    }
    for race in ("black", "hispanic"):
        ours = res["difference_vs_white"][race]
        gap = theirs[race] - theirs["white"]
        assert gap < 0
        assert ours["upper"] < 0
        assert ours["lower"] <= gap <= ours["upper"], (race, ours, gap)
    ours_cells = pd.DataFrame(
        [
            {"race": g["race"], "district": g["district"], "ours": g["threshold"]["estimate"]}
            for g in res["by_geography"]
        ]
    ).merge(cells, on=["race", "district"])
    # Within-state ranking of the 18 cells agrees (Spearman), even though levels differ.
    assert ours_cells["ours"].corr(ours_cells["inferred_threshold"], method="spearman") > 0.5
