"""Replies that cannot be misread: an answer names the claim it checked before the verdict on
that claim; an offer asks whether the message is about one of some claims and lists claims,
not verdicts. The same in English and Russian, in the chat and in inline mode."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import Engine as DbEngine

from bot.config import Settings, bundled_content
from bot.engine.content import Content
from bot.engine.context import FixedVoice
from bot.engine.engine import Engine
from bot.engine.factcheck import inline
from bot.library.catalog import Library
from bot.library.loader import load_library
from bot.storage.unit import Store
from bot.testing.person import Person
from bot.texts.templates import plain_text
from tests.conftest import UNLIMITED, Clock

OPENING = {"en": "We have checked a claim like this:", "ru": "Мы проверяли похожее утверждение:"}
OFFER = {"en": "Is your message about one of these claims?", "ru": "Ваше сообщение об одном из"}
CLAIM_ID = "navalny-not-poisoned"


@pytest.fixture(scope="module")
def library() -> Library:
    loaded = load_library(bundled_content())
    assert loaded.ok
    return loaded.library


def _content(library: Library, *, never_answer: bool = False) -> Content:
    thresholds = Settings().matching.thresholds
    if never_answer:  # every match that is found is offered, none answered
        thresholds = dataclasses.replace(thresholds, answer=1.01)
    return Content.build(library, "en", thresholds)


def _verdict_labels(content: Content, language: str) -> list[str]:
    return [
        plain_text(content.texts.render(language, f"verdict.{v}"))
        for v in ("false", "misleading", "missing_context", "unproven", "true")
    ]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_answer_names_the_checked_claim_before_its_verdict(
    library: Library, db_engine: DbEngine, language: str
) -> None:
    content = _content(library)
    engine = Engine(Store(db_engine), content, Clock(), UNLIMITED)
    fc = library.factchecks[(language, CLAIM_ID)]
    person = Person(engine, "w" * 64, language=language)
    person.say(fc.claim)
    text = plain_text(person.replies[0].text)
    assert text.startswith(OPENING[language])
    claim_at = text.index(fc.claim)
    verdict_at = min(
        text.index(label) for label in _verdict_labels(content, language) if label in text
    )
    assert claim_at < verdict_at


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_offer_lists_claims_not_verdicts(
    library: Library, db_engine: DbEngine, language: str
) -> None:
    content = _content(library, never_answer=True)
    engine = Engine(Store(db_engine), content, Clock(), UNLIMITED)
    fc = library.factchecks[(language, CLAIM_ID)]
    person = Person(engine, "o" * 64, language=language)
    person.say(fc.claim)
    [offer] = person.replies
    assert OFFER[language] in plain_text(offer.text)
    labels = [b.label for b in offer.flat_buttons[:-1]]  # the last one sends it to the editors
    assert labels and fc.claim.startswith(labels[0].rstrip("…"))
    verdicts = _verdict_labels(content, language)
    assert not any(v in plain_text(offer.text) or v in " ".join(labels) for v in verdicts)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_inline_results_lead_with_the_claim(library: Library, language: str) -> None:
    content = _content(library)
    fc = library.factchecks[(language, CLAIM_ID)]
    [first, *_] = inline(FixedVoice(content, language), fc.claim)
    assert first.title == fc.claim[:200]
    assert not any(first.title.startswith(v) for v in _verdict_labels(content, language))
    assert plain_text(first.text).startswith(OPENING[language])
