"""The matcher: find the fact-check a forwarded message repeats, and say how sure it is.

Two stages keep it both fast and accurate. BM25F shortlists the best `candidates` fact-checks by
shared rare words (milliseconds at 100k fact-checks); a learned linear reranker then orders the
shortlist with fuzzy, coverage, number and name features, and a calibrated confidence decides the
tier. A link in the message that equals one of a fact-check's links wins outright. With the
optional sentence-embedding model (semantic.py) the reranker also reads how close the message's
meaning is to each candidate's claim.

A Matcher is immutable after construction: build a new one when the library reloads and swap it
in; `match` may run in several threads at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from bot.matching import features, model
from bot.matching.corpus import Corpus, IndexSettings
from bot.matching.index import FloatArray, IntArray
from bot.matching.semantic import Encoder, readable
from bot.matching.types import Document, Match, MatchResult, Thresholds, Tier

# Share of a tweet signature's weight in the query: the person quoted is often the claim's subject.
SIGNATURE_WEIGHT = 0.5
# Added to the ranking logit of fact-checks in the asking user's language.
LANGUAGE_BONUS = 0.5
# How many first-stage candidates are reranked (recall at 100 is 0.94-0.99 on the benchmark).
CANDIDATES = 100


@dataclass(frozen=True)
class Ranking:
    """The reranked shortlist: document positions best first, their logits and the confidence."""

    docs: tuple[int, ...]
    logits: tuple[float, ...]
    confidence: float
    exact: bool = False
    # Ranked by the lexical model although the matcher has the sentence model: the message is
    # not in a script the model reads (see semantic.readable); its tier uses `fallback` limits.
    fallback: bool = False


@dataclass(frozen=True)
class Shortlist:
    """The first stage's candidates (document positions, best BM25F first) and their features."""

    query: features.Query
    docs: IntArray
    bm25: FloatArray
    matrix: FloatArray


