"""Pure functions behind the oversight app's published numbers (no Django here).

Every function takes plain values (no querysets, no clock: ``as_of`` is a parameter) and
returns frozen dataclasses, so each published number can be rebuilt from raw data and code.

* ``wilson_interval``: the Wilson score interval for a binomial proportion (E. B. Wilson,
  JASA 22, 1927; recommended by Brown, Cai and DasGupta, Statistical Science 16, 2001).
  The agency app's implementation is reused, so both apps publish intervals computed one way.
* ``finding_rates``: each finding's share of the allegations that have a finding.
* ``median_with_interval``: the sample median with a distribution-free confidence interval
  from order statistics (the binomial method: W. J. Conover, *Practical Nonparametric
  Statistics*, 3rd ed., Wiley 1999, section 3.2; Hollander, Wolfe and Chicken,
  *Nonparametric Statistical Methods*, 3rd ed., 2014, section 3.6).
* ``agreement_rate``: the share of the review board's answered recommendations with which
  the agency concurred.
* ``poisson_interval``: the exact (Garwood, Biometrika 28, 1936) interval for a count.
* ``monthly_counts``: counts by calendar month over the months before ``as_of``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from peelian.agency.analysis import wilson_interval

__all__ = [
    "MedianEstimate",
    "Rate",
    "agreement_rate",
    "binomial_cdf",
    "finding_rates",
    "median_with_interval",
    "monthly_counts",
    "poisson_interval",
    "wilson_interval",
]


@dataclass(frozen=True)
class Rate:
    """``count`` out of ``n`` with its share and Wilson interval (``None`` when n is 0)."""

    label: str
    count: int
    n: int
    share: float | None
    interval: tuple[float, float] | None


def _rate(label: str, count: int, n: int, confidence: float) -> Rate:
    if n <= 0:
        return Rate(label, count, n, None, None)
    return Rate(label, count, n, count / n, wilson_interval(count, n, confidence))


def finding_rates(
    findings: Iterable[str], order: Sequence[str], confidence: float = 0.95
) -> tuple[Rate, ...]:
    """Each finding's share of the allegations that have one.

    Method: count the allegations by finding; a finding's share is its count divided by the
    number of allegations with any finding (blank findings are left out of both). Each share
    has a Wilson score interval at ``confidence`` that treats the allegations as independent
    draws, a simplification (allegations of one complaint are related).
    Denominator: allegations with a finding. ``order`` lists the findings to report, in the
    order given; a finding outside ``order`` still counts in the denominator.
    """
    counts = Counter(f for f in findings if f)
    n = sum(counts.values())
    return tuple(_rate(code, counts.get(code, 0), n, confidence) for code in order)


def agreement_rate(answers: Iterable[bool | None], confidence: float = 0.95) -> Rate:
    """The share of answered board recommendations with which the agency concurred.

    Method: ``True`` is a concurrence, ``False`` a disagreement, ``None`` (not answered yet)
    is left out. Denominator: answered recommendations. Wilson score interval at
    ``confidence``.
    """
    answered = [a for a in answers if a is not None]
    return _rate("agreement", sum(1 for a in answered if a), len(answered), confidence)


def binomial_cdf(k: int, n: int, p: float = 0.5) -> float:
    """P(B <= k) for B ~ Binomial(n, p), summed exactly term by term."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return math.fsum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


@dataclass(frozen=True)
class MedianEstimate:
    """The median of ``n`` values and its distribution-free interval.

    ``low``/``high`` are the order statistics x(lower_rank), x(upper_rank) (1-based) and
    ``coverage`` is the interval's exact coverage, at least the confidence asked for.
    They are ``None`` when ``n`` is too small for any interval to reach that confidence
    (fewer than 6 values at 95%).
    """

    n: int
    median: float | None
    low: float | None
    high: float | None
    lower_rank: int | None
    upper_rank: int | None
    coverage: float | None


