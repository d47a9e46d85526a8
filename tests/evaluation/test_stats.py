"""The statistics module against figures worked by hand, and against scipy where it applies."""

from __future__ import annotations

import math

import pytest

from commonground.evaluation import stats


def test_an_item_worked_by_hand() -> None:
    # 20 answers on 1-4: two 1s, three 2s, ten 3s, five 4s.
    figures = stats.item_stats([2, 3, 10, 5])
    assert figures.n == 20
    assert figures.shares == (0.1, 0.15, 0.5, 0.25)
    assert figures.mean == pytest.approx(2.9)
    # Squared deviations 7.22 + 2.43 + 0.10 + 6.05 = 15.8, over 19.
    assert figures.sd == pytest.approx(math.sqrt(15.8 / 19))
    # t(0.975, 19) = 2.093024; half-width 2.093024 * 0.911909 / sqrt(20) = 0.426787.
    assert figures.ci_low == pytest.approx(2.473213, abs=1e-5)
    assert figures.ci_high == pytest.approx(3.326787, abs=1e-5)
    # Ordered answers 1 1 2 2 2 3 (x10) 4 (x5): places 9.5, 4.75 and 14.25.
    assert (figures.q1, figures.median, figures.q3) == (2.75, 3.0, 3.25)
    assert figures.top_box.share == 0.25
    assert figures.top_box.low == pytest.approx(0.11186, abs=1e-5)
    assert figures.top_box.high == pytest.approx(0.46870, abs=1e-5)
    assert figures.top_two_box.share == 0.75
    assert figures.top_two_box.low == pytest.approx(0.53130, abs=1e-5)
    assert figures.band is not None
    assert (figures.band.name, figures.band.low, figures.band.high) == ("third quarter", 2.5, 3.25)
    assert figures.lowest == 2


def test_bands_on_the_common_scale_and_a_longer_one() -> None:
    assert stats.band(3.25, 4).name == "top quarter"  # a boundary belongs to the higher quarter
    assert stats.band(3.24, 4).name == "third quarter"
    assert stats.band(4.0, 4).name == "top quarter"
    assert stats.band(1.0, 4).name == "bottom quarter"
    top = stats.band(4.6, 5)
    assert (top.name, top.low, top.high) == ("top quarter", 4.0, 5.0)


def test_few_answers_leave_what_cannot_be_said_empty() -> None:
    none = stats.item_stats([0, 0, 0, 0])
    assert none.n == 0 and none.mean is None and none.median is None and none.band is None
    assert none.top_box.share is None
    one = stats.item_stats([0, 0, 1, 0])
    assert one.mean == 3 and one.median == 3 and one.sd is None and one.ci_low is None


def test_bad_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="at least two points"):
        stats.item_stats([5])
    with pytest.raises(ValueError, match="negative"):
        stats.item_stats([1, -1, 2])


def test_response_rate_as_in_the_brief() -> None:
    assert stats.response_rate(64, 108) == pytest.approx(0.5926, abs=1e-4)
    assert stats.response_rate(10, 0) is None


def test_lowest_point_use_counts_respondents_by_items() -> None:
    assert stats.lowest_point_use([0, 1, 0, 2, 1, 1, 3]) == {1: 3, 2: 1, 3: 1}


def test_comparison_hides_small_groups() -> None:
    shown = stats.compare({"Training day": [1, 1, 2, 1], "Learning set": [0, 1, 2, 1]})
    assert shown["Training day"] is not None and shown["Training day"].n == 5
    assert shown["Learning set"] is None


@pytest.mark.parametrize("df", [1, 2, 3, 5, 10, 19, 30, 63, 100, 1000, 100_000])
@pytest.mark.parametrize("p", [0.5, 0.9, 0.95, 0.975, 0.995, 0.025])
def test_t_quantile_matches_scipy(p: float, df: int) -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    assert stats.t_quantile(p, df) == pytest.approx(scipy_stats.t.ppf(p, df), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    "counts", [[2, 3, 10, 5], [0, 4, 30, 30], [7, 0, 0, 1, 9], [1, 1], [3, 9, 12, 20, 31, 8, 2]]
)
def test_item_figures_match_scipy_and_the_standard_library(counts: list[int]) -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    import statistics

    values = [point for point, count in enumerate(counts, start=1) for _ in range(count)]
    figures = stats.item_stats(counts)
    assert figures.mean == pytest.approx(statistics.fmean(values))
    assert figures.sd == pytest.approx(statistics.stdev(values))
    low, high = scipy_stats.t.interval(
        0.95, len(values) - 1, loc=statistics.fmean(values), scale=scipy_stats.sem(values)
    )
    assert (figures.ci_low, figures.ci_high) == (pytest.approx(low), pytest.approx(high))
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    assert (figures.q1, figures.median, figures.q3) == (
        pytest.approx(q1),
        pytest.approx(median),
        pytest.approx(q3),
    )
    result = scipy_stats.binomtest(counts[-1], len(values)).proportion_ci(method="wilson")
    assert figures.top_box.low == pytest.approx(result.low)
    assert figures.top_box.high == pytest.approx(result.high)
