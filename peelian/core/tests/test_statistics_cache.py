"""Public statistics are computed at most once per cache period, and failures aren't cached."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from peelian.core.registry import Statistic, StatisticResult, StatisticValue
from peelian.core.statistics import statistic_result

pytestmark = pytest.mark.django_db


def _counting_statistic(calls: list[int], *, fail: bool = False) -> Statistic:
    def compute() -> StatisticResult:
        calls.append(1)
        if fail:
            raise RuntimeError("source down")
        return StatisticResult(
            values=(StatisticValue("n", float(len(calls)), len(calls)),),
            unit="count",
            as_of=dt.date(2026, 1, 1),
        )

    return Statistic("cached-test", "T", 1, "m", "d", "u", compute)


def test_cached_within_the_period(settings):
    settings.PEELIAN_STATISTICS_CACHE_SECONDS = 60
    cache.clear()
    calls: list[int] = []
    stat = _counting_statistic(calls)
    first = statistic_result(stat)
    second = statistic_result(stat)
    assert len(calls) == 1
    assert first == second
    cache.clear()
    assert statistic_result(stat).values[0].value == 2.0


def test_no_cache_when_disabled(settings):
    settings.PEELIAN_STATISTICS_CACHE_SECONDS = 0
    calls: list[int] = []
    stat = _counting_statistic(calls)
    statistic_result(stat)
    statistic_result(stat)
    assert len(calls) == 2


def test_failures_are_not_cached(settings):
    settings.PEELIAN_STATISTICS_CACHE_SECONDS = 60
    cache.clear()
    calls: list[int] = []
    with pytest.raises(RuntimeError):
        statistic_result(_counting_statistic(calls, fail=True))
    with pytest.raises(RuntimeError):
        statistic_result(_counting_statistic(calls, fail=True))
    assert len(calls) == 2
    cache.clear()
