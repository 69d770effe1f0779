"""The full report: every requested test, each isolated, JSON-safe (analysis/report.py)."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from peelian.stops.analysis import engine, report, synthetic
from peelian.stops.analysis.options import AnalysisOptions
from peelian.stops.analysis.schema import RACES

PARAMS = synthetic.CityParams(n_stops=30_000, seed=21, n_districts=5)


@pytest.fixture(scope="module")
def city_source(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "stops.parquet"
    city = synthetic.write(PARAMS, path)
    return city, engine.from_file(path)


def _options(city, **kw):
    base = {
        "lat": PARAMS.lat,
        "lng": PARAMS.lng,
        "tz": PARAMS.tz,
        "population": city.population,
        "population_source": "synthetic",
        "chains": 2,
        "warmup": 300,
        "draws": 300,
        "robustness": False,
    }
    base.update(kw)
    return AnalysisOptions(**base)


def test_full_report_runs_every_test_and_is_json_safe(city_source):
    city, source = city_source
    out = report.report_for_source(source, _options(city))
    json.dumps(out, allow_nan=False)  # raises on NaN / inf / numpy types
    assert set(out) == {*report.REPORT_KEYS, "data_quality", "meta"}
    assert out["meta"]["rows"] == PARAMS.n_stops
    assert out["meta"]["first_date"] == "2019-01-01"
    assert out["meta"]["engine"] == "duckdb"
    assert out["meta"]["errors"] == {}
    assert set(out["meta"]["seconds"]) >= {"rates", "vod", "outcome", "threshold", "total"}
    assert out["data_quality"]["rows"] == PARAMS.n_stops
    for key in report.REPORT_KEYS:
        assert out[key]["insufficient_data"] is None, (key, out[key]["insufficient_data"])
        assert isinstance(out[key]["method"], str)
        assert len(out[key]["method"]) > 20
    # Every stop of a race with residents is counted once (the file's own count).
    races = pq.read_table(source.description, columns=["subject_race"]).to_pandas()
    by_race = {r: v for r, v in out["stop_rate"].items() if r in RACES}
    assert sum(v["n_stops"] for v in by_race.values()) == (races.subject_race != "unknown").sum()
    # Planted: black drivers are stopped 1.8x as often per resident as white drivers, and
    # searched at a lower threshold; the report's intervals should show both directions.
    assert out["stop_rate"]["ratio_vs_white"]["black"]["lower"] > 1.0
    assert out["rates"]["search"]["ratio_vs_white"]["black"]["lower"] > 1.0


def test_a_failing_test_does_not_stop_the_others(city_source):
    city, source = city_source

    def broken(t, options):
        raise RuntimeError("boom")

    def weird(t, options):
        return {
            "method": "m",
            "insufficient_data": None,
            "nan": float("nan"),
            "inf": np.float64(np.inf),
            "arr": np.array([1, 2]),
            "n": np.int64(3),
            "flag": np.bool_(True),
            "nested": {1: (np.float32(0.5), None)},
        }

    out = report.run_report(
        source.table,
        _options(city, tests=("rates", "vod", "outcome")),
        analyzers={"vod": broken, "outcome": weird},
    )
    json.dumps(out, allow_nan=False)
    assert out["veil_of_darkness"]["insufficient_data"] == "error: RuntimeError: boom"
    assert out["meta"]["errors"] == {"vod": "RuntimeError: boom"}
    assert out["stop_rate"]["insufficient_data"] is None  # rates ran
    o = out["outcome_test"]
    assert (o["nan"], o["inf"], o["arr"], o["n"], o["flag"]) == (None, None, [1, 2], 3, True)
    assert o["nested"] == {"1": [0.5, None]}
    assert out["threshold_test"]["insufficient_data"] == "not requested"
    assert out["data_quality"]["insufficient_data"] == "data quality was not computed"


def test_missing_columns_unknown_tests_and_absent_modules_are_reported(city_source, monkeypatch):
    city, source = city_source
    out = report.run_report(
        source.table,
        _options(city, tests=("vod", "bogus", "outcome")),
        columns=["date", "subject_race", "search_conducted", "contraband_found"],
        analyzers={"outcome": lambda t, o: {"method": "m", "insufficient_data": None}},
    )
    assert out["veil_of_darkness"]["insufficient_data"] == "missing column(s): time"
    assert "bogus" in out["meta"]["errors"]
    assert out["outcome_test"] == {"method": "m", "insufficient_data": None}
    monkeypatch.setitem(
        report.MODULES, "threshold", ("peelian.stops.analysis.nope", "threshold_test")
    )
    out = report.run_report(source.table, _options(city, tests=("threshold",)))
    assert out["threshold_test"]["insufficient_data"].startswith("not available")


def test_a_failing_quality_count_does_not_stop_the_analyses(city_source, monkeypatch):
    city, source = city_source
    from peelian.stops.analysis import frame

    def broken(*args, **kwargs):
        raise RuntimeError("no count")

    monkeypatch.setattr(frame, "quality", broken)
    out = report.report_for_source(source, _options(city, tests=("rates",)))
    assert out["data_quality"]["insufficient_data"] == "error: RuntimeError: no count"
    assert out["meta"]["errors"] == {"data_quality": "RuntimeError: no count"}
    assert out["stop_rate"]["insufficient_data"] is None
