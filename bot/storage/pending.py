"""Claims that matched nothing, held for a few minutes so their sender can choose to send them
to the editors. Never written to the database unless the person taps "send".

One process keeps them in its own memory. Several workers share them through Redis (settings:
`redis.url`), with the same time limit, because the tap may reach another worker than the
message did; Redis drops them when the time is up. There a claim is sealed (Fernet) with a key
derived from the secret key, under a name derived from the pseudonym with another derived key:
whoever reads Redis or its files sees neither the text nor whose it is. Redis should keep them in
memory only; the bot warns at start when it saves to disk. Either way a restart may lose one,
and the person is then asked to send the claim again.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = logging.getLogger(__name__)

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


def derive(secret: bytes, purpose: str) -> bytes:
    """A 32-byte key for one purpose, derived from the secret key (HKDF-SHA256)."""
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
    return kdf.derive(secret)


class RedisPending:
    """The same, shared by every worker through Redis; Redis expires entries itself."""

    def __init__(self, url: str, secret: bytes) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._names = derive(secret, "civicbot pending claims: names")
        self._box = Fernet(base64.urlsafe_b64encode(derive(secret, "civicbot pending claims")))

    def name(self, user: str) -> str:
        """The Redis key of a person's claim: not their pseudonym, nor linkable to it without
        the secret key."""
        return REDIS_PREFIX + hmac.new(self._names, user.encode(), hashlib.sha256).hexdigest()

    def put(self, user: str, text: str, language: str, now: dt.datetime) -> None:  # noqa: ARG002
        value = json.dumps({"text": text, "language": language}).encode()
        self._redis.set(self.name(user), self._box.encrypt(value), ex=int(TTL.total_seconds()))

    def take(self, user: str, now: dt.datetime) -> tuple[str, str] | None:  # noqa: ARG002
        raw = self._redis.getdel(self.name(user))
        if not isinstance(raw, bytes | str):
            return None
        try:
            value = json.loads(self._box.decrypt(raw))
        except (InvalidToken, ValueError):  # sealed with another key, or not ours
            return None
        return str(value["text"]), str(value["language"])

    def drop(self, user: str) -> None:
        self._redis.delete(self.name(user))

    def warn_if_persistent(self) -> bool:
        """Log one warning when Redis writes its data to disk (claims would outlive their 15
        minutes in its files); True when it does or cannot tell."""
        import redis

        try:
            answers = {**self._redis.config_get("save"), **self._redis.config_get("appendonly")}
        except redis.RedisError as exc:
            log.warning(
                "could not check whether Redis saves unsent claims to disk (%s): run it "
                "without persistence (save '', appendonly no)",
                type(exc).__name__,
            )
            return True
        saving = persistence({_text(k): _text(v) for k, v in answers.items()})
        if saving:
            log.warning(
                "Redis saves to disk (%s): unsent claims, though sealed, may outlive their 15 "
                "minutes in its files; run it without persistence (save '', appendonly no)",
                ", ".join(saving),
            )
        return bool(saving)


def persistence(config: Mapping[str, str]) -> list[str]:
    """Which of Redis's persistence settings are on, from `CONFIG GET save` and `appendonly`."""
    saving = []
    if str(config.get("save", "")).strip():
        saving.append("save")
    if str(config.get("appendonly", "no")).strip().lower() == "yes":
        saving.append("appendonly")
    return saving


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def pending_store(redis_url: str | None, secret: bytes) -> PendingClaims:
    if not redis_url:
        return MemoryPending()
    store = RedisPending(redis_url, secret)
    store.warn_if_persistent()
    return store
