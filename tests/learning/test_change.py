"""Paired change with a t interval, against published t-table values and figures by hand."""

from __future__ import annotations

import pytest

from bot.learning.change import paired_change, t_quantile


@pytest.mark.parametrize(
    ("df", "expected"),
    # Two-sided 95 % critical values of Student's t (any statistics table).
    [(1, 12.706), (2, 4.303), (4, 2.776), (10, 2.228), (30, 2.042), (120, 1.980), (1000, 1.960)],
)
def test_t_quantile_matches_the_table(df: int, expected: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-3)


def test_t_quantile_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        t_quantile(0.4, 3)
    with pytest.raises(ValueError):
        t_quantile(0.975, 0)


def test_paired_change_by_hand() -> None:
    # Differences 1, 2, 3: mean 2, sd 1, se 1/sqrt(3) = .57735; t(.975, 2) = 4.3027
    change = paired_change([(1.0, 2.0), (2.0, 4.0), (0.0, 3.0)])
    assert change is not None
    assert (change.learners, change.before, change.after, change.mean) == (3, 1.0, 3.0, 2.0)
    assert change.low == pytest.approx(2 - 4.3027 * 0.57735, abs=1e-3)
    assert change.high == pytest.approx(2 + 4.3027 * 0.57735, abs=1e-3)


def test_one_learner_has_no_interval_and_none_has_no_change() -> None:
    single = paired_change([(1.0, 1.5)])
    assert single is not None and single.low is None and single.mean == 0.5
    assert paired_change([]) is None
