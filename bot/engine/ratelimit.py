"""A token bucket: `burst` events at once, refilled at `per_minute`. Pure, so the engine can keep
the bucket in the user's row (shared by every worker) and tests can drive it with a fake clock."""

from __future__ import annotations

import datetime as dt


def take(
    tokens: float | None,
    last: dt.datetime | None,
    now: dt.datetime,
    burst: int,
    per_minute: float,
) -> tuple[bool, float]:
    """Whether one more event is allowed now, and the tokens left after it."""
    if tokens is None or last is None:
        tokens = float(burst)
    else:
        elapsed = max(0.0, (now - last).total_seconds())
        tokens = min(float(burst), tokens + elapsed * per_minute / 60.0)
    if tokens >= 1.0:
        return True, tokens - 1.0
    return False, tokens
