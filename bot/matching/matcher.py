"""The matcher: find the fact-check a forwarded message repeats, and say how sure it is.

Two stages keep it both fast and accurate. BM25F shortlists the best `candidates` fact-checks by
shared rare words (milliseconds at 100k fact-checks); a learned linear reranker then orders the
shortlist with fuzzy, coverage, number and name features, and a calibrated confidence decides the
tier. A link in the message that equals one of a fact-check's links wins outright.

A Matcher is immutable after construction: build a new one when the library reloads and swap it
in; `match` may run in several threads at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.matching import features, model
from bot.matching.corpus import Corpus, IndexSettings
from bot.matching.index import FloatArray, IntArray
from bot.matching.types import Document, Match, MatchResult, Thresholds, Tier

# Share of a tweet signature's weight in the query: the person quoted is often the claim's subject.
SIGNATURE_WEIGHT = 0.5
# Added to the ranking logit of fact-checks in the asking user's language.
LANGUAGE_BONUS = 0.5
# How many first-stage candidates are reranked (recall at 100 is 0.94-0.99 on the benchmark).
CANDIDATES = 100
# Content words a message must share with a fact-check before the bot answers with it.
ANSWER_MIN_WORDS = 2
# Share of the claim's (rarity-weighted) words the message must contain to be answered/offered.
ANSWER_MIN_CLAIM_SHARE = 0.1
SUGGEST_MIN_CLAIM_SHARE = 0.05


@dataclass(frozen=True)
class Ranking:
    """The reranked shortlist: document positions best first, their logits and the confidence."""

    docs: tuple[int, ...]
    logits: tuple[float, ...]
    confidence: float
    exact: bool = False
    matched: int = 0  # content words of the message found in the best fact-check
    words: int = 0  # content words in the message
    claim_share: float = 0.0  # rarity-weighted share of the best claim (or headline) matched


@dataclass(frozen=True)
class Shortlist:
    """The first stage's candidates (document positions, best BM25F first) and their features."""

    query: features.Query
    docs: IntArray
    bm25: FloatArray
    matrix: FloatArray


def tier_of(ranking: Ranking, limits: Thresholds) -> Tier:
    """The tier for a ranking: by confidence, capped by how much of the message matched.

    The confidence was learned on tweets, which always share several words with a candidate. A
    message that shares a single word with a fact-check ("5G", or a chat line that happens to
    say "weather") is never answered; it may be offered only when that word is most of what
    the message says. A fact-check whose claim the message barely touches (a tenth of its
    rarity-weighted words for an answer, a twentieth for an offer) is not used either; on the
    benchmark these guards cost about 1% of the answers.
    """
    sure = ranking.confidence
    if ranking.exact:
        return Tier.ANSWER
    enough = ranking.matched >= ANSWER_MIN_WORDS
    if sure >= limits.answer and enough and ranking.claim_share >= ANSWER_MIN_CLAIM_SHARE:
        return Tier.ANSWER
    mostly = ranking.matched * 2 >= ranking.words
    offered = ranking.claim_share >= SUGGEST_MIN_CLAIM_SHARE
    if sure >= limits.suggest and (enough or mostly) and offered:
        return Tier.SUGGEST
    return Tier.NONE


