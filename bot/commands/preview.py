"""Previewing content exactly as the bot sends it, by running the real engine on a throwaway
database and walking through the item: every card of a lesson, every question of a quiz with
the feedback for its right answer, or a fact-check's answer."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.config import LimitsSettings
from bot.engine.content import Content
from bot.engine.context import FixedVoice
from bot.engine.engine import Engine
from bot.engine.events import Incoming, Reply
from bot.engine.factcheck import render_factcheck
from bot.engine.payloads import Payload, owner_tag
from bot.library.schema import Question, QuestionType
from bot.storage import db
from bot.storage.unit import Store

PREVIEWER = "0" * 64


class NotFoundError(Exception):
    """No lesson, quiz or fact-check has that id in that language."""


def preview(content: Content, item_id: str, language: str) -> list[Reply]:
    library = content.library
    fc = library.factchecks.get((language, item_id))
    if fc is not None:
        return [Reply(render_factcheck(FixedVoice(content, language), fc))]
    if (language, item_id) not in library.lessons and (language, item_id) not in library.quizzes:
        raise NotFoundError(f"no lesson, quiz or fact-check '{item_id}' in language {language}")
    with tempfile.TemporaryDirectory() as folder:
        database = db.open_engine(f"sqlite:///{Path(folder) / 'preview.sqlite3'}")
        try:
            db.upgrade(database)
            engine = Engine(Store(database), content, limits=LimitsSettings(burst=10**9))
            return _Walk(engine, language).item(item_id)
        finally:
            database.dispose()


class _Walk:
    def __init__(self, engine: Engine, language: str) -> None:
        self.engine = engine
        self.language = language
        self.shown: list[Reply] = []
        self.last: list[Reply] = []

    def send(self, text: str = "", payload: str | None = None) -> bool:
        self.last = self.engine.handle(
            Incoming(PREVIEWER, text=text, payload=payload, language=self.language)
        )
        self.shown.extend(self.last)
        return bool(self.last)

    def press(self, verb: str, arg: str | None = None) -> bool:
        for reply in self.last:
            for button in reply.flat_buttons:
                parts = button.payload.split(":")
                if parts[0] == verb and (arg is None or parts[-1] == arg):
                    return self.send(payload=button.payload)
        return False

    def item(self, item_id: str) -> list[Reply]:
        library = self.engine.content.library
        if (self.language, item_id) in library.lessons:
            self.send(payload=_payload("lesson", item_id))
            while self.press("next"):
                pass
            return self.shown
        self.send(payload=_payload("quiz", item_id))
        for question in library.quizzes[(self.language, item_id)].questions:
            self.answer_right(question)
            self.press("cont")
        return self.shown

    def answer_right(self, question: Question) -> None:
        """Answer correctly, so the preview shows the feedback for the right answer."""
        if question.type is QuestionType.SHORT:
            self.send(text=question.accepted[0])
        elif question.type is QuestionType.TRUEFALSE:
            self.press("pick", "1" if question.answer else "0")
        elif question.type is QuestionType.SINGLE:
            self.press("pick", str(min(question.correct_indexes)))
        else:
            for index in sorted(question.correct_indexes):
                self.press("tick", str(index))
            self.press("done")


def _payload(verb: str, item_id: str) -> str:
    """The button that opens an item, as the bot would make it for the previewer."""
    return Payload(verb, 0, owner_tag(PREVIEWER), item_id).encode()
