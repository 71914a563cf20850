"""Unmatched claims waiting for their sender's decision: in memory, or in Redis for workers."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from bot.storage.pending import TTL, MemoryPending, PendingClaims, RedisPending
from bot.testing.services import REDIS_URL, redis_problem, unavailable

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def redis_or_skip() -> RedisPending:
    problem = redis_problem()
    if problem:
        unavailable(problem)
    return RedisPending(REDIS_URL)


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> PendingClaims:
    return MemoryPending() if request.param == "memory" else redis_or_skip()


def test_put_take_once(store: PendingClaims) -> None:
    user = uuid.uuid4().hex
    store.put(user, "a claim", "en", NOW)
    assert store.take(user, NOW) == ("a claim", "en")
    assert store.take(user, NOW) is None
    store.put(user, "another", "ru", NOW)
    store.drop(user)
    assert store.take(user, NOW) is None


def test_memory_entries_expire() -> None:
    store = MemoryPending()
    store.put("u", "old claim", "en", NOW)
    assert store.take("u", NOW + TTL + dt.timedelta(seconds=1)) is None


def test_two_workers_share_through_redis() -> None:
    first, second = redis_or_skip(), RedisPending(REDIS_URL)
    user = uuid.uuid4().hex
    first.put(user, "seen by worker one", "en", NOW)
    assert second.take(user, NOW) == ("seen by worker one", "en")
