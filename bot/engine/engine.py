"""The conversation engine: one Incoming in, a list of Replies out, all state in the database.

The engine is the same for Telegram, the terminal and tests. It never sends anything itself and
never imports a transport. Each event runs in one unit of work; when anything inside fails, the
unit is rolled back (nothing half-done is stored) and the user gets a polite apology instead of
silence, while the log records only the kind of error, never the message text.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from bot.engine import assessments, factcheck, lessons, menu, onboarding, progress, quizzes
from bot.engine.content import Content
from bot.engine.context import Context, FixedVoice
from bot.engine.events import Incoming, InlineAnswer, Reply
from bot.engine.payloads import STATEFUL, Payload, decode
from bot.storage.store import Store

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
    "language",
    "help",
)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Engine:
    def __init__(self, store: Store, content: Content, clock: Clock = utc_now) -> None:
        self.store = store
        self.content = content
        self.clock = clock

    @property
    def languages(self) -> list[str]:
        return self.content.texts.languages

    def replace_content(self, content: Content) -> None:
        """Serve a new library from the next event on (one reference swap: atomic)."""
        self.content = content

    def handle(self, incoming: Incoming) -> list[Reply]:
        content = self.content
        try:
            with self.store.unit() as unit:
                user = unit.user(incoming.user, self.clock())
                ctx = Context(unit, user, content, incoming, self.clock())
                return self._dispatch(ctx)
        except Exception as exc:
            log.error("event failed: %s", type(exc).__name__)
            log.debug("event failed", exc_info=True)
            language = content.texts.resolve_language(incoming.language)
            return [Reply(content.texts.render(language, "errors.internal"))]

    def inline(self, text: str, language: str | None) -> list[InlineAnswer]:
        """Inline-mode answers. Needs no user state, so no database work is done."""
        return factcheck.inline(FixedVoice(self.content, language), text)

    def command_menu(self, language: str) -> list[tuple[str, str]]:
        texts = self.content.texts
        lang = texts.resolve_language(language)
        return [(name, texts.render(lang, f"commands.{name}")) for name in COMMANDS]

    def _dispatch(self, ctx: Context) -> list[Reply]:
        incoming = ctx.incoming
        if incoming.payload is not None:
            return self._press(ctx, incoming.payload)
        text = incoming.text[:MAX_TEXT_CHARS]
        if text.startswith("/"):
            word, _, rest = text[1:].partition(" ")
            return self._command(ctx, word.split("@", 1)[0].lower(), rest)
        awaiting = quizzes.awaiting_short_answer(ctx)
        if awaiting is not None and text.strip():
            return quizzes.typed_answer(ctx, *awaiting)
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
        }
        if name in simple:
            return simple[name](ctx)
        if name == "check":
            return factcheck.check(ctx, rest)
        return menu.unknown_command(ctx, name)

    def _press(self, ctx: Context, data: str) -> list[Reply]:
        payload = decode(data)
        if payload is None:
            return menu.stale_button(ctx)
        if payload.verb in STATEFUL and payload.seq != ctx.user.seq:
            return menu.stale_button(ctx)
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
            "review": lambda: quizzes.start_review(ctx),
            "test": lambda: assessments.start(ctx),
            "rate": lambda: assessments.rate(ctx, arg),
        }
        return routes[payload.verb]()
