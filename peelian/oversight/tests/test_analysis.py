"""Golden tests for the pure statistics. Expected values were computed by hand from the
formulas' definitions (exact binomial sums with integers; chi-square quantiles from
published tables), not by the code under test.

Tolerances: 1e-4 for interval ends given to four places in the tables.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from math import comb

import pytest

from peelian.oversight import analysis


def test_wilson_interval_matches_the_published_example():
    # Brown, Cai & DasGupta's running example style: 8 of 20 at 95% -> (0.2188, 0.6134).
    low, high = analysis.wilson_interval(8, 20, 0.95)
    assert low == pytest.approx(0.2188, abs=1e-4)
    assert high == pytest.approx(0.6134, abs=1e-4)


def test_binomial_cdf_is_exact():
    # P(B <= 1) for n = 10: (1 + 10) / 1024.
    assert analysis.binomial_cdf(1, 10) == pytest.approx(11 / 1024, abs=1e-15)
    expected = float(sum(Fraction(comb(20, i), 2**20) for i in range(6)))
    assert analysis.binomial_cdf(5, 20) == pytest.approx(expected, abs=1e-15)
    assert analysis.binomial_cdf(-1, 5) == 0.0
    assert analysis.binomial_cdf(5, 5) == 1.0


@pytest.mark.parametrize(
    ("n", "lower", "upper"),
    [
        # Conover (1999), Table A3 / hand computation with exact binomial sums:
        # the largest l with P(B <= l - 1) <= 0.025.
        (6, 1, 6),  # P(B <= 0) = 1/64 = 0.0156
        (10, 2, 9),  # P(B <= 1) = 11/1024 = 0.0107; P(B <= 2) = 56/1024 = 0.0547
        (20, 6, 15),  # P(B <= 5) = 0.0207; P(B <= 6) = 0.0577
        (100, 40, 61),  # P(B <= 39) = 0.0176; P(B <= 40) = 0.0284
    ],
)
def test_median_interval_ranks(n, lower, upper):
    values = list(range(1, n + 1))
    est = analysis.median_with_interval(values)
    assert (est.lower_rank, est.upper_rank) == (lower, upper)
    assert (est.low, est.high) == (float(lower), float(upper))
    p_tail = sum(Fraction(comb(n, i), 2**n) for i in range(lower))
    assert est.coverage == pytest.approx(float(1 - 2 * p_tail), abs=1e-12)
    assert est.coverage >= 0.95


def test_median_and_its_interval_on_unsorted_values_with_ties():
    values = [30, 12, 45, 12, 60, 90, 7, 21, 33, 40]
    est = analysis.median_with_interval(values)
    # Sorted: 7 12 12 21 30 33 40 45 60 90 -> median (30 + 33) / 2; x(2) = 12, x(9) = 60.
    assert est.n == 10
    assert est.median == 31.5
    assert (est.low, est.high) == (12.0, 60.0)


def test_median_with_too_few_values_has_no_interval():
    est = analysis.median_with_interval([4, 8, 1, 9, 2])
    assert est.median == 4.0
    assert est.low is None
    assert est.high is None
    assert analysis.median_with_interval([]).median is None
    with pytest.raises(ValueError, match="confidence"):
        analysis.median_with_interval([1, 2], confidence=1.5)


@pytest.mark.parametrize(
    ("count", "low", "high"),
    [
        # chi2(0.025; 2k)/2 and chi2(0.975; 2k+2)/2 from chi-square tables; the count of
        # 50 by solving the Poisson tail sums in 50-digit decimal arithmetic (the script
        # is in this test's docstring below).
        (0, 0.0, 3.6889),
        (1, 0.0253, 5.5716),
        (10, 4.7954, 18.3904),
        (50, 37.1109, 65.9188),
    ],
)
def test_poisson_interval_matches_chi_square_tables(count, low, high):
    """For 50: with ``decimal`` at 50 digits, ``cdf(k, mu) = sum(exp(-mu) mu^i / i!)``;
    cdf(50, 65.9188) = 0.0249998 and 1 - cdf(49, 37.1109) = 0.0249994..0.0250004."""
    got = analysis.poisson_interval(count)
    assert got[0] == pytest.approx(low, abs=1e-4)
    assert got[1] == pytest.approx(high, abs=1e-4)


def test_finding_rates_share_and_denominator():
    findings = ["sustained"] * 3 + ["unfounded"] * 5 + ["exonerated"] * 2 + ["", ""]
    rates = analysis.finding_rates(findings, ["sustained", "unfounded", "policy_failure"])
    assert [(r.label, r.count, r.n) for r in rates] == [
        ("sustained", 3, 10),
        ("unfounded", 5, 10),
        ("policy_failure", 0, 10),
    ]
    assert rates[0].share == pytest.approx(0.3)
    assert rates[0].interval == pytest.approx(analysis.wilson_interval(3, 10))
    assert rates[2].interval[0] == 0.0
    empty = analysis.finding_rates([], ["sustained"])
    assert empty[0].share is None
    assert empty[0].interval is None


def test_agreement_rate_ignores_unanswered():
    rate = analysis.agreement_rate([True, True, False, None, True, None])
    assert (rate.count, rate.n) == (3, 4)
    assert rate.share == 0.75
    assert analysis.agreement_rate([None]).share is None


def test_monthly_counts_cover_the_full_months_before_as_of():
    as_of = dt.date(2026, 3, 15)
    days = [dt.date(2026, 2, 1), dt.date(2026, 2, 28), dt.date(2025, 3, 31), dt.date(2026, 3, 1)]
    counts = analysis.monthly_counts(days, as_of, 12)
    assert counts[0] == (dt.date(2025, 3, 1), 1)
    assert counts[-1] == (dt.date(2026, 2, 1), 2)
    assert len(counts) == 12
    assert sum(n for _m, n in counts) == 3  # March 2026 is the current, partial month
