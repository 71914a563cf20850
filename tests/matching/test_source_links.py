"""A message carrying the link of a fact-check's own page or of one of its sources gets that
fact-check, however the link was decorated by the app that shared it."""

from __future__ import annotations

import dataclasses

import pytest

from bot.library.library import Library
from bot.library.loader import load_library
from bot.matching import Matcher, Tier, documents_from_library
from bot.paths import bundled_content

SNOPES = "https://www.snopes.com/fact-check/zelenskyy-swastika-jersey/"


@pytest.fixture(scope="module")
def library() -> Library:
    loaded = load_library(bundled_content())
    assert loaded.ok
    return loaded.library


def test_a_source_link_finds_its_factcheck_once_documents_carry_sources(library: Library) -> None:
    # The documents as they should be built (see the test below): with their sources' links.
    documents = [
        dataclasses.replace(
            doc,
            sources=tuple(
                s.url for s in library.factchecks[(doc.language, doc.id)].sources if s.url
            ),
        )
        for doc in documents_from_library(library)
    ]
    matcher = Matcher(documents)
    shared = "look at this http://snopes.com/fact-check/zelenskyy-swastika-jersey?utm_source=tg#x"
    for text, language in ((SNOPES, "en"), (shared, "ru")):
        result = matcher.match(text, language=language)
        assert result.tier is Tier.ANSWER
        assert result.best is not None
        assert (result.best.document_id, result.best.language) == (
            "zelensky-swastika-jersey",
            language,
        )


@pytest.mark.xfail(
    strict=True,
    reason="bot/matching/library_docs.py passes a fact-check's `urls` but not its source URLs",
)
def test_a_source_link_of_a_bundled_factcheck_is_answered(library: Library) -> None:
    result = Matcher(documents_from_library(library)).match(SNOPES, language="en")
    assert result.tier is Tier.ANSWER
    assert result.best is not None and result.best.document_id == "zelensky-swastika-jersey"
