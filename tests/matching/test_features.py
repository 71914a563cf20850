"""What the reranker reads from a message: its predicate whatever the message's capitals."""

from __future__ import annotations

from bot.matching import Document
from bot.matching.corpus import Corpus, terms
from bot.matching.features import prepare

LIBRARY = [
    Document("left", "en", "In July Bernie Sanders left the party during the convention"),
    Document("quote", "en", "Barney Frank said Sanders called the party not progressive"),
]


def predicate(corpus: Corpus, text: str) -> set[str]:
    words = {term: word for word, term in corpus.index.vocab.items()}
    return {words[term] for term in prepare(corpus, text, 0.5).predicate}


def test_a_message_in_capitals_keeps_its_predicate() -> None:
    corpus = Corpus(LIBRARY)
    said = predicate(corpus, "Today Bernie Sanders has left the party after the convention")
    assert predicate(corpus, "TODAY BERNIE SANDERS HAS LEFT THE PARTY AFTER THE CONVENTION") == said
    assert predicate(corpus, "Today Bernie Sanders Has Left The Party After The Convention") == said
    assert terms("left")[0] in said
    assert not said & {terms("Bernie")[0], terms("Sanders")[0]}


def test_in_capitals_a_name_the_library_knows_stays_a_name() -> None:
    corpus = Corpus(LIBRARY)
    said = predicate(corpus, "BARNEY FRANK SAID SANDERS LEFT THE CONVENTION")
    assert terms("Frank")[0] not in said
    assert terms("convention")[0] in said
