"""The synthetic city: deterministic, and its planted effects are what the data show
(analysis/synthetic.py)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from peelian.stops.analysis import frame, synthetic

PARAMS = synthetic.CityParams(n_stops=400_000, seed=11, n_districts=5)


@pytest.fixture(scope="module")
def city_and_stops():
    city, table = synthetic.generate(PARAMS)
    return city, table.to_pandas()


def test_same_seed_same_file_other_seed_other_file():
    small = synthetic.CityParams(n_stops=5_000, seed=4)
    _, a = synthetic.generate(small)
    _, b = synthetic.generate(small)
    _, c = synthetic.generate(synthetic.CityParams(n_stops=5_000, seed=5))
    assert a.equals(b)
    assert not a.equals(c)
    assert a.num_rows == 5_000


def test_search_and_hit_rates_follow_the_threshold_model_closed_form(city_and_stops):
    """Per race x district, simulated search and hit rates vs the model's closed form.

    Each cell's deviation is measured in binomial standard errors; with ~25 cells a |z| above
    4.5 would be a one-in-10^4 event under a correct generator.
    """
    city, df = city_and_stops
    known = df[df.subject_race != "unknown"]
    exp_search, exp_hit = synthetic.expected_search_hit(city.phi, city.delta, city.threshold)
    checked = 0
    for (race, district), g in known.groupby(["subject_race", "district"]):
        i, j = city.races.index(race), city.districts.index(district)
        n = len(g)
        searched = g[g.search_conducted]
        s, h = exp_search[i, j], exp_hit[i, j]
        z_search = (len(searched) / n - s) / math.sqrt(s * (1 - s) / n)
        assert abs(z_search) < 4.5, (race, district, z_search)
        if len(searched) >= 50:
            hits = searched.contraband_found.astype(bool).mean()
            z_hit = (hits - h) / math.sqrt(h * (1 - h) / len(searched))
            assert abs(z_hit) < 4.5, (race, district, z_hit)
        checked += 1
    assert checked == len(city.races) * len(city.districts)
    # The planted ordering: black drivers face the lowest bar, so their hit rate is lowest.
    hit_by_race = known[known.search_conducted].groupby("subject_race").contraband_found.mean()
    assert hit_by_race["black"] < hit_by_race["white"]


def test_planted_darkness_effect_is_recovered_by_the_true_design(city_and_stops):
    """Logit of black vs white on dark + the planted time trend + district effects.

    Dark/light come from astral's civil dawn and dusk at the city centre, computed here per
    date independently of the generator; twilight stops are dropped (as VoD does).
    """
    from zoneinfo import ZoneInfo

    from astral import Observer
    from astral.sun import dawn, dusk

    _, df = city_and_stops
    observer, zone = Observer(PARAMS.lat, PARAMS.lng), ZoneInfo(PARAMS.tz)
    sun = {}
    for day in pd.to_datetime(df.date).dt.date.unique():
        a, b = dawn(observer, day, tzinfo=zone), dusk(observer, day, tzinfo=zone)
        sun[day] = (a.hour * 60 + a.minute, b.hour * 60 + b.minute)
    bw = df[df.subject_race.isin(["black", "white"])].copy()
    times = pd.to_datetime(bw.time, format="%H:%M:%S")
    minute = (times.dt.hour * 60 + times.dt.minute).to_numpy()
    days = pd.to_datetime(bw.date).dt.date
    dawn_m = np.array([sun[d][0] for d in days])
    dusk_m = np.array([sun[d][1] for d in days])
    dark = (minute >= dusk_m) | (minute < dawn_m)
    x = pd.get_dummies(bw.district, drop_first=True, dtype=float)
    x["dark"] = dark.astype(float)
    x["trend"] = np.sin(2 * math.pi * (minute - 360) / 1440)
    x = sm.add_constant(x)
    y = (bw.subject_race == "black").astype(float).to_numpy()
    fit = sm.GLM(y, x.to_numpy(), family=sm.families.Binomial()).fit()
    names = list(x.columns)
    est, se = fit.params[names.index("dark")], fit.bse[names.index("dark")]
    assert abs(est - PARAMS.vod_dark_log_odds) < 3.5 * se, (est, se)
    trend = fit.params[names.index("trend")]
    assert trend == pytest.approx(PARAMS.time_trend, abs=3.5 * fit.bse[names.index("trend")])


def test_stops_per_resident_follow_the_planted_multipliers(city_and_stops):
    """Within a district, hispanic / white stops = (pop_h m_h) / (pop_w m_w) in expectation."""
    city, df = city_and_stops
    counts = df.groupby(["district", "subject_race"]).size().unstack(fill_value=0)
    pop = pd.DataFrame(city.district_population, index=city.districts, columns=city.races)
    expected = (pop["hispanic"] / pop["white"] * counts["white"]).sum()
    ratio = counts["hispanic"].sum() / expected
    want = PARAMS.stop_multiplier["hispanic"] / PARAMS.stop_multiplier["white"]
    assert ratio == pytest.approx(want, rel=0.03)


def test_files_round_trip_through_the_reader(tmp_path):
    small = synthetic.CityParams(n_stops=3_000, seed=2)
    synthetic.write(small, tmp_path / "s.parquet")
    synthetic.write(small, tmp_path / "s.csv.gz")
    a = frame.normalize(frame.open_file(tmp_path / "s.parquet")).to_pandas()
    b = frame.normalize(frame.open_file(tmp_path / "s.csv.gz")).to_pandas()
    assert len(a) == len(b) == 3_000
    for col in ("race", "minute", "district", "search_conducted", "contraband_found"):
        pd.testing.assert_series_equal(a[col], b[col], check_dtype=False)
    assert a.stop_date.min() >= pd.Timestamp(dt.date(2019, 1, 1))
    assert a.stop_date.max() <= pd.Timestamp(dt.date(2019, 12, 31))
    # OPP's predicate rule holds in the generated data: no search, no contraband value.
    assert a.loc[~a.search_conducted.astype(bool), "contraband_found"].isna().all()
    with pytest.raises(ValueError, match="parquet"):
        synthetic.write(small, tmp_path / "s.json")
