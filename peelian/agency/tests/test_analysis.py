"""The pure statistics: Wilson interval, representation, small-cell suppression."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from peelian.agency.analysis import representation, suppress_small_cells, wilson_interval

Z95 = 1.959963984540054  # the 0.975 quantile of the standard normal


def wilson_by_quadratic(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """An independent route to the Wilson interval: the p for which the score test is on
    the edge, (p_hat - p)^2 = z^2 p (1 - p) / n, solved as a quadratic in p."""
    p_hat = k / n
    a = 1 + z * z / n
    b = -(2 * p_hat + z * z / n)
    c = p_hat * p_hat
    low, high = sorted(np.roots([a, b, c]).real)
    return float(low), float(high)


def test_wilson_textbook_values():
    # 8 out of 20 at 95%: the commonly quoted textbook example.
    low, high = wilson_interval(8, 20)
    assert (round(low, 4), round(high, 4)) == (0.2188, 0.6134)
    # 0 out of 10: the lower end is exactly 0 and the upper z^2 / (n + z^2).
    low, high = wilson_interval(0, 10)
    assert low == 0
    assert high == pytest.approx(Z95**2 / (10 + Z95**2))
    assert round(high, 4) == 0.2775


@pytest.mark.parametrize(("k", "n"), [(1, 3), (8, 20), (81, 263), (500, 2000), (1999, 2000)])
def test_wilson_matches_the_quadratic(k, n):
    assert wilson_interval(k, n) == pytest.approx(wilson_by_quadratic(k, n), abs=1e-12)


def test_wilson_other_confidence():
    # At 90%, z = 1.6448536269514722.
    z90 = 1.6448536269514722
    assert wilson_interval(8, 20, 0.90) == pytest.approx(wilson_by_quadratic(8, 20, z90))
    assert wilson_interval(8, 20, 0.90)[1] < wilson_interval(8, 20)[1]


@pytest.mark.parametrize(
    ("k", "n", "conf"), [(1, 0, 0.95), (-1, 5, 0.95), (6, 5, 0.95), (1, 5, 1.0)]
)
def test_wilson_refuses_nonsense(k, n, conf):
    with pytest.raises(ValueError, match="must be"):
        wilson_interval(k, n, conf)


@given(n=st.integers(1, 5000), data=st.data())
def test_property_wilson_contains_the_estimate(n, data):
    k = data.draw(st.integers(0, n))
    low, high = wilson_interval(k, n)
    assert 0 <= low <= k / n <= high <= 1


def test_representation():
    officers = {"black": 10, "white": 30}
    residents = {"black": 500, "white": 500}
    result = representation(officers, residents, ["black", "white"])
    assert (result.officers_total, result.residents_total) == (40, 1000)
    black, white = result.groups
    assert black.officer_share == 0.25
    assert black.resident_share == 0.5
    assert black.ratio == 0.5
    low, high = wilson_interval(10, 40)
    assert black.ratio_interval == pytest.approx((low / 0.5, high / 0.5))
    assert white.ratio == 1.5


def test_representation_group_without_residents():
    result = representation({"black": 2, "unknown": 2}, {"black": 10}, ["black", "unknown"])
    unknown = result.groups[1]
    assert unknown.resident_share == 0
    assert unknown.ratio is None
    assert unknown.ratio_interval is None


@pytest.mark.parametrize(
    ("officers", "residents"), [({}, {"black": 1}), ({"black": 1}, {}), ({}, {})]
)
def test_representation_needs_officers_and_residents(officers, residents):
    assert representation(officers, residents, ["black"]) is None


# --- suppression ----------------------------------------------------------------------------


def cells(counts, **kwargs):
    return {c.key: (c.count, c.suppressed) for c in suppress_small_cells(counts, **kwargs)}


def test_primary_suppression_of_one_to_four():
    out = cells({("a",): 0, ("b",): 1, ("c",): 4, ("d",): 5}, group_by=None)
    assert out == {
        ("a",): (0, False),
        ("b",): (None, True),
        ("c",): (None, True),
        ("d",): (5, False),
    }


def test_complementary_suppression_takes_the_smallest_positive_cell():
    counts = {("x", "1"): 3, ("x", "2"): 0, ("x", "3"): 9, ("x", "4"): 7, ("y", "1"): 20}
    out = cells(counts, group_by=0)
    assert out[("x", "1")] == (None, True)
    assert out[("x", "4")] == (None, True)  # 7 < 9
    assert out[("x", "2")] == (0, False)
    assert out[("x", "3")] == (9, False)
    assert out[("y", "1")] == (20, False)


def test_two_primaries_need_no_complement():
    out = cells({("x", "1"): 2, ("x", "2"): 3, ("x", "3"): 50}, group_by=0)
    assert out[("x", "3")] == (50, False)


def test_lone_nonzero_cell_hides_the_whole_group():
    out = cells({("x", "1"): 0, ("x", "2"): 3, ("x", "3"): 0}, group_by=0)
    assert all(suppressed for _count, suppressed in out.values())


@given(
    st.lists(st.integers(0, 12), min_size=6, max_size=6),
    st.lists(st.integers(0, 12), min_size=6, max_size=6),
)
def test_property_no_hidden_cell_can_be_recovered_from_group_totals(xs, ys):
    counts = {("x", str(i)): n for i, n in enumerate(xs)}
    counts.update({("y", str(i)): n for i, n in enumerate(ys)})
    out = suppress_small_cells(counts, group_by=0)
    for cell in out:
        n = counts[cell.key]
        if 1 <= n <= 4:
            assert cell.suppressed
            assert cell.count is None
        if not cell.suppressed:
            assert cell.count == n
    for group in ("x", "y"):
        hidden = [c for c in out if c.key[0] == group and c.suppressed]
        # One hidden cell in a group would equal the group total minus the rest.
        assert len(hidden) != 1
