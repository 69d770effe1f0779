"""The Bayesian threshold test on aggregated stop, search and hit counts.

Model: the "fast threshold test" of Pierson, Corbett-Davies & Goel (2018), "Fast threshold
tests for detecting discrimination", AISTATS (PMLR 84:96-105), as the Stanford Open Policing
Project runs it (Pierson et al. 2020, Nature Human Behaviour 4:736-745; the model is written
here from the papers' equations, in NumPyro).

For each cell i = (race r, sub-geography d) with ``n`` stops, ``s`` searches and ``h`` hits:

* an officer observes a signal x. Among the fraction ``phi_i`` of drivers who carry
  contraband x ~ N(delta_i, 1); among the others x ~ N(0, 1) (a "discriminant" signal);
* ``phi_i = logistic(phi_r + phi_d)``, ``delta_i = exp(delta_r + delta_d)``, with the first
  sub-geography (the one with most stops) pinned at ``phi_d = delta_d = 0``;
* the officer searches when x > t_i, with ``t_i = t_r + sigma_t * z_i``, z_i ~ N(0, 1);
* search rate ``S_i = phi_i (1 - Phi(t_i - delta_i)) + (1 - phi_i)(1 - Phi(t_i))``;
  hit rate ``H_i = phi_i (1 - Phi(t_i - delta_i)) / S_i``;
* ``s_i ~ Binomial(n_i, S_i)``, ``h_i ~ Binomial(k_i, H_i)`` where ``k_i`` is the number of
  searches with a recorded contraband result (= ``s_i`` when nothing is missing).

Priors (OPP's ``stan/threshold_test.stan``): sigma_t ~ HalfNormal(1); t_r ~ N(0, 1);
mu_phi, mu_delta ~ N(0, 1); phi_r ~ N(mu_phi, 0.1); delta_r ~ N(mu_delta, 0.1);
phi_d, delta_d ~ N(0, 0.1).

The threshold is reported on the probability scale, as OPP reports it: the probability of
carrying contraband of a driver whose signal sits exactly at the threshold,

    p_i = phi_i N(t_i; delta_i, 1) / (phi_i N(t_i; delta_i, 1) + (1 - phi_i) N(t_i; 0, 1))
        = logistic(logit(phi_i) + delta_i t_i - delta_i^2 / 2).

A race's threshold is the average of its cells' p_i weighted by that race's stops in each
cell (OPP 2020's ``accumulateRowMeans`` with weights n), computed per posterior draw, so the
95% interval is the 2.5%-97.5% posterior quantiles of that average. Differences vs white are
computed per draw in the same way.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import expit
from scipy.stats import norm as scipy_norm

from peelian.stops.analysis.options import AnalysisOptions
from peelian.stops.analysis.outcome import NON_DISCRETIONARY_BASES
from peelian.stops.analysis.schema import REFERENCE_RACE

FloatArray = NDArray[np.float64]

# Races the model compares. "other" and "unknown" are mixtures of unrelated groups; a
# threshold for them has no interpretation, so they are left out (OPP fits black, hispanic,
# white; Asian/Pacific Islander is included when it meets the minimums below).
FIT_RACES: tuple[str, ...] = ("asian/pacific islander", "black", "hispanic", "white")
# A race needs this many searches with a recorded result, and at least one hit, over the
# sub-geographies; otherwise its threshold is not identified and it is left out (and listed).
MIN_SEARCHES = 30
MIN_HITS = 1
# OPP's 2017 code refused fewer than 5 sub-geographies ("not enough departments to constrain
# estimates"): the shared sub-geography effects are what separate phi, delta and t.
MIN_GEOGRAPHIES = 5
RHAT_LIMIT = 1.05
MIN_ESS = 100.0
PRIOR_GEOGRAPHY_SCALE = 0.1
PRIOR_RACE_SCALE = 0.1

METHOD = (
    "Bayesian threshold test (Pierson, Corbett-Davies & Goel 2018, AISTATS, 'Fast threshold "
    "tests for detecting discrimination'; Pierson et al. 2020, Nature Human Behaviour "
    "4:736-745): signal ~ N(delta,1) for the fraction phi carrying contraband and N(0,1) "
    "otherwise; search when signal > t; phi = logistic(phi_race + phi_geo), delta = "
    "exp(delta_race + delta_geo), t = t_race + sigma*z; searches ~ Binomial(stops, S), hits ~ "
    "Binomial(searches, H). Threshold on the probability scale = logistic(logit(phi) + delta*t "
    "- delta^2/2), averaged over sub-geographies weighted by the race's stops; posterior mean "
    "and 95% credible interval from NUTS (NumPyro)."
)

CELL_COLUMNS: tuple[str, ...] = (
    "race",
    "district",
    "n_stops",
    "n_searches",
    "n_searches_known",
    "n_hits",
    "n_non_discretionary",
    "n_search_unknown",
)


def _count(cond: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.ifelse(cond.fill_null(False), 1, 0).cast(dt.int64).sum()


def threshold_cells(t: ir.Table, options: AnalysisOptions | None = None) -> pd.DataFrame:
    """Stops, searches and hits by race x district (the Ibis aggregation).

    Stops whose search was non-discretionary (basis ``other``, see ``outcome.py``) and stops
    whose ``search_conducted`` is missing are not in ``n_stops``: they are counted in
    ``n_non_discretionary`` and ``n_search_unknown``. ``n_searches_known`` counts searches
    with a recorded contraband result (the hit-rate denominator). Rows with a null race or
    district are kept as their own cells so the caller can report them.
    """
    del options
    searched = t.search_conducted
    basis = t.search_basis
    non_disc = (
        searched.fill_null(False) & basis.notnull() & basis.isin(list(NON_DISCRETIONARY_BASES))
    )
    usable = searched.notnull() & ~non_disc
    search = usable & searched
    cells = t.group_by(race=t.race, district=t.district).aggregate(
        n_stops=_count(usable),
        n_searches=_count(search),
        n_searches_known=_count(search & t.contraband_found.notnull()),
        n_hits=_count(search & t.contraband_found),
        n_non_discretionary=_count(non_disc),
        n_search_unknown=_count(searched.isnull()),
    )
    frame = cells.to_pandas()
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in CELL_COLUMNS})
    for col in CELL_COLUMNS[2:]:
        frame[col] = frame[col].fillna(0).astype("int64")
    for col in ("race", "district"):
        frame[col] = frame[col].astype("object").where(frame[col].notna(), None)
    return frame.sort_values(["race", "district"], na_position="last").reset_index(drop=True)[
        list(CELL_COLUMNS)
    ]


# --------------------------------------------------------------------------------------
# Data preparation and insufficient-data rules


def prepare_cells(
    cells: pd.DataFrame,
    races: Sequence[str] = FIT_RACES,
    reference: str = REFERENCE_RACE,
    min_searches: int = MIN_SEARCHES,
    min_hits: int = MIN_HITS,
    min_geographies: int = MIN_GEOGRAPHIES,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The cells the model fits and a report of what was left out and why.

    The report's ``insufficient_data`` is None or the reason the test cannot run.
    """
    report: dict[str, Any] = {"races_excluded": {}, "insufficient_data": None}
    if "n_searches_known" not in cells.columns:
        cells = cells.assign(n_searches_known=cells["n_searches"])
    has_keys = cells["race"].notna() & cells["district"].notna()
    report["stops_without_race_or_district"] = int(cells.loc[~has_keys, "n_stops"].sum())
    in_races = cells["race"].isin(list(races))
    report["stops_other_races"] = int(cells.loc[has_keys & ~in_races, "n_stops"].sum())
    use = cells[has_keys & in_races & (cells["n_stops"] > 0)].copy()
    for race in sorted(set(use["race"])):
        rows = use[use["race"] == race]
        known, hits = int(rows["n_searches_known"].sum()), int(rows["n_hits"].sum())
        if known < min_searches:
            report["races_excluded"][race] = (
                f"{known} searches with a recorded result; at least {min_searches} are needed"
            )
        elif hits < min_hits:
            report["races_excluded"][race] = "no search found contraband: threshold not identified"
    use = use[~use["race"].isin(list(report["races_excluded"]))]
    kept = sorted(set(use["race"]))
    n_geo = use["district"].nunique()
    if reference not in kept:
        report["insufficient_data"] = (
            f"the reference group ({reference}) has too few searches or hits to fit"
            if reference in report["races_excluded"]
            else f"no stops of the reference group ({reference}) with a district"
        )
    elif len(kept) < 2:
        report["insufficient_data"] = "fewer than two groups have enough searches to compare"
    elif n_geo < min_geographies:
        report["insufficient_data"] = (
            f"{n_geo} sub-geographies (districts) with data; the model needs at least "
            f"{min_geographies} to separate thresholds from risk distributions"
        )
    return use.reset_index(drop=True), report


