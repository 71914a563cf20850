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
    account,
    admin,
    assessments,
    factcheck,
    lessons,
    menu,
    onboarding,
    progress,
    quizzes,
    ratelimit,
    resume,
)
from bot.engine.content import Content
from bot.engine.context import Context, FixedVoice, ReloadResult
from bot.engine.events import Incoming, InlineAnswer, Reply
from bot.engine.payloads import STATEFUL, Payload, decode
from bot.storage import MemoryPending, PendingClaims, Store

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
MAX_TEXT_CHARS = 4096
COMMANDS = (
    "start",
    "menu",
    "lessons",
    "review",
    "test",
    "progress",
    "check",
    "remind",
    "language",
    "mydata",
    "forget",
    "help",
)
ADMIN_COMMANDS = ("stats", "queue", "reload", "broadcast")


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
        now = self.clock()
        try:
            with self.store.unit() as unit:
                user = unit.users.user(incoming.user, now)
                if incoming.event_id and not unit.users.first_time(incoming.event_id, now):
                    return []  # a re-delivery of an event already handled
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
                )
                replies = self._dispatch(ctx) if self._allowed(ctx) else self._slow_down(ctx)
            for work in ctx.after:
                work()
            if ctx.later:
                with self.store.unit(write=False) as reading:
                    for build in ctx.later:
                        replies += build(reading)
            return replies
        except Exception as exc:
            self.failures += 1
            log.error("event failed: %s", type(exc).__name__)
            log.debug("event failed", exc_info=True)
            language = content.texts.resolve_language(incoming.language)
            return [Reply(content.texts.render(language, "errors.internal"))]

    def inline(self, text: str, language: str | None) -> list[InlineAnswer]:
        """Inline-mode answers. Needs no user state, so no database work is done."""
        return factcheck.inline(FixedVoice(self.content, language), text)

    def command_menu(self, language: str, *, admin: bool = False) -> list[tuple[str, str]]:
        """Commands and their descriptions for the platform's menu (admins see theirs too)."""
        texts = self.content.texts
        lang = texts.resolve_language(language)
        names = COMMANDS + ADMIN_COMMANDS if admin else COMMANDS
        return [(name, texts.render(lang, f"commands.{name}")) for name in names]

    def _allowed(self, ctx: Context) -> bool:
        user, limits = ctx.user, self.limits
        allowed, tokens = ratelimit.take(
            user.rate_tokens, user.rate_at, ctx.now, limits.burst, limits.per_minute
        )
        user.rate_tokens, user.rate_at = tokens, ctx.now
        if allowed and tokens >= 1.0:
            user.rate_warned = False
        return allowed

    def _slow_down(self, ctx: Context) -> list[Reply]:
        """One polite word when the limit is first hit, then silence until it refills."""
        if ctx.user.rate_warned:
            return []
        ctx.user.rate_warned = True
        return [Reply(ctx.t("errors.slow_down"))]

    def _dispatch(self, ctx: Context) -> list[Reply]:
        incoming = ctx.incoming
        if incoming.payload is not None:
            ctx.user.awaiting = None
            return self._press(ctx, incoming.payload)
        text = incoming.text[:MAX_TEXT_CHARS]
        if text.startswith("/"):
            ctx.user.awaiting = None
            word, _, rest = text[1:].partition(" ")
            return self._command(ctx, word.split("@", 1)[0].lower(), rest)
        awaiting = ctx.user.awaiting or ""
        if awaiting.startswith("reason:") and text.strip():
            return factcheck.reason(ctx, awaiting.removeprefix("reason:"), text)
        short = quizzes.awaiting_short_answer(ctx)
        if short is not None and text.strip():
            return quizzes.typed_answer(ctx, *short)
        if quizzes.resent_short_answer(ctx, text):
            return resume.where_you_are(ctx, "cont")
        return factcheck.check(ctx, text)

    def _command(self, ctx: Context, name: str, rest: str) -> list[Reply]:
        simple: dict[str, Callable[[Context], list[Reply]]] = {
            "start": onboarding.start,
            "menu": menu.main_menu,
            "lessons": lessons.list_lessons,
            "progress": progress.progress,
            "help": menu.help_reply,
            "language": onboarding.language_menu,
            "review": quizzes.start_review,
            "test": assessments.start,
            "mydata": account.mydata,
            "forget": account.forget,
        }
        if name in simple:
            return simple[name](ctx)
        if name == "check":
            return factcheck.check(ctx, rest)
        if name == "remind":
            return account.remind(ctx, rest.strip().lower() or None)
        admin_only: dict[str, Callable[[Context], list[Reply]]] = {
            "stats": admin.stats,
            "queue": admin.queue,
            "reload": admin.reload,
            "broadcast": lambda c: admin.broadcast(c, rest),
        }
        if name in admin_only:
            if not ctx.is_admin:
                return admin.refused(ctx)
            if name == "reload" and self.on_reload is not None:
                ctx.after.append(self.on_reload)
            return admin_only[name](ctx)
        return menu.unknown_command(ctx, name)

    def _press(self, ctx: Context, data: str) -> list[Reply]:
        payload = decode(data)
        if payload is None or (payload.verb in STATEFUL and payload.seq != ctx.user.seq):
            # Stale or forged: change nothing, and show where the person is (after a restart
            # their last buttons may be out of date through no fault of theirs).
            return resume.where_you_are(ctx, payload.verb if payload else None)
        return self._route(ctx, payload)

    def _route(self, ctx: Context, payload: Payload) -> list[Reply]:
        arg = payload.arg
        routes: dict[str, Callable[[], list[Reply]]] = {
            "menu": lambda: menu.main_menu(ctx),
            "help": lambda: menu.help_reply(ctx),
            "progress": lambda: progress.progress(ctx),
            "lessons": lambda: lessons.list_lessons(ctx),
            "lesson": lambda: lessons.open_lesson(ctx, arg),
            "next": lambda: lessons.turn(ctx, arg),
            "back": lambda: lessons.turn(ctx, arg),
            "quiz": lambda: quizzes.start_quiz(ctx, arg),
            "pick": lambda: quizzes.pick(ctx, arg),
            "tick": lambda: quizzes.tick(ctx, arg),
            "done": lambda: quizzes.done(ctx),
            "cont": lambda: quizzes.cont(ctx),
            "retry": lambda: quizzes.retry(ctx),
            "lang": lambda: onboarding.choose_language(ctx, arg),
            "fc": lambda: factcheck.show(ctx, arg),
            "fb": lambda: factcheck.feedback(ctx, arg),
            "send": lambda: factcheck.send_to_editors(ctx),
            "notify": lambda: factcheck.notify_choice(ctx, arg),
            "review": lambda: quizzes.start_review(ctx),
            "test": lambda: assessments.start(ctx),
            "rate": lambda: assessments.rate(ctx, arg),
            "mydata": lambda: account.mydata(ctx),
            "forget": lambda: account.forget(ctx),
            "erase": lambda: account.erase(ctx),
            "remind": lambda: account.remind(ctx, arg),
            "bcast": lambda: admin.confirm_broadcast(ctx, arg),
        }
        return routes[payload.verb]()


_SURROGATES = re.compile("[\ud800-\udfff]")


def _clean(incoming: Incoming) -> Incoming:
    """Text as a database and Telegram accept it: no NUL, no unpaired surrogate halves."""

    def clean(value: str) -> str:
        return _SURROGATES.sub("\ufffd", value.replace("\x00", ""))

    return dataclasses.replace(
        incoming,
        text=clean(incoming.text),
        payload=None if incoming.payload is None else clean(incoming.payload),
        language=None if incoming.language is None else clean(incoming.language)[:16],
    )