def tier_of(ranking: Ranking, limits: Thresholds) -> Tier:
    """The tier for a ranking: its one confidence against the thresholds (a link that equals one
    of a fact-check's own links is certain).

    What used to be separate guards (a message sharing a single word with a fact-check, or
    barely touching its claim) are inputs of the confidence now, so the number the bot shows
    is the number that decides.
    """
    if ranking.exact or ranking.confidence >= limits.answer:
        return Tier.ANSWER
    if ranking.confidence >= limits.suggest:
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
        encoder: Encoder | None = None,
        fallback: Thresholds | None = None,
    ) -> None:
        """With an `encoder` (semantic.load_encoder) the features include the sentence
        embeddings' cosine, and the model defaults to the one fitted with it; a message the
        model cannot read is ranked by the lexical model and judged by the `fallback`
        thresholds (by default those chosen for the lexical model)."""
        self.thresholds = thresholds or Thresholds()
        self.fallback = fallback or Thresholds()
        self.corpus = Corpus(documents, settings, encoder)
        self.candidates = candidates
        if fitted is None:
            fitted = model.load_semantic()[0] if encoder is not None else model.DEFAULT
        self.model = fitted

    @property
    def documents(self) -> tuple[Document, ...]:
        return self.corpus.documents

    def __len__(self) -> int:
        return len(self.corpus)

    def reads(self, text: str) -> bool:
        """Whether the sentence model (if any) reads this message: it is in Latin script."""
        return self.corpus.encoder is not None and readable(text)

    def shortlist(self, text: str, without: Sequence[int] = ()) -> Shortlist:
        """The first stage's candidates for a message and their features, before reranking.

        `without` lists document positions to treat as absent from the library (the benchmark
        removes a query's right fact-checks this way to see what the bot says without them).
        The message is encoded by the sentence model only when it reads it and there are
        candidates.
        """
        corpus = self.corpus
        query = features.prepare(corpus, text, SIGNATURE_WEIGHT)
        scores = corpus.index.scores(query.term_ids, query.weights)
        if len(without):
            scores[np.asarray(without, dtype=np.int64)] = 0.0
        docs, bm25 = corpus.index.top(scores, self.candidates)
        encoder = corpus.encoder
        if len(docs) and encoder is not None and readable(text):
            query = replace(query, vector=encoder.encode([query.folded])[0])
        return Shortlist(query, docs, bm25, features.compute(corpus, query, docs, bm25))

    def limits(self, ranking: Ranking) -> Thresholds:
        """The thresholds that judge this ranking."""
        return self.fallback if ranking.fallback else self.thresholds

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
        # Candidates and no vector: the sentence model could not read the message.
        fallback = corpus.encoder is not None and query.vector is None
        fitted = model.DEFAULT if fallback else self.model
        logits = fitted.rank_scores(matrix)
        if language is not None:
            logits = logits + LANGUAGE_BONUS * self._in_language(docs, language)
        order = np.argsort(-logits, kind="stable")
        sure = fitted.confidence(matrix, logits)
        ranked = [int(docs[i]) for i in order]
        values = [float(logits[i]) for i in order]
        if exact:
            rest = [(d, v) for d, v in zip(ranked, values, strict=True) if d not in exact]
            lead = values[0] if values else 0.0
            ranked = exact + [d for d, _ in rest]
            values = [lead] * len(exact) + [v for _, v in rest]
            return Ranking(tuple(ranked), tuple(values), 1.0, exact=True, fallback=fallback)
        return Ranking(tuple(ranked), tuple(values), sure, fallback=fallback)

    def match(self, text: str, top: int = 3, language: str | None = None) -> MatchResult:
        """The tier and up to `top` matches (one per fact-check id), best first.

        The first match's score is the confidence that decided the tier; the others' scores are
        that confidence scaled by their ranking logit's distance from the first. No match scores
        below the suggest threshold (or the candidate threshold, if higher), so NONE comes with
        no matches. ANSWER: reply with matches[0]; SUGGEST: offer the matches.
        """
        ranking = self.rank(text, language)
        if not ranking.docs:
            return MatchResult(Tier.NONE, ())
        limits = self.limits(ranking)
        # An answer always shows its fact-check, whatever the other thresholds say.
        floor = min(max(limits.suggest, limits.candidate), limits.answer)
        sure = ranking.confidence
        lead = ranking.logits[0]
        matches: list[Match] = []
        seen: set[str] = set()
        for position, logit in zip(ranking.docs, ranking.logits, strict=True):
            doc = self.corpus.documents[position]
            if doc.id in seen:
                continue
            score = sure * float(np.exp(min(logit - lead, 0.0)))
            if score < floor:
                break
            seen.add(doc.id)
            matches.append(Match(doc.id, doc.language, round(score, 4)))
            if len(matches) >= top:
                break
        return MatchResult(tier_of(ranking, limits), tuple(matches), round(sure, 4))

    def _exact(self, urls: Sequence[str], language: str | None) -> list[int]:
        """Fact-checks whose own link or source link the message carries: own links first, then
        those in the user's language, then those whose id, then whose text, shares most words
        with the link's path (one source may back several fact-checks; its slug usually names
        the claim)."""
        corpus = self.corpus
        found: dict[int, int] = {}
        for kind, table in enumerate((corpus.by_url, corpus.by_source)):
            for url in urls:
                for position in table.get(url, ()):
                    found.setdefault(position, kind)
        if not found:
            return []
        slug = set(features.query_terms(" ".join(url.partition("/")[2] for url in urls)))
        scores = corpus.index.scores(corpus.index.term_ids(list(slug)))

        def order(position: int) -> tuple[int, bool, int, float]:
            doc = corpus.documents[position]
            other = language is not None and doc.language != language
            named = len(slug.intersection(features.query_terms(doc.id.replace("-", " "))))
            return found[position], other, -named, -float(scores[position])

        return sorted(found, key=order)

    def _in_language(self, docs: IntArray, language: str) -> FloatArray:
        documents = self.corpus.documents
        same = [documents[int(d)].language == language for d in docs]
        return np.asarray(same, dtype=np.float32)
