"""The library prepared for matching: the BM25F index plus what the reranker reads per document.

Everything is computed once when the library is (re)loaded and never changed afterwards, so many
threads can match against one Corpus at the same time. Per document the reranker needs the set of
terms of each field (a compact forward index in numpy) and the folded texts for fuzzy comparison;
token sets as Python objects would cost hundreds of megabytes at 100k fact-checks.
"""

from __future__ import annotations

import gc
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from bot.matching.index import Bm25Index, Field, FloatArray, IntArray
from bot.matching.normalise import fold, split_folded
from bot.matching.semantic import Encoder, encode_library
from bot.matching.stem import stem
from bot.matching.stopwords import STOPWORDS
from bot.matching.types import Document
from bot.matching.urls import canonical_url


@dataclass(frozen=True)
class IndexSettings:
    """Field weights of the first stage, chosen on the training splits of the benchmark."""

    claim: Field = field(default_factory=lambda: Field(1.0, 0.75))
    title: Field = field(default_factory=lambda: Field(1.2, 0.75))
    answer: Field = field(default_factory=lambda: Field(0.6, 0.75))
    k1: float = 1.2


def folded_terms(folded: str) -> list[str]:
    """Index terms of already folded text: tokenised and stemmed."""
    return [stem(token) for token in split_folded(folded)]


def terms(text: str) -> list[str]:
    """Index terms of a text: folded, tokenised and stemmed."""
    return folded_terms(fold(text))