class Matcher:
    def __init__(
        self,
        documents: Sequence[Document],
        thresholds: Thresholds | None = None,
        settings: IndexSettings | None = None,
        candidates: int = CANDIDATES,
        fitted: model.Model | None = None,
    ) -> None:
        self.thresholds = thresholds or Thresholds()
        self.corpus = Corpus(documents, settings)
        self.candidates = candidates
        self.model = fitted or model.DEFAULT

    @property
    def documents(self) -> tuple[Document, ...]:
        return self.corpus.documents

    def __len__(self) -> int:
        return len(self.corpus)

    def shortlist(self, text: str, without: Sequence[int] = ()) -> Shortlist:
        """The first stage's candidates for a message and their features, before reranking.

        `without` lists document positions to treat as absent from the library (the benchmark
        removes a query's right fact-checks this way to see what the bot says without them).
        """
        corpus = self.corpus
        query = features.prepare(corpus, text, SIGNATURE_WEIGHT)
        scores = corpus.index.scores(query.term_ids, query.weights)
        if len(without):
            scores[np.asarray(without, dtype=np.int64)] = 0.0
        docs, bm25 = corpus.index.top(scores, self.candidates)
        return Shortlist(query, docs, bm25, features.compute(corpus, query, docs, bm25))

    def rank(self, text: str, language: str | None = None, without: Sequence[int] = ()) -> Ranking:
        """Every shortlisted fact-check, best first, with the confidence in the first."""
        corpus = self.corpus
        if not text.strip() or len(corpus) == 0:
            return Ranking((), (), 0.0)
        found = self.shortlist(text, without)
        query, docs, matrix = found.query, found.docs, found.matrix
        exact = [p for p in self._exact(query.urls, language) if p not in without]
        if len(docs) == 0:
            if exact:
                return Ranking(tuple(exact), (0.0,) * len(exact), 1.0, exact=True)
            return Ranking((), (), 0.0)
        logits = self.model.rank_scores(matrix)
        if language is not None:
            logits = logits + LANGUAGE_BONUS * self._in_language(docs, language)
        order = np.argsort(-logits, kind="stable")
        best = int(order[0])
        second = int(order[1]) if len(order) > 1 else None
        sure = self.model.confidence(matrix, logits, best, second)
        ranked = [int(docs[i]) for i in order]
        values = [float(logits[i]) for i in order]
        matched = features.matched_words(corpus, query, ranked[0])
        if exact:
            rest = [(d, v) for d, v in zip(ranked, values, strict=True) if d not in exact]
            lead = values[0] if values else 0.0
            ranked = exact + [d for d, _ in rest]
            values = [lead] * len(exact) + [v for _, v in rest]
            return Ranking(tuple(ranked), tuple(values), 1.0, exact=True)
        row = matrix[best]
        share = max(
            float(row[features.COLUMN["cov_claim"]]), float(row[features.COLUMN["cov_title"]])
        )
        return Ranking(tuple(ranked), tuple(values), sure, False, matched, query.words, share)

    def match(self, text: str, top: int = 3, language: str | None = None) -> MatchResult:
        """The tier and up to `top` matches (one per fact-check id), best first.

        ANSWER: reply with matches[0]; SUGGEST: offer the matches; NONE: nothing close enough
        (matches then holds the closest candidates for display only).
        """
        ranking = self.rank(text, language)
        if not ranking.docs:
            return MatchResult(Tier.NONE, ())
        limits = self.thresholds
        sure = ranking.confidence
        lead = ranking.logits[0]
        matches: list[Match] = []
        seen: set[str] = set()
        for position, logit in zip(ranking.docs, ranking.logits, strict=True):
            doc = self.corpus.documents[position]
            if doc.id in seen:
                continue
            score = sure * float(np.exp(min(logit - lead, 0.0)))
            if matches and score < limits.candidate:
                break
            seen.add(doc.id)
            matches.append(Match(doc.id, doc.language, round(score, 4)))
            if len(matches) >= top:
                break
        return MatchResult(tier_of(ranking, limits), tuple(matches))

    def _exact(self, urls: Sequence[str], language: str | None) -> list[int]:
        found: list[int] = []
        for url in urls:
            for position in self.corpus.by_url.get(url, ()):
                if position not in found:
                    found.append(position)
        if language is not None:
            found.sort(key=lambda p: self.corpus.documents[p].language != language)
        return found

    def _in_language(self, docs: IntArray, language: str) -> FloatArray:
        documents = self.corpus.documents
        same = [documents[int(d)].language == language for d in docs]
        return np.asarray(same, dtype=np.float32)
