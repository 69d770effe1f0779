"""A synthetic city's stops, in OPP columns, with planted and documented disparities.

Used by the demo city, the tests and the benchmarks. Everything is vectorized numpy, written
in chunks of :data:`CHUNK` rows, and deterministic for a seed (chunk ``i`` draws from
``SeedSequence(seed).spawn``-style child ``i``, so the output does not depend on how many
rows are requested after it).

What is planted (all in :class:`CityParams`):

* **Residents.** ``population`` residents split over ``n_districts`` districts (sizes from a
  Dirichlet); each district's race mix is a Dirichlet draw around ``race_shares``.
* **Stop rates.** Each stop's race is drawn with weight ``pop[d, r] * stop_multiplier[r]``:
  a race with multiplier 2 is stopped twice as often per resident, other things equal.
* **Veil of darkness.** Among black and white drivers, the log-odds that a stop is of a black
  driver is ``log(pop[d,b] m_b / pop[d,w] m_w) + trend(minute) + vod_dark_log_odds * dark``,
  where ``dark`` means after civil dusk or before civil dawn at the city centre (computed
  with astral per date) and ``trend(minute) = time_trend * sin(2 pi (minute - 360) / 1440)``.
  Twilight (sunset to dusk, dawn to sunrise) is not dark. A negative ``vod_dark_log_odds``
  is what discrimination looks like in the VoD test (fewer black drivers stopped when race
  is harder to see).
* **Threshold model** (Pierson, Corbett-Davies & Goel 2018, "Fast threshold tests for
  detecting discrimination", AISTATS): each stopped driver of race ``r`` in district ``d``
  carries contraband with probability ``phi[r,d] = logistic(logit(phi_r) + e_d)``; the
  officer sees a signal ``x ~ N(delta[r,d] * guilty, 1)``, ``delta[r,d] = delta_r * exp(f_d)``,
  whose posterior risk is ``p(x) = logistic(logit(phi) + delta x - delta^2 / 2)``, and
  searches when ``p(x) > t[r,d] = logistic(logit(t_r) + g_d)``. A search finds contraband
  exactly when the driver carries it. ``e_d, f_d, g_d ~ N(0, district_sd)``.
  :func:`expected_search_hit` gives the closed-form search and hit rates of this model.

Other fields (frisk, arrest, citation, warning, search basis, sex) are drawn with fixed rates
so every column a report reads is present; they carry no planted disparity.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from scipy.special import expit, logit
from scipy.stats import norm

from peelian.stops.analysis.schema import RACES

CHUNK = 1_000_000
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Relative stop volume by clock hour (a weekday-like profile: quiet before dawn, busy in the
# afternoon and evening commute).
HOUR_WEIGHTS: tuple[float, ...] = (
    3.0, 2.6, 2.2, 1.6, 1.0, 1.0, 1.6, 2.6, 3.4, 3.4, 3.3, 3.3,
    3.4, 3.5, 3.8, 4.2, 4.4, 4.4, 4.2, 3.9, 3.7, 3.6, 3.5, 3.3,
)  # fmt: skip


def _default_race_shares() -> dict[str, float]:
    return {
        "white": 0.45,
        "black": 0.25,
        "hispanic": 0.20,
        "asian/pacific islander": 0.07,
        "other": 0.03,
    }


def _default_multipliers() -> dict[str, float]:
    return {
        "white": 1.0,
        "black": 1.8,
        "hispanic": 1.2,
        "asian/pacific islander": 0.6,
        "other": 1.0,
    }


def _default_thresholds() -> dict[str, float]:
    return {
        "white": 0.25,
        "black": 0.15,
        "hispanic": 0.18,
        "asian/pacific islander": 0.25,
        "other": 0.25,
    }


@dataclass(frozen=True)
class CityParams:
    n_stops: int = 100_000
    year: int = 2019
    seed: int = 0
    n_districts: int = 10
    population: int = 600_000
    lat: float = 41.7637  # a mid-latitude US city centre (Hartford, CT)
    lng: float = -72.6851
    tz: str = "America/New_York"
    race_shares: Mapping[str, float] = field(default_factory=_default_race_shares)
    district_concentration: float = 30.0  # Dirichlet concentration of each district's mix
    stop_multiplier: Mapping[str, float] = field(default_factory=_default_multipliers)
    vod_dark_log_odds: float = -0.2
    time_trend: float = 0.3
    seasonal_amplitude: float = 0.1  # stops per day vary by +-10% over the year
    unknown_race_share: float = 0.01  # stops recorded with race "unknown"
    thresholds: Mapping[str, float] = field(default_factory=_default_thresholds)
    phi: float = 0.03  # base probability of carrying contraband
    phi_by_race: Mapping[str, float] = field(default_factory=dict)
    delta: float = 1.5  # separation of the guilty signal
    district_sd: float = 0.1


@dataclass(frozen=True)
class City:
    """The residents and planted parameters a generated file is drawn from."""

    params: CityParams
    races: tuple[str, ...]  # the races residents have (no "unknown")
    districts: tuple[str, ...]
    district_population: FloatArray  # (districts, races) residents
    district_centroids: dict[str, tuple[float, float]]
    phi: FloatArray  # (races, districts)
    delta: FloatArray
    threshold: FloatArray

    @property
    def population(self) -> dict[str, float]:
        totals = self.district_population.sum(axis=0)
        return {race: float(totals[i]) for i, race in enumerate(self.races)}

    def truth(self) -> dict[str, Any]:
        """The planted effects, JSON-safe, for a report's reader or a test."""
        p = self.params
        return {
            "vod_dark_log_odds": p.vod_dark_log_odds,
            "thresholds": dict(p.thresholds),
            "stop_multiplier": dict(p.stop_multiplier),
            "population": self.population,
            "district_thresholds": {
                race: {d: float(self.threshold[i, j]) for j, d in enumerate(self.districts)}
                for i, race in enumerate(self.races)
            },
        }


