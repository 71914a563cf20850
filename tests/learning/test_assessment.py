"""Discernment, d', AUC and bias against values worked out by hand."""

from __future__ import annotations

import pytest

from bot.learning.assessment import Rating, score

Z = 1.5932  # z(8.5 / 9): 8 of 8 hits with the log-linear correction


def ratings(true: list[int], false: list[int]) -> list[Rating]:
    return [Rating(True, r) for r in true] + [Rating(False, r) for r in false]


def test_perfect() -> None:
    s = score(ratings([7] * 8, [1] * 8))
    assert (s.mean_true, s.mean_false, s.discernment, s.bias) == (7, 1, 6, 0)
    assert s.d_prime == pytest.approx(2 * Z, abs=1e-3)
    assert s.criterion == pytest.approx(0, abs=1e-9)
    assert s.auc == 1.0


def test_all_sceptical() -> None:
    s = score(ratings([1] * 8, [1] * 8))
    assert (s.discernment, s.bias, s.auc) == (0, 3, 0.5)
    assert s.d_prime == pytest.approx(0, abs=1e-9)
    assert s.criterion == pytest.approx(Z, abs=1e-3)


def test_all_credulous() -> None:
    s = score(ratings([7] * 8, [7] * 8))
    assert (s.discernment, s.bias, s.auc) == (0, -3, 0.5)
    assert s.criterion == pytest.approx(-Z, abs=1e-3)


def test_mixed_pattern() -> None:
    # true 1,3,5,7 vs false 2,4,6,7: wins 0 + 1 + 2 + 3.5 (a tie at 7) = 6.5 of 16 pairs;
    # two of four above the midpoint on each side: H = F = 2.5 / 5 = 0.5.
    s = score(ratings([1, 3, 5, 7], [2, 4, 6, 7]))
    assert s.discernment == pytest.approx(-0.75)
    assert s.bias == pytest.approx(4 - 35 / 8)
    assert s.auc == pytest.approx(6.5 / 16)
    assert s.d_prime == pytest.approx(0, abs=1e-9)
    assert s.criterion == pytest.approx(0, abs=1e-9)


def test_needs_both_kinds() -> None:
    with pytest.raises(ValueError, match="both"):
        score(ratings([4, 5], []))
