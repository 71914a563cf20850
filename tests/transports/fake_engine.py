"""A small engine for transport tests: predictable replies that exercise every rendering path.

It implements the transport's `Engine` protocol and records what it was given, so tests can
check what reached the engine (and what did not: raw ids, forward metadata). The dialog tests
also run against the real engine; this one adds the awkward cases (long texts, photos, files,
an engine that fails) on demand.
"""

from __future__ import annotations

import html
import threading

from bot.engine.events import Attachment, Button, Incoming, InlineAnswer, Reply

LONG_PARAGRAPH = "A <b>bold</b> claim &amp; its <i>source</i>. " * 30
PICTURE_URL = "https://example.org/picture.png"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def draw_png(name: str) -> bytes:
    """A picture made where the transport chooses (a helper process, for Telegram)."""
    return PNG + name.encode()


class FakeEngine:
    """Echoes claims, walks a two-card lesson by editing in place, and fails on request."""

    languages = ["en", "ru"]  # noqa: RUF012 - a read-only class attribute, as the protocol reads
    one_at_a_time = False  # several threads, so the tests see concurrent handling

    def __init__(self) -> None:
        self.seen: list[Incoming] = []
        self.inline_queries: list[tuple[str, str | None]] = []
        self._lock = threading.Lock()

    def handle(self, incoming: Incoming) -> list[Reply]:
        with self._lock:
            self.seen.append(incoming)
        if incoming.payload is not None:
            return self._press(incoming.payload)
        command, _, rest = incoming.text.partition(" ")
        if command == "/boom":
            raise RuntimeError(f"engine failure quoting {incoming.text}")
        if command == "/check":
            return [Reply(f"Checking: {html.escape(rest)}")]
        replies = self._commands().get(command)
        if replies is not None:
            return replies
        return [Reply(f"Claim received: <i>{html.escape(incoming.text)}</i>")]

    def _commands(self) -> dict[str, list[Reply]]:
        chart = Attachment("progress.png", draw_png("progress"), photo=True)
        export = Attachment("export.json", b'{"answers": []}')
        return {
            "/start": [
                Reply(
                    "<b>Welcome</b> &amp; hello.",
                    buttons=(
                        (Button("Lesson 1", "lesson:l1"),),
                        (Button("Quiz & more", "quiz:q1"),),
                    ),
                )
            ],
            "/long": [Reply("\n\n".join([LONG_PARAGRAPH] * 12), buttons=_menu())],
            "/photo": [Reply("A <i>picture</i>.", image=PICTURE_URL, buttons=_menu())],
            "/bigphoto": [Reply("\n\n".join([LONG_PARAGRAPH] * 2), image=PICTURE_URL)],
            "/chart": [Reply("Your <b>progress</b>.", buttons=_menu(), attachment=chart)],
            "/export": [Reply("", attachment=export)],
            "/two": [Reply("First."), Reply("Second.", buttons=_menu())],
            "/silent": [Reply("", notice="nothing to show")],
        }

    def _press(self, payload: str) -> list[Reply]:
        if payload == "lesson:l1":
            return [Reply("<b>Card 1</b>", buttons=((Button("Next", "next:1:l1"),),), replace=True)]
        if payload == "next:1:l1":
            return [Reply("<b>Card 2</b>", replace=True)]
        if payload == "quiz:q1":
            options = (Button("A", "pick:1:0"), Button("B", "pick:1:1"))
            return [Reply("Which is true?", buttons=(options,))]
        if payload.startswith("pick:1:"):
            return [Reply("Right!", notice="Correct")]
        if payload == "boom":
            raise RuntimeError("engine failure")
        return [Reply("", notice="This has moved on.")]

    def inline(self, text: str, language: str | None) -> list[InlineAnswer]:
        with self._lock:
            self.inline_queries.append((text, language))
        return [
            InlineAnswer(
                id=f"fc{i}",
                title=f"False: {text}",
                description="Debunked",
                text=f"<b>False</b>: {html.escape(text)} (#{i})",
            )
            for i in range(60)
        ]

    def command_menu(self, language: str) -> list[tuple[str, str]]:
        start = "Начать" if language == "ru" else "Start"
        return [("start", start), ("check", "Check a claim &amp; more"), ("language", "Language")]

    def texts_seen(self) -> list[str]:
        with self._lock:
            return [incoming.text for incoming in self.seen]


def _menu() -> tuple[tuple[Button, ...], ...]:
    return ((Button("Menu", "menu"),),)
