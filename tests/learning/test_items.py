"""Item statistics against values worked out by hand."""

from __future__ import annotations

import pytest

from bot.learning.items import cronbach_alpha, item_stats

# Four learners, three questions.
SCORES = [
    [1.0, 1.0, 1.0],
    [1.0, 1.0, 0.0],
    [1.0, 0.0, 0.0],
    [0.0, 0.0, 1.0],
]


def test_facility_discrimination_efficiency() -> None:
    # Question 1: scores 1,1,1,0 (mean .75); rest 2,1,0,1 (mean 1).
    # cov = ((.25)(1) + (.25)(0) + (.25)(-1) + (-.75)(0)) / 4 = 0
    first = item_stats(SCORES, 0)
    assert first.facility == pytest.approx(75.0)
    assert first.discrimination == pytest.approx(0.0)
    assert first.efficiency == pytest.approx(0.0)
    assert first.flagged  # efficiency under 15 %
    # Question 2: scores 1,1,0,0 (mean .5); rest 2,1,1,1 (mean 1.25).
    # cov = (.5*.75 + .5*-.25 + -.5*-.25 + -.5*-.25) / 4 = .125
    # var x = .25, var rest = (.5625 + 3 * .0625) / 4 = .1875; r = .125 / sqrt(.046875) = .57735
    # sorted pairs: x 0,0,1,1 with rest 1,1,1,2: cov = (-.5*-.25*2 + .5*-.25 + .5*.75) / 4 = .125
    second = item_stats(SCORES, 1)
    assert second.facility == pytest.approx(50.0)
    assert second.discrimination == pytest.approx(57.735, abs=1e-3)
    assert second.efficiency == pytest.approx(100.0)
    assert not second.flagged
    # Question 3: scores 1,0,0,1; rest 2,2,1,0 (mean 1.25).
    # cov = (.5*.75 + -.5*.75 + -.5*-.25 + .5*-1.25) / 4 = -.125 -> negative discrimination
    third = item_stats(SCORES, 2)
    assert third.discrimination is not None and third.discrimination < 0
    assert third.flagged


def test_undefined_without_variance() -> None:
    stats = item_stats([[1.0, 0.0], [1.0, 1.0]], 0)
    assert stats.facility == 100.0
    assert stats.discrimination is None and stats.efficiency is None
    assert not stats.flagged


def test_cronbach_alpha() -> None:
    # totals 3,2,1,1: mean 1.75, var = (1.5625 + .0625 + .5625 + .5625) / 4 = .6875
    # item variances: .1875, .25, .25 -> sum .6875 -> alpha = 1.5 * (1 - 1) = 0
    assert cronbach_alpha(SCORES) == pytest.approx(0.0)
    consistent = [[1.0, 1.0], [0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
    assert cronbach_alpha(consistent) == pytest.approx(1.0)
    assert cronbach_alpha([[1.0, 1.0]]) is None
