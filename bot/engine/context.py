"""What a flow gets to work with while it handles one event."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.config import LimitsSettings
from bot.engine.content import Content
from bot.engine.events import Button, Incoming, Reply
from bot.engine.payloads import Payload, owner_tag
from bot.storage import PendingClaims, Unit, User


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    problems: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def unavailable(cls) -> ReloadResult:
        return cls(False, ("this bot was started without a content folder to reload",))


class Voice:
    """Speaking in one language from one content snapshot: the part of a context texts need."""

    content: Content

    @property
    def lang(self) -> str:
        raise NotImplementedError

    def t(self, key: str, **context: Any) -> str:
        return self.content.texts.render(self.lang, key, **context)

    def label(self, key: str, **context: Any) -> str:
        """Message `key` as a plain-text button label (labels are not HTML)."""
        return html.unescape(self.t(key, **context))

    def t_fresh(self, key: str, **context: Any) -> str:
        """Message `key` quoting what a person sent: rendered, never remembered."""
        return self.content.texts.render_fresh(self.lang, key, **context)


@dataclass
class FixedVoice(Voice):
    """A voice with no user behind it (inline mode, previews)."""

    content: Content
    language: str | None

    @property
    def lang(self) -> str:
        return self.content.texts.resolve_language(self.language)


@dataclass
class Context(Voice):
    unit: Unit
    user: User
    content: Content
    incoming: Incoming
    now: dt.datetime
    limits: LimitsSettings
    pending: PendingClaims
    is_admin: bool = False
    reload: Callable[[], ReloadResult] = ReloadResult.unavailable
    # Work to run once this event's unit of work has committed (e.g. notifying askers after a
    # reload, which needs its own transaction).
    after: list[Callable[[], object]] = field(default_factory=list)
    # Replies built from a read-only unit once this event's unit has committed (reports).
    later: list[Callable[[Unit], list[Reply]]] = field(default_factory=list)
    # Work to run if this event's unit of work rolls back instead (e.g. putting back a claim
    # taken from the waiting ones, so a failed "send to the editors" loses nothing).
    undo: list[Callable[[], object]] = field(default_factory=list)

    @property
    def lang(self) -> str:
        """The language to speak: the user's choice, else their platform's hint, else default."""
        return self.content.texts.resolve_language(self.user.language or self.incoming.language)

    def button(self, key: str, verb: str, arg: str | None = None, **context: Any) -> Button:
        """A button labelled by message `key`, tagged with the step and the person."""
        return Button(self.label(key, **context), self.payload(verb, arg))

    def payload(self, verb: str, arg: str | None = None) -> str:
        return Payload(verb, self.user.seq, owner_tag(self.user.key), arg).encode()

    def bump(self) -> None:
        self.unit.users.bump(self.user)
