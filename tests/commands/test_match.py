"""`civicbot match --language ru TEXT --json` says what the chat does for a Russian speaker: the
same tier (the one the engine records for the check), the same fact-check and the same scores."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select

from bot.app import load_content
from bot.cli import main
from bot.config import Settings
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.storage.tables import CheckEvent
from bot.storage.unit import Store
from bot.testing.person import Person
from tests.conftest import UNLIMITED, Clock

MESSAGES = [
    "Навального никто не травил «Новичком», всё это провокация Запада",
    "Буча — постановка, тела подложили для западных журналистов",
    "Алексей Навальный умер в арктической колонии в феврале 2024 года",
    "какая погода в лондоне завтра",
]


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(Settings())  # what `civicbot run` and `civicbot chat` build


def _cli(text: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["match", "--language", "ru", text, "--json"]) == 0
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    return report


@pytest.mark.parametrize("text", MESSAGES)
def test_match_gives_the_chats_tier_and_scores(
    text: str, content: Content, db_engine: DbEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _cli(text, capsys)
    person = Person(Engine(Store(db_engine), content, Clock(), UNLIMITED), language="ru")
    person.say("/start")
    person.press("Русский")
    person.say(text)
    with db_engine.connect() as connection:
        event = connection.execute(select(CheckEvent)).one()
    assert report["language"] == event.language == "ru"
    assert report["tier"] == event.tier
    matches = report["matches"]
    assert isinstance(matches, list)
    if event.tier == "none":
        assert matches == []  # nothing below the suggest threshold is shown
        assert report["confidence"] < content.matcher.thresholds.suggest  # type: ignore[operator]
    else:
        assert matches[0]["id"] == event.factcheck_id
        assert report["confidence"] == matches[0]["score"]
    # The scores are the chat's matcher's, for the chat's top three.
    chat = content.matcher.match(text, top=3, language="ru")
    assert [(m["id"], m["score"]) for m in matches] == [
        (m.document_id, m.score) for m in chat.matches
    ]
    assert report["confidence"] == chat.confidence
    if event.tier == "answer":
        claim = content.library.factchecks[("ru", matches[0]["id"])].claim
        assert claim[:30] in person.replies[0].text
    elif event.tier == "suggest":
        assert len(person.labels()) == len(matches) + 1  # the candidates and "none of these"


def test_match_language_falls_back_like_the_chat(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", "--language", "xx", "5G masts spread the coronavirus", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["language"] == "en"
