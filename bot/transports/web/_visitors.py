"""What the web chat keeps in memory about the people on the page, and only there.

A Telegram chat keeps its messages on the person's phone; a web page has to be drawn again by
the server. So the last messages of each conversation, the files made for it (a progress
picture, a data export) and its request budget are kept in this process's memory, keyed by the
pseudonym: never written to disk or to the database, dropped after a while without a visit,
on /forget, or when the process stops.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from bot.engine.events import Attachment, Button
from bot.engine.ratelimit import take_after

KEEP_MESSAGES = 40
KEEP_FILES = 4
IDLE_SECONDS = 3600.0
MAX_VISITORS = 5000


@dataclass(frozen=True)
class Said:
    """One message on the page: the person's or the bot's, with its buttons and file."""

    number: int
    mine: bool
    html: str
    batch: int
    buttons: tuple[tuple[Button, ...], ...] = ()
    file_id: str | None = None
    file_name: str | None = None
    photo: bool = False


@dataclass
class Visitor:
    key: str
    language: str
    seen: float
    tokens: float
    said: deque[Said] = field(default_factory=lambda: deque(maxlen=KEEP_MESSAGES))
    files: OrderedDict[str, Attachment] = field(default_factory=OrderedDict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    batch: int = 0
    counter: int = 0
    code: str | None = None  # a device code to show once

    def say(
        self,
        html: str,
        mine: bool,
        buttons: tuple[tuple[Button, ...], ...] = (),
        attachment: Attachment | None = None,
        replace: bool = False,
    ) -> None:
        """Add a message (with `replace`, in place of the bot's last one, as Telegram edits)."""
        if replace and self.said and not self.said[-1].mine and self.said[-1].file_id is None:
            self.said.pop()
        self.counter += 1
        file_id = None
        if attachment is not None and attachment.data:
            file_id = secrets.token_urlsafe(12)
            self.files[file_id] = attachment
            while len(self.files) > KEEP_FILES:
                self.files.popitem(last=False)
        self.said.append(
            Said(
                self.counter,
                mine,
                html,
                self.batch,
                buttons,
                file_id,
                attachment.filename if attachment is not None else None,
                attachment.photo if attachment is not None else False,
            )
        )

    def offered(self) -> dict[str, str]:
        """payload -> label of the buttons on show now (those of the latest replies)."""
        return {
            button.payload: button.label
            for said in self.said
            if said.batch == self.batch
            for row in said.buttons
            for button in row
            if button.url is None
        }


class Visitors:
    """The visitors seen lately, least recent first; the oldest go when there are too many."""

    def __init__(self, burst: int, per_minute: float) -> None:
        self.burst = burst
        self.per_minute = per_minute
        self._all: OrderedDict[str, Visitor] = OrderedDict()

    def get(self, key: str, language: str) -> Visitor:
        now = time.monotonic()
        visitor = self._all.get(key)
        if visitor is None or now - visitor.seen > IDLE_SECONDS:
            visitor = Visitor(key, language, now, float(self.burst))
            self._all[key] = visitor
        self._all.move_to_end(key)
        self._forget_idle(now)
        return visitor

    def allow(self, visitor: Visitor) -> bool:
        """Take one request from the visitor's budget; False when it is spent."""
        now = time.monotonic()
        allowed, visitor.tokens = take_after(
            visitor.tokens, now - visitor.seen, self.burst, self.per_minute / 60.0
        )
        visitor.seen = now
        return allowed

    def drop(self, key: str) -> None:
        self._all.pop(key, None)

    def __len__(self) -> int:
        return len(self._all)

    def _forget_idle(self, now: float) -> None:
        while self._all:
            oldest = next(iter(self._all.values()))
            if len(self._all) <= MAX_VISITORS and now - oldest.seen <= IDLE_SECONDS:
                return
            del self._all[oldest.key]
