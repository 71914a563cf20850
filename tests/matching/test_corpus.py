"""The library as the reranker reads it: which words are names, and what a text in capitals is."""

from __future__ import annotations

import pytest

from bot.matching import Document
from bot.matching.corpus import Corpus, headline_cased, terms


@pytest.mark.parametrize(
    "text",
    [
        "Swedish Police Hand Out Bracelets To Stop Refugee Rapists",
        "BERNIE SANDERS HAS LEFT THE DEMOCRATIC PARTY",
        "ПУТИН ПОКИНУЛ КРЕМЛЬ НАВСЕГДА",
    ],
)
def test_title_case_and_capitals_are_headline_cased(text: str) -> None:
    assert headline_cased(text)


@pytest.mark.parametrize(
    "text",
    [
        "Alexei Navalny died in an Arctic prison colony in February 2024",
        "Путин встретился с министрами в Кремле",
        "Bernie Sanders",  # too few words to tell
        "",
    ],
)
def test_sentences_and_short_names_are_not(text: str) -> None:
    assert not headline_cased(text)


def test_a_word_is_name_like_when_the_claims_write_it_as_a_name() -> None:
    corpus = Corpus(
        [
            Document("a", "en", "In July, Bernie Sanders left the party"),
            Document("b", "en", "In July, Sanders said the party had left him"),
        ]
    )

    def name_like(word: str) -> bool:
        return bool(corpus.name_like[corpus.index.vocab[terms(word)[0]]])

    assert name_like("Sanders")
    assert name_like("Bernie")
    assert not name_like("left")
    assert not name_like("party")