def build_city(params: CityParams) -> City:
    rng = np.random.default_rng(np.random.SeedSequence([params.seed, 0x5EED]))
    races = tuple(r for r in RACES if r in params.race_shares)
    shares = np.array([params.race_shares[r] for r in races], dtype=float)
    shares /= shares.sum()
    n_d = params.n_districts
    sizes = rng.dirichlet(np.full(n_d, 8.0)) * params.population
    mixes = rng.dirichlet(shares * params.district_concentration, size=n_d)
    district_population = sizes[:, None] * mixes
    districts = tuple(f"D{i + 1:02d}" for i in range(n_d))
    angles = np.linspace(0.0, 2 * math.pi, n_d, endpoint=False)
    radius = np.where(np.arange(n_d) == 0, 0.0, 0.05)
    centroids = {
        d: (
            float(params.lat + radius[i] * math.sin(angles[i])),
            float(params.lng + radius[i] * math.cos(angles[i])),
        )
        for i, d in enumerate(districts)
    }
    e = rng.normal(0.0, params.district_sd, n_d)
    f = rng.normal(0.0, params.district_sd, n_d)
    g = rng.normal(0.0, params.district_sd, n_d)
    phi_r = np.array([params.phi_by_race.get(r, params.phi) for r in races])
    t_r = np.array([params.thresholds.get(r, 0.25) for r in races])
    phi = expit(logit(phi_r)[:, None] + e[None, :])
    delta = params.delta * np.exp(np.broadcast_to(f[None, :], (len(races), n_d)))
    threshold = expit(logit(t_r)[:, None] + g[None, :])
    return City(
        params=params,
        races=races,
        districts=districts,
        district_population=district_population,
        district_centroids=centroids,
        phi=np.asarray(phi, dtype=float),
        delta=np.asarray(delta, dtype=float),
        threshold=np.asarray(threshold, dtype=float),
    )


