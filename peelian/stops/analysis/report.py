"""The full stop-data report: every requested analysis over one normalized table.

``run_report`` runs the tests in ``options.tests`` one after the other. Each runs inside its
own guard: a test that raises becomes ``{"insufficient_data": "error: ...", "error": ...}``
and the others still run. The result is JSON-safe (NaN and infinities become ``None``;
numpy and pandas scalars become Python numbers and ISO strings).

Top-level keys: ``stop_rate``, ``rates`` (from :mod:`rates`), ``veil_of_darkness`` (``vod``),
``outcome_test`` (``outcome``), ``threshold_test`` (``threshold``), ``data_quality`` (from
:func:`frame.quality`, when given), ``meta`` (rows, date range, engine, seconds per step).
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from peelian.stops.analysis.options import AnalysisOptions
from peelian.stops.analysis.schema import REQUIRED_BY_TEST, TESTS

# Test name -> (module, report key). "rates" fills two keys (stop_rate and rates).
MODULES: dict[str, tuple[str, str]] = {
    "rates": ("peelian.stops.analysis.rates", "rates"),
    "vod": ("peelian.stops.analysis.vod", "veil_of_darkness"),
    "outcome": ("peelian.stops.analysis.outcome", "outcome_test"),
    "threshold": ("peelian.stops.analysis.threshold", "threshold_test"),
}
REPORT_KEYS = ("stop_rate", "rates", "veil_of_darkness", "outcome_test", "threshold_test")

Analyzer = Callable[[ir.Table, AnalysisOptions], dict[str, Any]]


def json_safe(value: Any) -> Any:
    """A copy of ``value`` that ``json.dumps(..., allow_nan=False)`` accepts."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return [json_safe(r) for r in value.to_dict("records")]
    if isinstance(value, pd.Series | np.ndarray | list | tuple | set | frozenset):
        return [json_safe(v) for v in list(value)]
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | dt.time):
        return None if pd.isna(value) else value.isoformat()
    if value is pd.NaT or value is pd.NA:
        return None
    return str(value)


def _unavailable(reason: str) -> dict[str, Any]:
    return {"method": None, "insufficient_data": reason}


def load_analyzer(test: str) -> Analyzer | None:
    """The ``analyze`` function of a test's module, or None while it does not exist."""
    module_name = MODULES[test][0]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    analyze: Analyzer = module.analyze
    return analyze


def summary_counts(t: ir.Table) -> dict[str, Any]:
    row = (
        t.aggregate(rows=t.count(), first_date=t.stop_date.min(), last_date=t.stop_date.max())
        .to_pandas()
        .iloc[0]
    )

    def day(value: Any) -> str | None:
        return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()

    return {
        "rows": int(row["rows"]),
        "first_date": day(row["first_date"]),
        "last_date": day(row["last_date"]),
    }


def run_report(
    t: ir.Table,
    options: AnalysisOptions,
    *,
    quality: Mapping[str, Any] | None = None,
    engine: str | None = None,
    columns: Collection[str] | None = None,
    analyzers: Mapping[str, Analyzer] | None = None,
) -> dict[str, Any]:
    """Run ``options.tests`` on the normalized table ``t``.

    ``columns`` are the source's own (OPP-named) columns: a test whose required columns
    (:data:`schema.REQUIRED_BY_TEST`) are absent is reported as such without running.
    ``analyzers`` overrides the module functions (tests use it to inject failures).
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    out: dict[str, Any] = {key: _unavailable("not requested") for key in REPORT_KEYS}
    tick = time.perf_counter()
    meta: dict[str, Any] = {"engine": engine, "tests": list(options.tests), "errors": {}}
    try:
        meta.update(summary_counts(t))
    except Exception as exc:  # the table itself is unreadable: nothing else can run
        meta["errors"]["summary"] = f"{type(exc).__name__}: {exc}"
        meta["rows"] = None
    timings["summary"] = time.perf_counter() - tick

    for test in options.tests:
        if test not in TESTS:
            meta["errors"][test] = f"unknown test {test!r} (choose from {', '.join(TESTS)})"
            continue
        key = MODULES[test][1]
        tick = time.perf_counter()
        missing = [c for c in REQUIRED_BY_TEST[test] if columns is not None and c not in columns]
        result: dict[str, Any]
        if missing:
            result = _unavailable(f"missing column(s): {', '.join(missing)}")
        else:
            analyze = (analyzers or {}).get(test) or load_analyzer(test)
            if analyze is None:
                result = _unavailable(f"not available: {MODULES[test][0]} is not installed")
            else:
                try:
                    result = analyze(t, options)
                except Exception as exc:
                    message = f"{type(exc).__name__}: {exc}"
                    meta["errors"][test] = message
                    result = {
                        "method": None,
                        "insufficient_data": f"error: {message}",
                        "error": message,
                    }
        timings[test] = time.perf_counter() - tick
        if test == "rates" and "stop_rate" in result and "rates" in result:
            out["stop_rate"] = result["stop_rate"]
            out["rates"] = result["rates"]
        elif test == "rates":
            out["stop_rate"] = dict(result)
            out["rates"] = dict(result)
        else:
            out[key] = result

    out["data_quality"] = (
        dict(quality) if quality is not None else _unavailable("data quality was not computed")
    )
    timings["total"] = time.perf_counter() - started
    meta["seconds"] = timings
    out["meta"] = meta
    safe: dict[str, Any] = json_safe(out)
    return safe


def report_for_source(
    source: Any,
    options: AnalysisOptions,
    *,
    district_column: str | None = None,
    analyzers: Mapping[str, Analyzer] | None = None,
) -> dict[str, Any]:
    """``run_report`` on an :class:`engine.Source`, with its data-quality counts."""
    from peelian.stops.analysis import frame

    tick = time.perf_counter()
    quality: dict[str, Any] | None = None
    columns: list[str] | None = None
    quality_error: str | None = None
    if source.raw is not None:
        columns = list(source.raw.columns)
        try:
            quality = frame.quality(
                source.raw, district_column=district_column, bounds=options.bounds
            )
        except Exception as exc:  # a failed count must not cost the analyses
            quality_error = f"{type(exc).__name__}: {exc}"
            quality = {"method": None, "insufficient_data": f"error: {quality_error}"}
    quality_seconds = time.perf_counter() - tick
    result = run_report(
        source.table,
        options,
        quality=quality,
        engine=source.engine,
        columns=columns,
        analyzers=analyzers,
    )
    result["meta"]["seconds"]["data_quality"] = quality_seconds
    result["meta"]["seconds"]["total"] += quality_seconds
    result["meta"]["source"] = source.description
    if quality_error is not None:
        result["meta"]["errors"]["data_quality"] = quality_error
    return result
