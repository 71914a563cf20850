"""Feedback reasons are asked for, not taken: after 👎 only the next text the person types
within ten minutes is a reason; a forward never is; any other action ends the wait; Skip is
offered; what was stored is shown back and can be deleted. In English and Russian."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select

from bot.app import load_content
from bot.config import Settings
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.storage.tables import Feedback
from bot.storage.unit import Store
from bot.testing.person import Person
from tests.conftest import UNLIMITED, Clock


@dataclass(frozen=True)
class Words:
    language: str
    choose: str
    claim: str
    unhelpful: str
    asked: str
    skip: str
    stored: str
    delete: str
    deleted: str
    answered: str


WORDS = {
    "en": Words(
        "en",
        "English",
        "Bucha was staged, the bodies were planted for Western journalists",
        "Not helpful",
        "10 minutes",
        "Skip",
        "This is what I kept for the editors",
        "Delete my reason",
        "Only your 👎 is kept",
        "Bucha",
    ),
    "ru": Words(
        "ru",
        "Русский",
        "Буча — постановка, тела подложили для западных журналистов",
        "Не помогло",
        "10 минут",
        "Пропустить",
        "Вот что я сохранил для редакторов",
        "Удалить мою причину",
        "Сохранена только ваша оценка",
        "Буч",
    ),
}
FORWARDED = "Secret meeting of the opposition at Lenina 12, Thursday 19:00, tell no one"


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(Settings())  # the bundled library, with fact-checks in both languages


@pytest.fixture(params=sorted(WORDS))
def words(request: pytest.FixtureRequest) -> Words:
    return WORDS[request.param]


def asked_for_a_reason(content: Content, db_engine: DbEngine, clock: Clock, w: Words) -> Person:
    """A person whose claim was answered, and who pressed 👎 on the answer."""
    person = Person(Engine(Store(db_engine), content, clock, UNLIMITED), language=w.language)
    person.say("/start")
    if w.choose in person.labels():
        person.press(w.choose)
    assert w.answered in person.say(w.claim)
    out = person.press(w.unhelpful)
    assert w.asked in out and w.skip in person.labels(), out
    return person


def reasons(db_engine: DbEngine) -> list[str | None]:
    with db_engine.connect() as connection:
        return list(connection.scalars(select(Feedback.reason)))


def test_a_typed_reason_is_stored_shown_back_and_can_be_deleted(
    content: Content, db_engine: DbEngine, clock: Clock, words: Words
) -> None:
    person = asked_for_a_reason(content, db_engine, clock, words)
    clock.advance(minutes=9)
    out = person.say("The sources are <b>two years</b> old")
    assert words.stored in out and "The sources are <b>two years</b> old" in out
    assert reasons(db_engine) == ["The sources are <b>two years</b> old"]
    assert words.deleted in person.press(words.delete)
    assert reasons(db_engine) == [None]


def test_a_forward_is_never_a_reason_and_ends_the_wait(
    content: Content, db_engine: DbEngine, clock: Clock, words: Words
) -> None:
    person = asked_for_a_reason(content, db_engine, clock, words)
    out = person.forward(FORWARDED)
    # Not taken as a reason: checked as a claim instead (quoted only in the offer to send it on).
    assert words.stored not in out
    assert out.count("Lenina") == 1
    person.say("and this comes after the forward")
    assert reasons(db_engine) == [None]


def test_the_wait_ends_after_ten_minutes(
    content: Content, db_engine: DbEngine, clock: Clock, words: Words
) -> None:
    person = asked_for_a_reason(content, db_engine, clock, words)
    clock.advance(minutes=10, seconds=1)
    out = person.say(words.claim)  # a new claim, sent later: checked, not kept as a reason
    assert words.answered in out and words.stored not in out
    assert reasons(db_engine) == [None]


@pytest.mark.parametrize("action", ["skip", "command", "other button"])
def test_skip_or_any_other_action_ends_the_wait(
    content: Content, db_engine: DbEngine, clock: Clock, words: Words, action: str
) -> None:
    person = asked_for_a_reason(content, db_engine, clock, words)
    if action == "skip":
        person.press(words.skip)
    elif action == "command":
        person.say("/help")
    else:
        person.send_payload(person.payload("lessons"))
    out = person.say("5g towers cause covid")
    assert words.stored not in out
    assert reasons(db_engine) == [None]