# A capitalised word not at the start of a sentence, or an acronym: likely a name.
NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][\w'’-]*|\b[A-Z]{2,}\b", re.MULTILINE)
_WORD = re.compile(r"[^\W_][\w'’-]*")
_SENTENCE_END = frozenset(".!?:\n")


def capitalised(text: str) -> list[str]:
    """The words of a text that are likely names, in any cased script: capitalised words not at
    the start of a sentence, acronyms, and a sentence's first word when the text capitalises it
    elsewhere too ("Navalny ... Navalny")."""
    inside: list[str] = []
    first: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group(0)
        if not word[0].isupper():
            continue
        before = text[: match.start()].rstrip(" \t\"'«“‘(")
        starts = not before or before[-1] in _SENTENCE_END
        (first if starts and not (len(word) > 1 and word.isupper()) else inside).append(word)
    known = {word.casefold() for word in inside}
    return inside + [word for word in first if word.casefold() in known]


_NEGATION_WORDS = """not no never nor none nothing nobody neither isnt arent wasnt werent dont
    doesnt didnt cant cannot wont wouldnt hasnt havent hadnt fake hoax false myth debunked
    не нет ни никогда никто ничего никакого никакой никакие нельзя фейк ложь неправда"""
NEGATIONS = frozenset(_NEGATION_WORDS.split())


def headline_cased(text: str) -> bool:
    """Whether a text capitalises nearly all of its longer words, as a headline in title case or
    a message in capitals does: then a capital no longer tells a name from any other word."""
    longer = [w for w in _WORD.findall(text) if len(w) >= 4 and w[0].lower() != w[0].upper()]
    capital = sum(1 for w in longer if w[0].isupper())
    return len(longer) >= 3 and capital >= 0.75 * len(longer)


def name_terms(text: str) -> set[str]:
    """Index terms of the capitalised words of a text: the names it mentions."""
    return set(terms(" ".join(capitalised(text))))


def content_terms(folded: str) -> list[str]:
    """Index terms of already folded text without function words, in order."""
    return [stem(token) for token in split_folded(folded) if token not in STOPWORDS]


def predicate_terms(folded: str, names: set[str]) -> list[str]:
    """Index terms of already folded text without function words and without `names`: what a
    sentence says about its subject rather than who or what the subject is."""
    return [term for term in content_terms(folded) if term not in names]


def phrases(ids: Sequence[int], size: int) -> list[int]:
    """Keys of the adjacent pairs of content terms (by id; negative for a word the library does
    not know, which pairs with nothing): a claim's wording, in order."""
    pairs = itertools.pairwise(ids)
    return list(dict.fromkeys(a * size + b for a, b in pairs if a >= 0 and b >= 0))


def negated(folded: str) -> bool:
    return any(token in NEGATIONS for token in folded.split())


class Forward:
    """Each document's distinct term ids for one field, as one flat array with offsets."""

    def __init__(self, per_doc: Sequence[Sequence[int]], wide: bool = False) -> None:
        lengths = np.fromiter((len(ids) for ids in per_doc), dtype=np.int64, count=len(per_doc))
        self.starts = np.zeros(len(per_doc) + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.starts[1:])
        flat = [term for ids in per_doc for term in ids]
        self.terms = np.asarray(flat, dtype=np.int64 if wide else np.int32)

    def gather(self, docs: IntArray) -> tuple[IntArray, IntArray]:
        """The concatenated term ids of `docs` and, for each, the position of its document."""
        starts = self.starts[docs]
        lengths = self.starts[docs + 1] - starts
        total = int(lengths.sum())
        owner = np.repeat(np.arange(len(docs)), lengths)
        offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        found = self.terms[np.repeat(starts, lengths) + offsets]
        return found.astype(np.int64, copy=False), owner

    def nbytes(self) -> int:
        return int(self.starts.nbytes + self.terms.nbytes)


class Corpus:
    """Documents turned into an index, forward indexes and folded texts."""

    def __init__(
        self,
        documents: Sequence[Document],
        settings: IndexSettings | None = None,
        encoder: Encoder | None = None,
    ) -> None:
        # Building allocates millions of small objects and frees none of them until the end:
        # the cyclic garbage collector would only rescan them (a third of the build time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._build(documents, settings or IndexSettings())
        finally:
            if collecting:
                gc.enable()
        # With the sentence-embedding model: a unit vector per phrasing (rows as `wording`).
        self.encoder = encoder
        self.vectors: FloatArray | None = None
        if encoder is not None:
            texts = [text for group in self.variants for text in group]
            self.vectors = encode_library(encoder, texts)

    def _build(self, documents: Sequence[Document], settings: IndexSettings) -> None:
        self.settings = settings
        self.documents = tuple(documents)
        # Folded texts, kept for the fuzzy scorers: every phrasing of the claim, and the headline.
        self.variants: list[tuple[str, ...]] = [
            tuple(dict.fromkeys(fold(text) for text in (d.claim, *d.phrasings)))
            for d in self.documents
        ]
        # The headline features fall back to the claim when a fact-check has no headline (the
        # content format has none), so that scores mean the same as on the benchmark.
        self.titles: list[str] = [
            fold(d.title) or group[0]
            for d, group in zip(self.documents, self.variants, strict=True)
        ]
        claim_terms = [[t for v in group for t in folded_terms(v)] for group in self.variants]
        title_terms = [folded_terms(fold(d.title)) for d in self.documents]
        answer_terms = [terms(d.answer) for d in self.documents]
        s = self.settings
        self.index = Bm25Index(
            list(zip(claim_terms, title_terms, answer_terms, strict=True)),
            (s.claim, s.title, s.answer),
            k1=s.k1,
        )
        vocab = self.index.vocab
        self.vocab_size = size = len(vocab)

        def ids(tokens: list[str]) -> list[int]:
            return list(dict.fromkeys([vocab[t] for t in tokens]))

        self.claim = Forward([ids(t) for t in claim_terms])
        # Each phrasing's own terms, so that a message repeating one phrasing covers it fully.
        self.wording = Forward([ids(folded_terms(v)) for group in self.variants for v in group])
        self.variant_starts = np.zeros(len(self.variants) + 1, dtype=np.int64)
        np.cumsum([len(group) for group in self.variants], out=self.variant_starts[1:])
        # Without a headline, the claim itself stands in for it.
        self.title = Forward(
            [
                ids(t or folded_terms(group[0]))
                for t, group in zip(title_terms, self.variants, strict=True)
            ]
        )
        self.every = Forward(
            [ids(c + t + a) for c, t, a in zip(claim_terms, title_terms, answer_terms, strict=True)]
        )
        self.names = Forward(
            [
                ids([t for t in terms(" ".join(NAME.findall(d.claim))) if t in vocab])
                for d in self.documents
            ]
        )
        # What each phrasing (and the headline) says about its subject, for the predicate features.
        statements: list[list[int]] = []
        pairs: list[list[int]] = []
        starts = [0]
        # Per term: in how many claims it occurs, and in how many of those it is written as a name.
        occurs = np.zeros(size, dtype=np.int32)
        as_name = np.zeros(size, dtype=np.int32)
        for d, group, said in zip(self.documents, self.variants, claim_terms, strict=True):
            # Names come from the sentences only: headlines are often in title case.
            names = name_terms("\n".join((d.claim, *d.phrasings)))
            used = ids(said)
            occurs[used] += 1
            named = {vocab[t] for t in names if t in vocab}
            as_name[[term for term in used if term in named]] += 1
            texts = (*group, fold(d.title)) if d.title else group
            for text in texts:
                statements.append([vocab[t] for t in dict.fromkeys(predicate_terms(text, names))])
                pairs.append(phrases([vocab[t] for t in content_terms(text)], size))
            starts.append(len(statements))
        # A term the library's claims write as a name at least half the time they use it (or
        # never use): how a message in title case or capitals is read (see `headline_cased`).
        self.name_like = 2 * as_name >= occurs
        self.predicate = Forward(statements)
        self.phrases = Forward(pairs, wide=True)
        self.statement_starts = np.asarray(starts, dtype=np.int64)
        self.stated = Forward([ids(c + t) for c, t in zip(claim_terms, title_terms, strict=True)])
        self.negated = np.asarray([negated(group[0]) for group in self.variants], dtype=bool)
        numeric = np.zeros(size, dtype=np.float32)
        for token, term in vocab.items():
            if token[:1].isdigit():
                numeric[term] = 1.0
        self.numeric = numeric
        # Canonical links: a fact-check's own pages, then the pages its sources are on.
        self.by_url: dict[str, list[int]] = {}
        self.by_source: dict[str, list[int]] = {}
        for position, doc in enumerate(self.documents):
            for table, links in ((self.by_url, doc.urls), (self.by_source, doc.sources)):
                for url in links:
                    key = canonical_url(url)
                    if "/" in key or "?" in key:  # a home page says nothing about the claim
                        table.setdefault(key, []).append(position)

    def __len__(self) -> int:
        return len(self.documents)

    def nbytes(self) -> int:
        """Memory held by the numeric arrays (the texts and the vocabulary come on top)."""
        arrays = self.index.nbytes() + self.numeric.nbytes
        arrays += 0 if self.vectors is None else self.vectors.nbytes
        forwards = [self.claim, self.title, self.every, self.names]
        forwards += [self.predicate, self.stated, self.phrases, self.wording]
        return int(arrays + sum(f.nbytes() for f in forwards))
