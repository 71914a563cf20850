"""Claims that matched nothing, held for a few minutes so their sender can choose to send them
to the editors. Never written to the database unless the person taps "send".

One process keeps them in its own memory. Several workers share them through Redis (settings:
`redis.url`), with the same time limit, because the tap may reach another worker than the
message did; Redis holds them in memory only and drops them when the time is up. Either way a
restart may lose one, and the person is then asked to send the claim again.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from typing import Protocol

TTL = dt.timedelta(minutes=15)
MAX_ENTRIES = 10_000
REDIS_PREFIX = "civicbot:pending:"


class PendingClaims(Protocol):
    def put(self, user: str, text: str, language: str, now: dt.datetime) -> None: ...

    def take(self, user: str, now: dt.datetime) -> tuple[str, str] | None: ...

    def drop(self, user: str) -> None: ...


class MemoryPending:
    def __init__(self) -> None:
        self._items: OrderedDict[str, tuple[str, str, dt.datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, user: str, text: str, language: str, now: dt.datetime) -> None:
        with self._lock:
            self._items.pop(user, None)
            self._items[user] = (text, language, now + TTL)
            while len(self._items) > MAX_ENTRIES:
                self._items.popitem(last=False)

    def take(self, user: str, now: dt.datetime) -> tuple[str, str] | None:
        with self._lock:
            entry = self._items.pop(user, None)
        if entry is None or entry[2] < now:
            return None
        return entry[0], entry[1]

    def drop(self, user: str) -> None:
        with self._lock:
            self._items.pop(user, None)


class RedisPending:
    """The same, shared by every worker through Redis; Redis expires entries itself."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def put(self, user: str, text: str, language: str, now: dt.datetime) -> None:  # noqa: ARG002
        value = json.dumps({"text": text, "language": language})
        self._redis.set(REDIS_PREFIX + user, value, ex=int(TTL.total_seconds()))

    def take(self, user: str, now: dt.datetime) -> tuple[str, str] | None:  # noqa: ARG002
        raw = self._redis.getdel(REDIS_PREFIX + user)
        if not isinstance(raw, bytes | str):
            return None
        value = json.loads(raw)
        return str(value["text"]), str(value["language"])

    def drop(self, user: str) -> None:
        self._redis.delete(REDIS_PREFIX + user)


def pending_store(redis_url: str | None) -> PendingClaims:
    return RedisPending(redis_url) if redis_url else MemoryPending()
