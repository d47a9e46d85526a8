"""Agreement and spread against figures worked by hand."""

from __future__ import annotations

import pytest

from commonground.frameworks import agreement

FIVE = [1, 2, 3, 4, 5]


def test_rwg_for_one_statement_by_hand() -> None:
    # [3, 3, 4, 4, 5]: mean 3.8; squared deviations 0.64 + 0.64 + 0.04 + 0.04 + 1.44 = 2.8;
    # s² = 2.8 / 4 = 0.7; σ²_E = (25 - 1) / 12 = 2; r_wg = 1 - 0.7 / 2 = 0.65.
    found = agreement.spread([3, 3, 4, 4, 5, None], FIVE)
    assert found.n == 5 and found.dont_know == 1
    assert found.variance == pytest.approx(0.7)
    assert found.agreement == pytest.approx(0.65)
    assert found.median == 4 and (found.low, found.high) == (3, 5)
    assert found.agreement_words == "some agreement" and found.flag == ""


def test_everyone_the_same_is_full_agreement_and_wider_than_chance_is_zero() -> None:
    assert agreement.spread([4, 4, 4], FIVE).agreement == pytest.approx(1.0)
    # [1, 5, 1, 5]: s² = 16/3 ≈ 5.33 > 2, so r_wg is set to 0; and it is two camps.
    camps = agreement.spread([1, 5, 1, 5], FIVE)
    assert camps.agreement == 0 and camps.split and camps.flag == "split"
    assert agreement.spread([4], FIVE).agreement is None
    assert agreement.spread([None, None], FIVE).n == 0


def test_widely_spread_but_not_split() -> None:
    # [1, 2, 3, 3, 4]: mean 2.6; squares 2.56 + 0.36 + 0.16 + 0.16 + 1.96 = 5.2; s² = 1.3;
    # r_wg = 1 - 1.3 / 2 = 0.35: spread. Low third {1, 2}: 2 of 5; high third {4, 5}: 1 of 5.
    found = agreement.spread([1, 2, 3, 3, 4], FIVE)
    assert found.agreement == pytest.approx(0.35)
    assert not found.split and found.flag == "spread"


def test_rwg_j_for_a_dimension_by_hand() -> None:
    # Two statements with variances 0.7 and 0.5: s̄² = 0.6, ratio 0.3;
    # r_wg(J) = 2(0.7) / (2(0.7) + 0.3) = 1.4 / 1.7 ≈ 0.8235.
    assert agreement.rwg_j([0.7, 0.5], 5) == pytest.approx(1.4 / 1.7)
    assert agreement.rwg_j([], 5) is None
    assert agreement.rwg_j([9.0], 5) == 0


def test_split_takes_the_outer_points_on_short_scales() -> None:
    four = [1, 2, 3, 4]
    assert not agreement.spread([2, 2, 3, 3], four).split  # neighbours, not two camps
    assert agreement.spread([1, 1, 4, 4], four).split
    seven = list(range(1, 8))
    assert not agreement.spread([3, 3, 5, 5], seven).split
    assert agreement.spread([1, 2, 6, 7], seven).split


def test_a_dimension_is_not_split_by_statements_rated_far_apart() -> None:
    ones = agreement.spread([1, 1, 1, 1], FIVE)
    fives = agreement.spread([5, 5, 5, 5], FIVE)
    dimension = agreement.pooled([ones, fives], [1, 1, 1, 1, 5, 5, 5, 5], FIVE)
    assert dimension.agreement == pytest.approx(1.0) and dimension.flag == ""
