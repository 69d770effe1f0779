"""Pure functions behind the agency's published numbers (no Django here).

* ``wilson_interval``: the Wilson score interval for a binomial proportion
  (E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
  JASA 22, 1927; recommended by Brown, Cai and DasGupta, Statistical Science 16, 2001).
* ``representation``: each group's share of the workforce against its share of residents.
* ``suppress_small_cells``: primary and complementary suppression of counts of 1 to 4.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for ``successes`` out of ``n`` at ``confidence``.

    With p = successes / n and z the two-sided normal quantile::

        centre = (p + z^2 / 2n) / (1 + z^2 / n)
        half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)

    For 8 out of 20 at 95% this gives (0.2188, 0.6134).
    """
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # At 0 or n successes the ends are exactly 0 or 1; rounding would leave a hair off.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class GroupRepresentation:
    group: str
    officers: int
    residents: int
    officer_share: float
    resident_share: float
    ratio: float | None  # officer share / resident share; None when no residents in the group
    ratio_interval: tuple[float, float] | None
    officer_share_interval: tuple[float, float]


@dataclass(frozen=True)
class Representation:
    officers_total: int
    residents_total: int
    groups: tuple[GroupRepresentation, ...]


def representation(
    officers: Mapping[str, int],
    residents: Mapping[str, int],
    groups: Sequence[str],
    confidence: float = 0.95,
) -> Representation | None:
    """Each group's share of officers and of residents, and their ratio.

    The officer share's interval is the Wilson interval treating the workforce as n draws
    from a hiring process; the ratio's interval divides its ends by the resident share,
    which is taken as known (a full count). Returns None when there are no officers or no
    residents.
    """
    n_off = sum(officers.get(g, 0) for g in groups)
    n_res = sum(residents.get(g, 0) for g in groups)
    if n_off <= 0 or n_res <= 0:
        return None
    out = []
    for g in groups:
        k = officers.get(g, 0)
        r = residents.get(g, 0)
        o_share = k / n_off
        r_share = r / n_res
        interval = wilson_interval(k, n_off, confidence)
        ratio = o_share / r_share if r_share > 0 else None
        ratio_interval = (interval[0] / r_share, interval[1] / r_share) if r_share > 0 else None
        out.append(
            GroupRepresentation(
                group=g,
                officers=k,
                residents=r,
                officer_share=o_share,
                resident_share=r_share,
                ratio=ratio,
                ratio_interval=ratio_interval,
                officer_share_interval=interval,
            )
        )
    return Representation(officers_total=n_off, residents_total=n_res, groups=tuple(out))


# --- small-cell suppression -----------------------------------------------------------------

SMALL_CELL_MIN = 1
SMALL_CELL_MAX = 4


@dataclass(frozen=True)
class Cell:
    key: tuple[str, ...]
    count: int | None  # None when suppressed
    suppressed: bool


def suppress_small_cells(
    counts: Mapping[tuple[str, ...], int], *, group_by: int | None = 0
) -> list[Cell]:
    """Suppress counts of 1 to 4 (primary suppression), and, within each group of cells
    sharing the key part at index ``group_by``, one more cell whenever a group would
    otherwise have exactly one suppressed cell (complementary suppression): a group total
    published elsewhere could otherwise recover the hidden count by subtraction. The
    complement is the group's smallest remaining cell above zero; when every other cell is
    zero, all of them are hidden. Zero is otherwise published: it counts no one. The order
    of ``counts`` is kept.
    """
    suppressed = {key for key, n in counts.items() if SMALL_CELL_MIN <= n <= SMALL_CELL_MAX}
    if group_by is not None:
        groups: dict[str, list[tuple[str, ...]]] = {}
        for key in counts:
            groups.setdefault(key[group_by], []).append(key)
        for keys in groups.values():
            hidden = [k for k in keys if k in suppressed]
            if len(hidden) != 1:
                continue
            rest = [k for k in keys if k not in suppressed]
            if not rest:
                continue
            positive = [k for k in rest if counts[k] > 0]
            if positive:
                suppressed.add(min(positive, key=lambda k: (counts[k], keys.index(k))))
            else:
                # Every other cell is zero: hiding any one zero would point at the hidden
                # cell by elimination, so hide them all; only the group total is known.
                suppressed.update(rest)
    return [
        Cell(key=key, count=None if key in suppressed else n, suppressed=key in suppressed)
        for key, n in counts.items()
    ]
