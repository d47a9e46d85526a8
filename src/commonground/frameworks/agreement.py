"""How far raters agree: the figures a round's results show beside each statement.

Pure arithmetic on lists of ratings, so it can be checked against figures worked by hand.

Agreement is James, Demaree and Wolf's within-group index, r_wg: one minus the ratings'
variance over the variance they would have if every point of the scale were equally
likely (no agreement at all),

    r_wg = 1 - s² / σ²_E,   σ²_E = (A² - 1) / 12   for a scale of A points,

where s² is the sample variance. 1 means everyone gave the same rating; 0 (where it is
set when s² is larger than σ²_E) means no more agreement than chance. For a dimension's
J statements, r_wg(J) uses the mean of their variances, s̄²:

    r_wg(J) = J(1 - s̄²/σ²_E) / (J(1 - s̄²/σ²_E) + s̄²/σ²_E)
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

# Read as: r_wg of 0.7 or more is agreement; under 0.5, opinion is widely spread.
AGREED = 0.7
SPREAD = 0.5
# A statement is "split" when at least this share of ratings sits in each outer third of
# the scale (its lowest and highest A // 3 points): two camps, which an average would hide.
SPLIT_SHARE = 0.25

FORMULA = "r_wg = 1 − s² / σ²_E, where σ²_E = (A² − 1) / 12 for a scale of A points"
FORMULA_DIMENSION = "r_wg(J) = J(1 − s̄²/σ²_E) / (J(1 − s̄²/σ²_E) + s̄²/σ²_E)"


@dataclass(frozen=True)
class Spread:
    """The ratings of one statement (or a dimension's statements pooled)."""

    n: int  # ratings on the scale
    dont_know: int
    median: float | None
    low: int | None
    high: int | None
    quartiles: tuple[float, float] | None
    mean: float | None
    variance: float | None
    agreement: float | None  # r_wg, or r_wg(J) for a dimension
    split: bool

    @property
    def flag(self) -> str:
        """ "split", "spread" or "" (nothing to flag)."""
        if self.split:
            return "split"
        if self.agreement is not None and self.agreement < SPREAD:
            return "spread"
        return ""

    @property
    def agreement_words(self) -> str:
        if self.agreement is None:
            return "too few ratings"
        if self.split:
            return "split into two camps"
        if self.agreement >= AGREED:
            return "agreement"
        if self.agreement >= SPREAD:
            return "some agreement"
        return "widely spread"


def expected_variance(points: int) -> float:
    """σ²_E: the variance of ratings spread evenly over a scale of ``points`` points."""
    return (points**2 - 1) / 12


def rwg(variance: float, points: int) -> float:
    return max(0.0, 1 - variance / expected_variance(points))


def rwg_j(variances: list[float], points: int) -> float | None:
    if not variances:
        return None
    ratio = min(1.0, statistics.fmean(variances) / expected_variance(points))
    j = len(variances)
    return j * (1 - ratio) / (j * (1 - ratio) + ratio)


def spread(ratings: list[int | None], values: list[int]) -> Spread:
    """The figures for ``ratings`` (None for "don't know") on a scale of ``values``."""
    given = sorted(r for r in ratings if r is not None)
    n = len(given)
    dont_know = len(ratings) - n
    if not given:
        return Spread(0, dont_know, None, None, None, None, None, None, None, False)
    variance = statistics.variance(given) if n > 1 else None
    quartiles = None
    if n > 1:
        q1, _, q3 = statistics.quantiles(given, n=4, method="inclusive")
        quartiles = (q1, q3)
    return Spread(
        n=n,
        dont_know=dont_know,
        median=statistics.median(given),
        low=given[0],
        high=given[-1],
        quartiles=quartiles,
        mean=statistics.fmean(given),
        variance=variance,
        agreement=rwg(variance, len(values)) if variance is not None else None,
        split=is_split(given, values),
    )


def pooled(statements: list[Spread], ratings: list[int | None], values: list[int]) -> Spread:
    """A dimension: its ratings pooled for the median and range, r_wg(J) for agreement.
    Not flagged "split" from the pooled ratings: two statements rated far apart by people
    who agree on each are not two camps."""
    whole = spread(ratings, values)
    variances = [s.variance for s in statements if s.variance is not None]
    return Spread(
        n=whole.n,
        dont_know=whole.dont_know,
        median=whole.median,
        low=whole.low,
        high=whole.high,
        quartiles=whole.quartiles,
        mean=whole.mean,
        variance=statistics.fmean(variances) if variances else None,
        agreement=rwg_j(variances, len(values)),
        split=False,
    )


def is_split(given: list[int], values: list[int]) -> bool:
    """Two camps: at least SPLIT_SHARE of the ratings in each outer third of the scale
    (its lowest and highest A // 3 points, at least one each)."""
    if len(given) < 4:
        return False
    k = max(1, len(values) // 3)
    low = sum(1 for r in given if r <= values[k - 1])
    high = sum(1 for r in given if r >= values[-k])
    return low / len(given) >= SPLIT_SHARE and high / len(given) >= SPLIT_SHARE
