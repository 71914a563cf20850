"""The conversation engine: one Incoming in, a list of Replies out, all state in the database.

The engine is the same for Telegram, the terminal and tests. It never sends anything itself,
never imports a transport, and leaves pictures to be drawn by the transport (Attachment.picture).
Each event runs in one unit of work: the user's row is locked, the event id is recorded (a
re-delivered event is ignored), the rate limit is applied, and everything the event changed is
committed before the replies are returned. When anything inside fails, the unit is rolled back
and the user gets a polite apology; the log records only the kind of error, never the message
text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Callable

from bot.config import LimitsSettings
from bot.engine import (
    admin,
    factcheck,
    menu,
    photos,
    ratelimit,
    resume,
    typed,
)
from bot.engine.classroom import ClassEvents
from bot.engine.content import Content
from bot.engine.context import Context, FixedVoice, ReloadResult
from bot.engine.events import ChatKind, Incoming, InlineAnswer, Reply
from bot.engine.payloads import Payload, decode, owner_tag
from bot.engine.verbs import BUTTONS, COMMANDS
from bot.storage import MemoryPending, PendingClaims, Store

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
MAX_TEXT_CHARS = 4096


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Engine:
    def __init__(
        self,
        store: Store,
        content: Content,
        clock: Clock = utc_now,
        limits: LimitsSettings | None = None,
        admins: frozenset[str] = frozenset(),
        reloader: Callable[[], Content] | None = None,
        pending: PendingClaims | None = None,
    ) -> None:
        self.store = store
        self.content = content
        self.clock = clock
        self.limits = limits or LimitsSettings()
        self.admins = admins
        self.reloader = reloader
        self.pending = pending or MemoryPending()
        self.failures = 0  # events that failed and were answered with an apology
        # Run after a successful /reload has committed (the service answers queued claims).
        self.on_reload: Callable[[], object] | None = None
        # Class quizzes in groups: what their polls report (see classroom.py).
        self.classroom = ClassEvents(store, lambda: self.content, clock)

    @property
    def languages(self) -> list[str]:
        return self.content.texts.languages

    @property
    def one_at_a_time(self) -> bool:
        """True when events gain nothing from being handled at once: each takes the database's
        only write lock (SQLite), so transports hand them over one by one."""
        return self.store.one_writer

    def replace_content(self, content: Content) -> None:
        """Serve a new library from the next event on (one reference swap: atomic)."""
        self.content = content

    def reload(self) -> ReloadResult:
        """Load the content again. A library that fails validation is not served: the last
        good one stays, and the result lists what is wrong, with file and line."""
        if self.reloader is None:
            return ReloadResult.unavailable()
        try:
            content = self.reloader()
        except Exception as exc:
            problems = getattr(exc, "problems", None)
            lines = tuple(str(p) for p in problems) if problems else (str(exc),)
            log.warning("content reload refused: %d problem(s)", len(lines))
            return ReloadResult(False, lines)
        self.replace_content(content)
        log.info("content reloaded")
        return ReloadResult(True, (), content.library.counts())

    # events --------------------------------------------------------------------------------

    def handle(self, incoming: Incoming) -> list[Reply]:
        incoming = _clean(incoming)
        content = self.content
        if _someone_elses(incoming):
            # In a group everybody sees everybody's buttons: a press on another person's is
            # answered on the button alone, before any work, and changes nothing for anyone.
            voice = FixedVoice(content, incoming.language)
            return [Reply("", notice=voice.label("errors.not_yours"))]
        now = self.clock()
        undo: list[Callable[[], object]] = []
        try:
            with self.store.unit() as unit:
                user = unit.users.user(incoming.user, now)
                if incoming.event_id and not unit.users.first_time(incoming.event_id, now):
                    return []  # a re-delivery of an event already handled
                if user.last_seen_on != now.date():  # assigning marks the row changed
                    user.last_seen_on = now.date()
                ctx = Context(
                    unit,
                    user,
                    content,
                    incoming,
                    now,
                    self.limits,
                    self.pending,
                    is_admin=incoming.user in self.admins,
                    reload=self.reload,
                    undo=undo,
                )
                allowed, tokens = self._take(ctx)
                replies = self._dispatch(ctx) if allowed else self._slow_down(ctx)
                # Written last: the person's row is then changed only at commit, not flushed
                # again before every query a flow makes.
                user.rate_tokens, user.rate_at = tokens, now
                if allowed and tokens >= 1.0 and user.rate_warned:
                    user.rate_warned = False
            undo.clear()  # committed: nothing to put back
            for work in ctx.after:
                work()
            if ctx.later:
                with self.store.unit(write=False) as reading:
                    for build in ctx.later:
                        replies += build(reading)
            return replies
        except Exception as exc:
            _undo(undo)
            self.failures += 1
            log.error("event failed: %s", type(exc).__name__)
            log.debug("event failed", exc_info=True)
            language = content.texts.resolve_language(incoming.language)
            return [Reply(content.texts.render(language, "errors.internal"))]

    def language_of(self, user: str, hint: str | None = None) -> str:
        """The language a person reads (their choice, else the hint, else the default): for
        the few words a transport says itself, such as the terminal's."""
        with self.store.unit(write=False) as unit:
            row = unit.users.find_user(user)
            chosen = row.language if row is not None else None
        return self.content.texts.resolve_language(chosen or hint)

    def inline(self, text: str, language: str | None) -> list[InlineAnswer]:
        """Inline-mode answers. Needs no user state, so no database work is done."""
        return factcheck.inline(FixedVoice(self.content, language), text)

    def command_menu(self, language: str, *, admin: bool = False) -> list[tuple[str, str]]:
        """Commands and their descriptions for the platform's menu (admins see theirs too)."""
        texts = self.content.texts
        lang = texts.resolve_language(language)
        return [
            (name, texts.render(lang, f"commands.{name}"))
            for name, command in COMMANDS.items()
            if admin or not command.admin
        ]

    def _take(self, ctx: Context) -> tuple[bool, float]:
        """Whether the person's inbound rate allows this event, and their tokens after it."""
        user, limits = ctx.user, self.limits
        return ratelimit.take(
            user.rate_tokens, user.rate_at, ctx.now, limits.burst, limits.per_minute
        )

    def _slow_down(self, ctx: Context) -> list[Reply]:
        """One polite word when the limit is first hit, then silence until it refills."""
        if ctx.user.rate_warned:
            return []
        ctx.user.rate_warned = True
        return [Reply(ctx.t("errors.slow_down"))]

    def _dispatch(self, ctx: Context) -> list[Reply]:
        incoming = ctx.incoming
        if incoming.payload is not None:
            _clear_awaiting(ctx)
            return self._press(ctx, decode(incoming.payload))
        text = incoming.text[:MAX_TEXT_CHARS]
        if incoming.picture is not None:
            _clear_awaiting(ctx)
            return photos.check_picture(ctx, incoming.picture, text)
        if text.startswith("/"):
            _clear_awaiting(ctx)
            word, _, rest = text[1:].partition(" ")
            return self._command(ctx, word.split("@", 1)[0].lower(), rest)
        reason_for = factcheck.awaited_reason(ctx)
        if reason_for is not None:
            # Only this one typed text can be a reason: a forward, or anything after the wait,
            # is a claim to check, and the wait is over either way.
            _clear_awaiting(ctx)
            if not incoming.forwarded and text.strip():
                return factcheck.reason(ctx, reason_for, text)
        if not incoming.forwarded:  # someone else's words are a claim, never a quiz answer
            during_question = typed.typed_during_question(ctx, text)
            if during_question is not None:
                return during_question
        return factcheck.check(ctx, text)

    def _command(self, ctx: Context, name: str, rest: str) -> list[Reply]:
        command = COMMANDS.get(name)
        if command is None:
            return menu.unknown_command(ctx, name)
        if command.private and ctx.incoming.chat is ChatKind.GROUP:
            return menu.private_only(ctx, name)
        if command.admin:
            if not ctx.is_admin:
                return admin.refused(ctx)
            if name == "reload" and self.on_reload is not None:
                ctx.after.append(self.on_reload)
        return command.run(ctx, rest)

    def _press(self, ctx: Context, payload: Payload | None) -> list[Reply]:
        verb = BUTTONS.get(payload.verb) if payload is not None else None
        if payload is None or verb is None or (verb.stateful and payload.seq != ctx.user.seq):
            # Stale or forged: change nothing, and show where the person is (after a restart
            # their last buttons may be out of date through no fault of theirs).
            return resume.where_you_are(ctx, payload.verb if payload else None)
        if verb.private and ctx.incoming.chat is ChatKind.GROUP:
            return menu.private_only(ctx, verb.name)
        return verb.press(ctx, payload.arg)


