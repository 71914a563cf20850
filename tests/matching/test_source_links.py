"""A message carrying the link of a fact-check's own page or of one of its sources gets that
fact-check, however the link was decorated by the app that shared it."""

from __future__ import annotations

import pytest

from bot.config import bundled_content
from bot.library.catalog import Library
from bot.library.documents import documents_from_library
from bot.library.loader import load_library
from bot.matching import Matcher, Tier

SNOPES = "https://www.snopes.com/fact-check/zelenskyy-swastika-jersey/"


@pytest.fixture(scope="module")
def library() -> Library:
    loaded = load_library(bundled_content())
    assert loaded.ok
    return loaded.library


def test_a_source_link_finds_its_factcheck(library: Library) -> None:
    matcher = Matcher(documents_from_library(library))
    shared = "look at this http://snopes.com/fact-check/zelenskyy-swastika-jersey?utm_source=tg#x"
    for text, language in ((SNOPES, "en"), (shared, "ru")):
        result = matcher.match(text, language=language)
        assert result.tier is Tier.ANSWER
        assert result.best is not None
        assert (result.best.document_id, result.best.language) == (
            "zelensky-swastika-jersey",
            language,
        )
