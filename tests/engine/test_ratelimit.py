"""The one token bucket: full at first, `burst` at once, then refilled at its rate."""

from __future__ import annotations

import datetime as dt

from bot.engine.ratelimit import take, take_after

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_burst_then_the_rate() -> None:
    tokens: float | None = None
    last: dt.datetime | None = None
    allowed = []
    for _ in range(4):
        ok, tokens = take(tokens, last, T0, burst=3, per_minute=6)
        last = T0
        allowed.append(ok)
    assert allowed == [True, True, True, False]
    # Six a minute: one more after ten seconds, not after five.
    assert take(tokens, last, T0 + dt.timedelta(seconds=5), 3, 6)[0] is False
    assert take(tokens, last, T0 + dt.timedelta(seconds=10), 3, 6)[0] is True


def test_the_bucket_never_holds_more_than_its_burst_and_time_never_runs_back() -> None:
    assert take_after(0.0, 3600.0, burst=2, per_second=1.0) == (True, 1.0)
    assert take_after(0.5, -10.0, burst=2, per_second=1.0) == (False, 0.5)
    assert take_after(None, 0.0, burst=2, per_second=1.0) == (True, 1.0)