def expected_search_hit(
    phi: FloatArray | float, delta: FloatArray | float, threshold: FloatArray | float
) -> tuple[FloatArray, FloatArray]:
    """Closed-form search rate and hit rate of the threshold model (see module docstring).

    The risk ``p(x)`` is increasing in ``x``, so ``p(x) > t`` iff ``x > x_t`` with
    ``x_t = (logit t - logit phi) / delta + delta / 2``; then
    ``search = phi (1 - Phi(x_t - delta)) + (1 - phi)(1 - Phi(x_t))`` and
    ``hit = phi (1 - Phi(x_t - delta)) / search``.
    """
    ph = np.asarray(phi, dtype=float)
    de = np.asarray(delta, dtype=float)
    x_t = (logit(np.asarray(threshold, dtype=float)) - logit(ph)) / de + de / 2
    guilty_searched = ph * norm.sf(x_t - de)
    search = guilty_searched + (1 - ph) * norm.sf(x_t)
    return np.asarray(search, dtype=float), np.asarray(guilty_searched / search, dtype=float)


def sun_minutes(params: CityParams) -> tuple[IntArray, IntArray]:
    """Civil dawn and civil dusk (minutes since local midnight) for each day of the year."""
    from astral import Observer
    from astral.sun import dawn, dusk

    zone = ZoneInfo(params.tz)
    observer = Observer(latitude=params.lat, longitude=params.lng)
    start = dt.date(params.year, 1, 1)
    days = (dt.date(params.year + 1, 1, 1) - start).days
    dawns = np.empty(days, dtype=np.int64)
    dusks = np.empty(days, dtype=np.int64)
    for i in range(days):
        day = start + dt.timedelta(days=i)
        a = dawn(observer, day, tzinfo=zone)
        b = dusk(observer, day, tzinfo=zone)
        dawns[i] = a.hour * 60 + a.minute
        dusks[i] = b.hour * 60 + b.minute
    return dawns, dusks


def _chunk_rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, 0xC0FFEE, index]))


