"""Who a browser is, without an account: a random session id and what is derived from it.

The session id lives only in the browser's cookie (HttpOnly, SameSite=Strict). The bot turns it
into a pseudonym with the same keyed hash as Telegram ids, in its own namespace, so the database
never holds the id itself; the form token that guards every POST is keyed from it too. A person
may carry the session to another device with a one-time code, which the server keeps in memory
for a few minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from bot.storage.keys import user_key

PLATFORM = "web"
COOKIE = "s"
CODE_MINUTES = 10
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # nothing that reads as another letter
CODE_LENGTH = 8
MAX_CODES = 2000
_SESSION = re.compile(r"[A-Za-z0-9_-]{43}")

Clock = Callable[[], float]


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def valid_session_id(value: str | None) -> str | None:
    return value if value is not None and _SESSION.fullmatch(value) else None


def pseudonym(secret: bytes, session_id: str) -> str:
    return user_key(secret, PLATFORM, session_id)


def form_token(secret: bytes, session_id: str) -> str:
    """The token every form of this session carries (checked in constant time)."""
    digest = hmac.new(secret, b"web-form:" + session_id.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def token_ok(secret: bytes, session_id: str, sent: str) -> bool:
    return hmac.compare_digest(form_token(secret, session_id).encode(), sent.encode())


class NewSessionCap:
    """At most `per_minute` new sessions in any sixty seconds, all visitors together."""

    def __init__(self, per_minute: int, clock: Clock = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._started: deque[float] = deque()

    def admit(self) -> bool:
        now = self._clock()
        while self._started and self._started[0] <= now - 60.0:
            self._started.popleft()
        if len(self._started) >= self.per_minute:
            return False
        self._started.append(now)
        return True


class DeviceCodes:
    """One-time codes that hand a session to another device; kept in memory, briefly."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._codes: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def make(self, session_id: str) -> str:
        self._expire()
        for code, (owner, _) in list(self._codes.items()):
            if owner == session_id:  # one live code per session
                del self._codes[code]
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        self._codes[code] = (session_id, self._clock() + CODE_MINUTES * 60)
        while len(self._codes) > MAX_CODES:
            self._codes.popitem(last=False)
        return code

    def take(self, typed: str) -> str | None:
        """The session the code was made for, once; None for a wrong, used or old code."""
        self._expire()
        code = re.sub(r"[\s-]", "", typed).upper()
        found = self._codes.pop(code, None)
        return found[0] if found is not None else None

    def drop(self, session_id: str) -> None:
        for code, (owner, _) in list(self._codes.items()):
            if owner == session_id:
                del self._codes[code]

    def _expire(self) -> None:
        now = self._clock()
        for code, (_, until) in list(self._codes.items()):
            if until <= now:
                del self._codes[code]