def _undo(undo: list[Callable[[], object]]) -> None:
    """Put back what a rolled-back unit of work took from outside the database."""
    for work in reversed(undo):
        try:
            work()
        except Exception as exc:
            log.error("undo after a failed event failed: %s", type(exc).__name__)


def _clear_awaiting(ctx: Context) -> None:
    if ctx.user.awaiting is not None:
        ctx.user.awaiting = None


def _someone_elses(incoming: Incoming) -> bool:
    """True for a press on a button that was made for another person."""
    if incoming.payload is None:
        return False
    payload = decode(incoming.payload)
    return payload is not None and payload.who != owner_tag(incoming.user)


_SURROGATES = re.compile("[\ud800-\udfff]")


def _clean(incoming: Incoming) -> Incoming:
    """Text as a database and Telegram accept it: no NUL, no unpaired surrogate halves."""

    def clean(value: str) -> str:
        return _SURROGATES.sub("\ufffd", value.replace("\x00", ""))

    picture = incoming.picture
    if picture is not None and picture.text is not None:
        picture = dataclasses.replace(picture, text=clean(picture.text)[:MAX_TEXT_CHARS])

    return dataclasses.replace(
        incoming,
        text=clean(incoming.text),
        payload=None if incoming.payload is None else clean(incoming.payload),
        language=None if incoming.language is None else clean(incoming.language)[:16],
        picture=picture,
    )
