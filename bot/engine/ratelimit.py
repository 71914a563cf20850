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
    elapsed = 0.0 if last is None else (now - last).total_seconds()
    return take_after(None if last is None else tokens, elapsed, burst, per_minute / 60.0)


def take_after(
    tokens: float | None, elapsed: float, burst: int, per_second: float
) -> tuple[bool, float]:
    """The same bucket on any clock: `elapsed` seconds since the last event (a new bucket,
    `tokens` None, starts full). Transports keep such buckets in memory on a monotonic clock."""
    if tokens is None:
        tokens = float(burst)
    else:
        tokens = min(float(burst), tokens + max(0.0, elapsed) * per_second)
    if tokens >= 1.0:
        return True, tokens - 1.0
    return False, tokens