def _categorical(rng: np.random.Generator, weights: FloatArray) -> IntArray:
    """One draw per row from the row's (unnormalized) weights, vectorized."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(weights.shape[0]) * cum[:, -1]
    out: IntArray = np.minimum((cum < u[:, None]).sum(axis=1), weights.shape[1] - 1).astype(
        np.int64
    )
    return out


def _pick(rng: np.random.Generator, labels: list[str], probs: list[float], n: int) -> Any:
    return rng.choice(np.array(labels, dtype=object), size=n, p=np.array(probs) / sum(probs))


def iter_chunks(city: City, *, chunk: int = CHUNK) -> Iterator[pa.Table]:
    """The city's stops as Arrow tables of at most ``chunk`` rows, in OPP columns."""
    p = city.params
    dawns, dusks = sun_minutes(p)
    days = len(dawns)
    day_w = 1 + p.seasonal_amplitude * np.sin(2 * math.pi * (np.arange(days) - 100) / days)
    day_p = day_w / day_w.sum()
    hour_p = np.array(HOUR_WEIGHTS) / sum(HOUR_WEIGHTS)
    races = city.races
    n_r = len(races)
    black = races.index("black") if "black" in races else -1
    mult = np.array([p.stop_multiplier.get(r, 1.0) for r in races])
    base_w = city.district_population * mult[None, :]  # (districts, races)
    district_p = base_w.sum(axis=1) / base_w.sum()
    start_ordinal = dt.date(p.year, 1, 1).toordinal()
    epoch_ordinal = dt.date(1970, 1, 1).toordinal()
    x_t = (logit(city.threshold) - logit(city.phi)) / city.delta + city.delta / 2
    lat_c = np.array([city.district_centroids[d][0] for d in city.districts])
    lng_c = np.array([city.district_centroids[d][1] for d in city.districts])
    districts = np.array(city.districts, dtype=object)
    race_labels = np.array([*races, "unknown"], dtype=object)

    done = 0
    index = 0
    while done < p.n_stops:
        n = min(chunk, p.n_stops - done)
        rng = _chunk_rng(p.seed, index)
        day = rng.choice(days, size=n, p=day_p)
        minute = rng.choice(24, size=n, p=hour_p) * 60 + rng.integers(0, 60, size=n)
        dark = (minute >= dusks[day]) | (minute < dawns[day])
        d = rng.choice(len(city.districts), size=n, p=district_p)
        w = base_w[d].copy()
        if black >= 0:
            trend = p.time_trend * np.sin(2 * math.pi * (minute - 360) / 1440)
            w[:, black] *= np.exp(trend + p.vod_dark_log_odds * dark)
        r = _categorical(rng, w)
        guilty = rng.random(n) < city.phi[r, d]
        signal = rng.normal(0.0, 1.0, n) + city.delta[r, d] * guilty
        searched = signal > x_t[r, d]
        unknown = rng.random(n) < p.unknown_race_share
        race_idx = np.where(unknown, n_r, r)
        basis = _pick(
            rng,
            # Discretionary bases only (OPP's outcome test drops "other"), so every search
            # is one the threshold model describes.
            ["probable cause", "consent", "plain view", "k9"],
            [0.6, 0.25, 0.1, 0.05],
            n,
        )
        frisk = rng.random(n) < np.where(searched, 0.5, 0.03)
        arrest = rng.random(n) < np.where(searched & guilty, 0.6, 0.02)
        citation = rng.random(n) < 0.55
        sex = _pick(rng, ["male", "female"], [0.65, 0.35], n)
        dates = (start_ordinal - epoch_ordinal + day).astype(np.int32)
        seconds = (minute * 60 + rng.integers(0, 60, size=n)).astype(np.int32)
        # OPP publishes clock times as "HH:MM:SS" text; Arrow formats them from time32.
        times = pa.array(seconds, type=pa.time32("s")).cast(pa.string())
        table = pa.table(
            {
                "raw_row_number": pa.array(np.arange(done + 1, done + n + 1, dtype=np.int64)),
                "date": pa.array(dates, type=pa.int32()).cast(pa.date32()),
                "time": times,
                "lat": pa.array(lat_c[d] + rng.normal(0.0, 0.01, n)),
                "lng": pa.array(lng_c[d] + rng.normal(0.0, 0.01, n)),
                "district": pa.array(districts[d], type=pa.string()),
                "subject_race": pa.array(race_labels[race_idx], type=pa.string()),
                "subject_sex": pa.array(sex, type=pa.string()),
                "type": pa.array(np.full(n, "vehicular", dtype=object), type=pa.string()),
                "arrest_made": pa.array(arrest),
                "citation_issued": pa.array(citation),
                "warning_issued": pa.array(~citation),
                "frisk_performed": pa.array(frisk),
                "search_conducted": pa.array(searched),
                "search_basis": pa.array(basis, type=pa.string(), mask=~searched),
                "contraband_found": pa.array(guilty, mask=~searched),
            }
        )
        yield table
        done += n
        index += 1


def generate(params: CityParams) -> tuple[City, pa.Table]:
    """The whole file in memory (fine up to a few million rows)."""
    city = build_city(params)
    return city, pa.concat_tables(list(iter_chunks(city)))


def write(params: CityParams, path: str | Path) -> City:
    """Write the stops to ``path`` (.parquet, or .csv / .csv.gz as OPP publishes them)."""
    path = Path(path)
    city = build_city(params)
    name = path.name.lower()
    if name.endswith(".parquet"):
        writer: Any = None
        for table in iter_chunks(city):
            if writer is None:
                writer = pq.ParquetWriter(str(path), table.schema, compression="snappy")
            writer.write_table(table, row_group_size=CHUNK)
        if writer is not None:
            writer.close()
        return city
    if name.endswith((".csv", ".csv.gz")):
        stream = pa.CompressedOutputStream(str(path), "gzip") if name.endswith(".gz") else None
        sink: Any = stream if stream is not None else pa.OSFile(str(path), "wb")
        csv_writer: Any = None
        try:
            for table in iter_chunks(city):
                if csv_writer is None:
                    csv_writer = pacsv.CSVWriter(sink, table.schema)
                csv_writer.write_table(table)
        finally:
            if csv_writer is not None:
                csv_writer.close()
            sink.close()
        return city
    raise ValueError(f"{path.name}: write .parquet, .csv or .csv.gz")