def median_with_interval(values: Sequence[float], confidence: float = 0.95) -> MedianEstimate:
    """The sample median and a distribution-free confidence interval for the population
    median (the binomial, or order-statistic, method).

    Method: sort the n values x(1) <= ... <= x(n). The number of values below the population
    median is Binomial(n, 1/2), so [x(l), x(u)] with u = n - l + 1 covers the median with
    probability 1 - 2 P(B <= l - 1). ``l`` is the largest rank with P(B <= l - 1) <= alpha/2,
    which gives the shortest symmetric interval whose coverage is at least ``confidence``
    (Conover 1999, section 3.2). For n = 10 at 95%: l = 2, u = 9, coverage 1 - 2 * 11/1024.
    No assumption about the distribution's shape is made; ties do not affect coverage.
    Denominator: the values given. Units: those of the values.
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    xs = sorted(float(v) for v in values)
    n = len(xs)
    if n == 0:
        return MedianEstimate(0, None, None, None, None, None, None)
    mid = n // 2
    median = xs[mid] if n % 2 else (xs[mid - 1] + xs[mid]) / 2
    alpha = 1 - confidence
    lower = 0
    # The largest l (1 <= l <= n/2) with P(B <= l - 1) <= alpha / 2.
    for rank in range(1, n // 2 + 1):
        if binomial_cdf(rank - 1, n) <= alpha / 2:
            lower = rank
        else:
            break
    if lower == 0:
        return MedianEstimate(n, median, None, None, None, None, None)
    upper = n - lower + 1
    coverage = 1 - 2 * binomial_cdf(lower - 1, n)
    return MedianEstimate(n, median, xs[lower - 1], xs[upper - 1], lower, upper, coverage)


def _poisson_cdf(k: int, mu: float) -> float:
    """P(X <= k) for X ~ Poisson(mu), summed in log space so large counts do not overflow."""
    if mu <= 0:
        return 1.0
    terms = [i * math.log(mu) - mu - math.lgamma(i + 1) for i in range(k + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * math.fsum(math.exp(t - top) for t in terms))


def _solve_decreasing(
    func: Callable[[float], float], target: float, low: float, high: float
) -> float:
    """The x in [low, high] where the decreasing function ``func`` crosses ``target``
    (bisection to 1e-10 relative)."""
    for _ in range(200):
        mid = (low + high) / 2
        if func(mid) > target:
            low = mid
        else:
            high = mid
        if high - low <= 1e-10 * max(1.0, high):
            break
    return (low + high) / 2


def poisson_interval(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Garwood 1936) interval for the mean of a Poisson count.

    Method: the lower end is the mean mu with P(X >= count | mu) = alpha/2, the upper end
    the mean with P(X <= count | mu) = alpha/2 (0 for a count of 0). These equal the
    chi-square quantiles chi2(alpha/2; 2k)/2 and chi2(1 - alpha/2; 2k + 2)/2. For a count
    of 10 at 95%: (4.795, 18.390); for 0: (0, 3.689).
    """
    if count < 0:
        raise ValueError("count must not be negative")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    alpha = 1 - confidence
    ceiling = count + 20 * math.sqrt(count + 1) + 20
    upper = _solve_decreasing(lambda mu: _poisson_cdf(count, mu), alpha / 2, 0.0, ceiling)
    if count == 0:
        return 0.0, upper
    # P(X >= count | mu) = 1 - P(X <= count - 1 | mu) increases with mu.
    lower = _solve_decreasing(lambda mu: _poisson_cdf(count - 1, mu), 1 - alpha / 2, 0.0, ceiling)
    return lower, upper


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_months(as_of: dt.date, months: int) -> list[dt.date]:
    """The first days of the ``months`` full calendar months before ``as_of``'s month,
    oldest first."""
    out: list[dt.date] = []
    year, month = as_of.year, as_of.month
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(dt.date(year, month, 1))
    return out[::-1]


def monthly_counts(
    days: Iterable[dt.date], as_of: dt.date, months: int = 12
) -> tuple[tuple[dt.date, int], ...]:
    """Counts of ``days`` in each of the ``months`` full calendar months before the month of
    ``as_of`` (the current, partial month is left out), oldest first, zeros included."""
    wanted = previous_months(as_of, months)
    counts = Counter(month_start(d) for d in days)
    return tuple((m, counts.get(m, 0)) for m in wanted)