# --------------------------------------------------------------------------------------
# The model


def _model(
    race: Any,
    geo: Any,
    n_races: int,
    n_geos: int,
    stops: Any,
    searches: Any,
    known: Any,
    hits: Any,
) -> None:
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as ndist
    from jax.nn import log_sigmoid
    from jax.scipy.stats import norm

    n_cells = stops.shape[0]
    sigma_t = numpyro.sample("sigma_t", ndist.HalfNormal(1.0))
    t_race = numpyro.sample("t_race", ndist.Normal(0.0, 1.0).expand([n_races]).to_event(1))
    t_raw = numpyro.sample("t_raw", ndist.Normal(0.0, 1.0).expand([n_cells]).to_event(1))
    mu_phi = numpyro.sample("mu_phi", ndist.Normal(0.0, 1.0))
    mu_delta = numpyro.sample("mu_delta", ndist.Normal(0.0, 1.0))
    phi_race = numpyro.sample(
        "phi_race", ndist.Normal(mu_phi, PRIOR_RACE_SCALE).expand([n_races]).to_event(1)
    )
    delta_race = numpyro.sample(
        "delta_race", ndist.Normal(mu_delta, PRIOR_RACE_SCALE).expand([n_races]).to_event(1)
    )
    phi_geo_raw = numpyro.sample(
        "phi_geo", ndist.Normal(0.0, PRIOR_GEOGRAPHY_SCALE).expand([n_geos - 1]).to_event(1)
    )
    delta_geo_raw = numpyro.sample(
        "delta_geo", ndist.Normal(0.0, PRIOR_GEOGRAPHY_SCALE).expand([n_geos - 1]).to_event(1)
    )
    zero = jnp.zeros(1)
    phi_geo = jnp.concatenate([zero, phi_geo_raw])
    delta_geo = jnp.concatenate([zero, delta_geo_raw])
    t = t_race[race] + sigma_t * t_raw
    phi_logit = phi_race[race] + phi_geo[geo]
    delta = jnp.exp(delta_race[race] + delta_geo[geo])
    log_hit_part = log_sigmoid(phi_logit) + norm.logsf(t - delta)
    log_miss_part = log_sigmoid(-phi_logit) + norm.logsf(t)
    log_search = jnp.logaddexp(log_hit_part, log_miss_part)
    log_no_search = _log1mexp(log_search)
    loglik = (
        searches * log_search
        + (stops - searches) * log_no_search
        + hits * (log_hit_part - log_search)
        + (known - hits) * (log_miss_part - log_search)
    )
    numpyro.factor("loglik", jnp.sum(loglik))


