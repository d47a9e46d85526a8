"""The statistics of an evaluation, from counts: pure, with no ORM and no third-party maths.

Every figure for a Likert item comes from its distribution, the number of
answers at each point (``counts[0]`` at the lowest point, 1). So the database
only counts, once per item and point, and nothing here grows with the number
of responses.

Conventions, stated on the pages where the figures appear:

- Points are numbered 1 to k, lowest first.
- The mean and its 95% interval treat the points as equally spaced
  (Student's t with n - 1 degrees of freedom).
- Median and quartiles interpolate linearly between ordered answers (the
  "inclusive" method of spreadsheets, and pandas' default).
- Top box is the highest point; top two box the two highest. Their 95%
  intervals are Wilson score intervals, which stay inside 0-100% and behave
  for small groups.
- The band is the quarter of the scale's range the mean falls in: on 1-4 the
  quarters are 1-1.75, 1.75-2.5, 2.5-3.25 and 3.25-4 (a mean on a boundary
  belongs to the higher quarter).
- Groups of fewer than ``MIN_GROUP`` respondents are not shown in comparisons,
  so that no one's answers can be picked out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

# Two-sided 95%: the normal quantile for Wilson intervals.
Z95 = 1.959963984540054
MIN_GROUP = 5
# Below this many answers a mean's likely range is too wide to tell anyone anything:
# pages say so in words instead of showing it.
MIN_FOR_RANGE = 10
BANDS = ("bottom quarter", "second quarter", "third quarter", "top quarter")


@dataclass(frozen=True)
class Proportion:
    count: int
    n: int
    share: float | None  # 0-1; None when n is 0
    low: float | None  # Wilson 95% interval
    high: float | None


@dataclass(frozen=True)
class Band:
    index: int  # 0 (bottom quarter) to 3 (top quarter)
    name: str
    low: float
    high: float


@dataclass(frozen=True)
class ItemStats:
    """Every figure for one Likert item; ``None`` where there are too few answers to say."""

    points: int
    n: int
    counts: tuple[int, ...]
    shares: tuple[float | None, ...]
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    median: float | None
    q1: float | None
    q3: float | None
    top_box: Proportion
    top_two_box: Proportion
    band: Band | None

    @property
    def lowest(self) -> int:
        """Answers at the lowest point."""
        return self.counts[0] if self.counts else 0

    @property
    def likely_range(self) -> tuple[float, float] | None:
        """The mean's 95% interval as a reader should meet it: kept inside the scale (an
        average cannot fall below its lowest point or above its highest), and ``None``
        with fewer than ``MIN_FOR_RANGE`` answers, when it says too little to be worth
        showing."""
        if self.ci_low is None or self.ci_high is None or self.n < MIN_FOR_RANGE:
            return None
        return max(1.0, self.ci_low), min(float(self.points), self.ci_high)


def item_stats(counts: Sequence[int]) -> ItemStats:
    """The figures for an item answered ``counts[i]`` times at point ``i + 1``."""
    if len(counts) < 2:
        raise ValueError("A Likert scale has at least two points.")
    if any(c < 0 for c in counts):
        raise ValueError("Counts cannot be negative.")
    points = len(counts)
    n = sum(counts)
    shares = tuple((c / n if n else None) for c in counts)
    mean = sd = ci_low = ci_high = None
    if n:
        mean = sum((i + 1) * c for i, c in enumerate(counts)) / n
    if n >= 2 and mean is not None:
        squares = sum(c * (i + 1 - mean) ** 2 for i, c in enumerate(counts))
        sd = math.sqrt(squares / (n - 1))
        half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
        ci_low, ci_high = mean - half, mean + half
    return ItemStats(
        points=points,
        n=n,
        counts=tuple(counts),
        shares=shares,
        mean=mean,
        sd=sd,
        ci_low=ci_low,
        ci_high=ci_high,
        median=quantile(counts, 0.5),
        q1=quantile(counts, 0.25),
        q3=quantile(counts, 0.75),
        top_box=proportion(counts[-1], n),
        top_two_box=proportion(counts[-1] + counts[-2], n),
        band=band(mean, points) if mean is not None else None,
    )


def quantile(counts: Sequence[int], q: float) -> float | None:
    """The ``q`` quantile of the answers, interpolating linearly between ordered answers."""
    n = sum(counts)
    if n == 0:
        return None
    position = (n - 1) * q  # 0-based place in the ordered answers
    below = math.floor(position)
    return _nth(counts, below) + (position - below) * (
        _nth(counts, min(below + 1, n - 1)) - _nth(counts, below)
    )


def _nth(counts: Sequence[int], place: int) -> int:
    """The point of the answer at 0-based ``place`` in order."""
    seen = 0
    for i, count in enumerate(counts):
        seen += count
        if place < seen:
            return i + 1
    raise IndexError(place)


def proportion(count: int, n: int) -> Proportion:
    if n == 0:
        return Proportion(count, 0, None, None, None)
    low, high = wilson(count, n)
    return Proportion(count, n, count / n, low, high)


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for ``successes`` out of ``n``, as shares (0-1)."""
    if n <= 0:
        raise ValueError("The Wilson interval needs at least one answer.")
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def band(mean: float, points: int) -> Band:
    """The quarter of the range 1..``points`` that ``mean`` falls in."""
    width = (points - 1) / 4
    index = min(3, max(0, int((mean - 1) / width)))
    return Band(index, BANDS[index], 1 + index * width, 1 + (index + 1) * width)


def response_rate(responses: int, participants: int) -> float | None:
    """Forms returned per participant, 0-1; ``None`` when participants are not known."""
    return responses / participants if participants > 0 else None


def lowest_point_use(per_respondent: Iterable[int]) -> dict[int, int]:
    """From how many items each respondent rated at the lowest point, how many respondents
    did so on 1, 2, 3... items (respondents who never did are left out)."""
    used: dict[int, int] = {}
    for items in per_respondent:
        if items > 0:
            used[items] = used.get(items, 0) + 1
    return dict(sorted(used.items()))


def compare(groups: Mapping[str, Sequence[int]]) -> dict[str, ItemStats | None]:
    """Each group's figures for one item, or ``None`` for a group under ``MIN_GROUP``."""
    return {
        name: item_stats(counts) if sum(counts) >= MIN_GROUP else None
        for name, counts in groups.items()
    }


# -- Student's t -----------------------------------------------------------------------


@cache
def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t distribution with ``df`` degrees of freedom."""
    if not 0 < p < 1:
        raise ValueError("p must be between 0 and 1.")
    if df < 1:
        raise ValueError("Student's t needs at least one degree of freedom.")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    if p == 0.5:
        return 0.0
    # The upper tail is monotonic in t: halve an interval that holds the answer.
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-12 * max(1.0, high):
            break
    return (low + high) / 2


def t_cdf(t: float, df: int) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t >= 0 else tail


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    # The continued fraction converges fast only on one side of the mean; use symmetry.
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1 - math.exp(log_front) * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function, by the modified Lentz method."""
    tiny = 1e-300
    c = 1.0
    d = 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        # The even step, then the odd step, of the fraction's terms.
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1) < 1e-15:
            break
    return result
