"""Computing registered statistics for public pages and the API, with a short cache.

A public portal must stay up when an incident goes viral: statistics are recomputed at most
once per ``PEELIAN_STATISTICS_CACHE_SECONDS`` (default 300) per statistic, whatever the
traffic. Each result carries its ``as_of`` date, which the pages show.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from peelian.core.registry import Statistic, StatisticResult

CACHE_PREFIX = "peelian:statistic:"


def statistic_result(statistic: Statistic) -> StatisticResult:
    """The statistic's result, from the cache when fresh. Exceptions propagate (and are not
    cached); a database error is contained in a savepoint so the caller's transaction
    stays usable."""
    ttl = int(getattr(settings, "PEELIAN_STATISTICS_CACHE_SECONDS", 300))
    key = CACHE_PREFIX + statistic.slug
    if ttl > 0:
        cached = cache.get(key)
        if isinstance(cached, StatisticResult):
            return cached
    with transaction.atomic():
        result = statistic.compute()
    if ttl > 0:
        cache.set(key, result, ttl)
    return result