def _log1mexp(x: Any) -> Any:
    """log(1 - exp(x)) for x < 0, accurate at both ends (Maechler 2012)."""
    import jax.numpy as jnp

    x = jnp.minimum(x, -1e-12)
    return jnp.where(x > -math.log(2.0), jnp.log(-jnp.expm1(x)), jnp.log1p(-jnp.exp(x)))


def _rates(
    draws: dict[str, FloatArray], race: NDArray[np.int64], geo: NDArray[np.int64]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per draw and cell: probability-scale threshold, search rate and hit rate (numpy)."""
    zeros = np.zeros((draws["phi_geo"].shape[0], 1))
    phi_geo = np.concatenate([zeros, draws["phi_geo"]], axis=1)
    delta_geo = np.concatenate([zeros, draws["delta_geo"]], axis=1)
    t = draws["t_race"][:, race] + draws["sigma_t"][:, None] * draws["t_raw"]
    phi_logit = draws["phi_race"][:, race] + phi_geo[:, geo]
    delta = np.exp(draws["delta_race"][:, race] + delta_geo[:, geo])
    threshold = expit(phi_logit + delta * t - delta**2 / 2)
    phi = expit(phi_logit)
    hit_part = phi * scipy_norm.sf(t - delta)
    miss_part = (1 - phi) * scipy_norm.sf(t)
    search_rate = hit_part + miss_part
    hit_rate = hit_part / search_rate
    return threshold, search_rate, hit_rate


def _rank_normalize(x: FloatArray) -> FloatArray:
    """Rank-normalized split chains (Vehtari, Gelman, Simpson, Carpenter & Buerkner 2021).

    ``x`` is (chains, draws); returns (2 * chains, draws // 2) normal scores.
    """
    half = x.shape[1] // 2
    split = np.concatenate([x[:, :half], x[:, half : 2 * half]], axis=0)
    flat = split.ravel()
    ranks = flat.argsort(kind="stable").argsort(kind="stable").astype(np.float64) + 1
    z = scipy_norm.ppf((ranks - 0.375) / (flat.size + 0.25))
    return np.asarray(z.reshape(split.shape), dtype=np.float64)


def diagnostics(grouped: dict[str, FloatArray]) -> dict[str, Any]:
    """Max rank-normalized split R-hat and min bulk ESS over every scalar in ``grouped``.

    ``grouped`` maps names to arrays shaped (chains, draws, ...). R-hat is the larger of the
    bulk and folded rank-normalized split R-hat; bulk ESS is numpyro's ESS of the
    rank-normalized split chains (Vehtari et al. 2021, Bayesian Analysis 16:667-718).
    """
    from numpyro.diagnostics import effective_sample_size, gelman_rubin

    worst_rhat, worst_ess = 0.0, math.inf
    worst_rhat_name, worst_ess_name = "", ""
    for name, arr in grouped.items():
        flat = arr.reshape(arr.shape[0], arr.shape[1], -1)
        for j in range(flat.shape[2]):
            x = flat[:, :, j]
            if np.ptp(x) == 0:
                continue
            bulk = _rank_normalize(x)
            folded = _rank_normalize(np.abs(x - np.median(x)))
            # The rank-normalized halves are already split chains, so the plain
            # Gelman-Rubin statistic over them is the split R-hat.
            rhat = max(float(gelman_rubin(bulk)), float(gelman_rubin(folded)))
            ess = float(effective_sample_size(bulk))
            if rhat > worst_rhat:
                worst_rhat, worst_rhat_name = rhat, f"{name}[{j}]"
            if ess < worst_ess:
                worst_ess, worst_ess_name = ess, f"{name}[{j}]"
    return {
        "max_rhat": worst_rhat,
        "max_rhat_parameter": worst_rhat_name,
        "min_ess_bulk": None if math.isinf(worst_ess) else worst_ess,
        "min_ess_parameter": worst_ess_name,
    }


def _summary(x: FloatArray) -> dict[str, float]:
    return {
        "estimate": float(np.mean(x)),
        "lower": float(np.quantile(x, 0.025)),
        "upper": float(np.quantile(x, 0.975)),
    }


def _init_params(
    use: pd.DataFrame,
    race: NDArray[np.int64],
    n_races: int,
    n_geos: int,
    chains: int,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Starting points (unconstrained space, one per chain) near the observed search rates.

    With phi near 1/2 and small delta, S ~ 1 - Phi(t): start t_race at the signal quantile of
    each race's pooled search rate, then jitter each chain so R-hat can detect disagreement.
    """
    import jax.numpy as jnp

    by_race = use.groupby(race)[["n_searches", "n_stops"]].sum().sort_index()
    rate = ((by_race["n_searches"] + 0.5) / (by_race["n_stops"] + 1.0)).to_numpy()
    t0 = scipy_norm.isf(np.clip(rate, 1e-6, 0.5))

    def jitter(base: FloatArray, scale: float) -> Any:
        return jnp.asarray(base[None, ...] + rng.normal(0, scale, (chains, *base.shape)))

    n_cells = len(use)
    return {
        "sigma_t": jitter(np.array(math.log(0.3)), 0.2),
        "t_race": jitter(np.asarray(t0, dtype=np.float64), 0.2),
        "t_raw": jitter(np.zeros(n_cells), 0.2),
        "mu_phi": jitter(np.array(0.0), 0.3),
        "mu_delta": jitter(np.array(0.0), 0.3),
        "phi_race": jitter(np.zeros(n_races), 0.05),
        "delta_race": jitter(np.zeros(n_races), 0.05),
        "phi_geo": jitter(np.zeros(n_geos - 1), 0.05),
        "delta_geo": jitter(np.zeros(n_geos - 1), 0.05),
    }


def _chain_method(chains: int) -> str:
    """Run the chains in parallel, one XLA host "device" each, when JAX can still be told
    to make that many (before its CPU backend starts); else vectorized in one device.

    Parallel chains each stop when their own trajectory ends, while vectorized chains wait
    for the longest one at every step: on 10 million synthetic stops (80 cells, 4 chains)
    the fit took 24 s in parallel and 62 s vectorized on 2 cores (docs/benchmarks.md).
    """
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_force_host_platform_device_count" not in flags:
        os.environ["XLA_FLAGS"] = (
            f"{flags} --xla_force_host_platform_device_count={max(chains, 1)}".strip()
        )
    import jax

    return "parallel" if chains > 1 and jax.local_device_count() >= chains else "vectorized"


def fit_threshold(
    cells: pd.DataFrame,
    chains: int = 4,
    warmup: int = 500,
    draws: int = 500,
    seed: int = 0,
    *,
    reference: str = REFERENCE_RACE,
    races: Sequence[str] = FIT_RACES,
    weighting: str = "race_stops",
    target_accept: float = 0.9,
    max_tree_depth: int = 10,
) -> dict[str, Any]:
    """Fit the threshold test to cells (columns race, district, n_stops, n_searches, n_hits,
    optionally n_searches_known) and summarize it as a JSON-ready dict.

    ``weighting``: "race_stops" (OPP 2020: each race's cells weighted by that race's stops)
    or "geography_stops" (OPP 2017: by all stops in the sub-geography, same weights for
    every race).
    """
    use, report = prepare_cells(cells, races=races, reference=reference)
    result: dict[str, Any] = {
        "method": METHOD,
        "denominator": (
            "stops with a recorded search decision, excluding non-discretionary searches"
        ),
        "reference": reference,
        "weighting": weighting,
        "races_excluded": report["races_excluded"],
        "stops_without_race_or_district": report["stops_without_race_or_district"],
        "stops_other_races": report["stops_other_races"],
        "insufficient_data": report["insufficient_data"],
    }
    if report["insufficient_data"] is not None:
        return result
    if weighting not in ("race_stops", "geography_stops"):
        raise ValueError("weighting must be 'race_stops' or 'geography_stops'")

    race_names = sorted(set(use["race"]))
    # Pin the sub-geography with the most stops (OPP 2017 orders departments by stops).
    geo_stops = use.groupby("district")["n_stops"].sum().sort_values(ascending=False, kind="stable")
    geo_names = [str(g) for g in geo_stops.index]
    race_idx = use["race"].map({r: i for i, r in enumerate(race_names)}).to_numpy(np.int64)
    geo_idx = use["district"].map({g: i for i, g in enumerate(geo_names)}).to_numpy(np.int64)
    stops = use["n_stops"].to_numpy(np.float64)
    searches = use["n_searches"].to_numpy(np.float64)
    known = use["n_searches_known"].to_numpy(np.float64)
    hits = use["n_hits"].to_numpy(np.float64)

    chain_method = _chain_method(chains)
    import jax
    from numpyro.infer import MCMC, NUTS

    started = time.perf_counter()
    with jax.enable_x64(True):
        kernel = NUTS(_model, target_accept_prob=target_accept, max_tree_depth=max_tree_depth)
        mcmc = MCMC(
            kernel,
            num_warmup=warmup,
            num_samples=draws,
            num_chains=chains,
            chain_method=chain_method,
            progress_bar=False,
        )
        rng = np.random.default_rng(seed)
        init = _init_params(use, race_idx, len(race_names), len(geo_names), chains, rng)
        mcmc.run(
            jax.random.PRNGKey(seed),
            jax.numpy.asarray(race_idx),
            jax.numpy.asarray(geo_idx),
            len(race_names),
            len(geo_names),
            jax.numpy.asarray(stops),
            jax.numpy.asarray(searches),
            jax.numpy.asarray(known),
            jax.numpy.asarray(hits),
            init_params=init,
            extra_fields=("diverging",),
        )
        grouped = {k: np.asarray(v, dtype=np.float64) for k, v in mcmc.get_samples(True).items()}
        divergent = int(np.asarray(mcmc.get_extra_fields()["diverging"]).sum())
    seconds = time.perf_counter() - started

    flat = {k: v.reshape(-1, *v.shape[2:]) for k, v in grouped.items()}
    thr, search_rate, hit_rate = _rates(flat, race_idx, geo_idx)

    # Weighted average per race, per draw.
    if weighting == "race_stops":
        w = stops.copy()
    else:
        w = geo_stops.reindex(use["district"]).to_numpy(np.float64)
    avg = np.zeros((thr.shape[0], len(race_names)))
    for i in range(len(race_names)):
        mask = race_idx == i
        avg[:, i] = thr[:, mask] @ (w[mask] / w[mask].sum())

    ref_i = race_names.index(reference)
    result["threshold"] = {
        race: {
            **_summary(avg[:, i]),
            "n_stops": int(stops[race_idx == i].sum()),
            "n_searches": int(searches[race_idx == i].sum()),
            "n_hits": int(hits[race_idx == i].sum()),
            "n_geographies": int((race_idx == i).sum()),
        }
        for i, race in enumerate(race_names)
    }
    result["difference_vs_white"] = {
        race: {
            **_summary(avg[:, i] - avg[:, ref_i]),
            "probability_lower": float(np.mean(avg[:, i] < avg[:, ref_i])),
        }
        for i, race in enumerate(race_names)
        if i != ref_i
    }

    # Posterior predictive check.
    obs_sr = searches / stops
    with np.errstate(invalid="ignore", divide="ignore"):
        obs_hr = np.where(known > 0, hits / np.maximum(known, 1), np.nan)
    pred_sr = search_rate.mean(axis=0)
    pred_hr = hit_rate.mean(axis=0)
    has_known = known > 0
    ppc_rng = np.random.default_rng(seed + 1)
    n_rep = min(400, search_rate.shape[0])
    pick = ppc_rng.choice(search_rate.shape[0], size=n_rep, replace=False)
    rep_s = ppc_rng.binomial(stops.astype(np.int64), search_rate[pick])
    rep_h = ppc_rng.binomial(known.astype(np.int64), hit_rate[pick])
    lo_s, hi_s = np.quantile(rep_s, [0.025, 0.975], axis=0)
    lo_h, hi_h = np.quantile(rep_h, [0.025, 0.975], axis=0)
    result["ppc"] = {
        "search_rate_rmse": float(np.sqrt(np.average((obs_sr - pred_sr) ** 2, weights=stops))),
        "hit_rate_rmse": float(
            np.sqrt(
                np.average((obs_hr[has_known] - pred_hr[has_known]) ** 2, weights=known[has_known])
            )
        )
        if has_known.any()
        else None,
        "search_count_coverage_95": float(np.mean((searches >= lo_s) & (searches <= hi_s))),
        "hit_count_coverage_95": float(np.mean(((hits >= lo_h) & (hits <= hi_h))[has_known]))
        if has_known.any()
        else None,
        "method": (
            "posterior-mean search and hit rates per cell vs observed; RMS error weighted by "
            "stops (search rate) and by searches (hit rate), as OPP prints; coverage = share "
            "of cells whose observed count lies in the central 95% of replicated counts"
        ),
    }
    result["by_geography"] = [
        {
            "race": str(use["race"].iloc[j]),
            "district": str(use["district"].iloc[j]),
            "n_stops": int(stops[j]),
            "n_searches": int(searches[j]),
            "n_hits": int(hits[j]),
            "threshold": _summary(thr[:, j]),
            "search_rate": {"observed": float(obs_sr[j]), "predicted": float(pred_sr[j])},
            "hit_rate": {
                "observed": None if not has_known[j] else float(obs_hr[j]),
                "predicted": float(pred_hr[j]),
            },
        }
        for j in range(len(use))
    ]

    grouped_avg = avg.reshape(chains, draws, -1)
    diag = diagnostics({**grouped, "threshold_race_average": grouped_avg})
    warnings: list[str] = []
    converged = diag["max_rhat"] <= RHAT_LIMIT
    if not converged:
        warnings.append(
            f"R-hat {diag['max_rhat']:.3f} > {RHAT_LIMIT} for {diag['max_rhat_parameter']}: "
            "the chains disagree; do not publish these thresholds without refitting with "
            "more warmup/draws"
        )
    if diag["min_ess_bulk"] is not None and diag["min_ess_bulk"] < MIN_ESS:
        warnings.append(
            f"bulk ESS {diag['min_ess_bulk']:.0f} < {MIN_ESS:.0f} for "
            f"{diag['min_ess_parameter']}: intervals are imprecise"
        )
    if divergent:
        warnings.append(f"{divergent} divergent transitions: the posterior may be biased")
    result["diagnostics"] = {
        **diag,
        "divergences": divergent,
        "chains": chains,
        "warmup": warmup,
        "draws": draws,
        "seed": seed,
        "sampler": f"NUTS (NumPyro), target accept {target_accept}, max tree depth "
        f"{max_tree_depth}, chains {chain_method}, float64",
        "seconds": seconds,
        "n_cells": len(use),
        "n_geographies": len(geo_names),
        "pinned_geography": geo_names[0],
    }
    result["converged"] = bool(converged)
    result["warnings"] = warnings
    return result


def analyze(t: ir.Table, options: AnalysisOptions) -> dict[str, Any]:
    """Threshold test on a normalized stop table (any Ibis backend)."""
    missing = [c for c in ("search_conducted", "contraband_found", "race") if c not in t.columns]
    if missing:
        return {"method": METHOD, "insufficient_data": f"columns missing: {', '.join(missing)}"}
    cells = threshold_cells(t, options)
    if cells.empty or int(cells["n_searches"].sum()) == 0:
        return {"method": METHOD, "insufficient_data": "no searches recorded"}
    if cells["district"].isna().all():
        return {
            "method": METHOD,
            "insufficient_data": (
                "no district recorded: the threshold test needs sub-geographies to separate "
                "thresholds from risk distributions"
            ),
        }
    return fit_threshold(
        cells, chains=options.chains, warmup=options.warmup, draws=options.draws, seed=options.seed
    )


__all__ = [
    "FIT_RACES",
    "METHOD",
    "analyze",
    "diagnostics",
    "fit_threshold",
    "prepare_cells",
    "threshold_cells",
]
