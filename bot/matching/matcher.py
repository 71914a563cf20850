"""A first matcher: rapidfuzz over claims and phrasings. Good enough for a small library."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils

from bot.matching.types import Document, Match, MatchResult, Thresholds, Tier


class Matcher:
    def __init__(self, documents: Sequence[Document], thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        self._docs = list(documents)
        self._choices: list[str] = []
        self._owner: list[int] = []
        for index, doc in enumerate(self._docs):
            for text in (doc.claim, *doc.phrasings):
                self._choices.append(utils.default_process(text))
                self._owner.append(index)

    def match(self, text: str, top: int = 3, language: str | None = None) -> MatchResult:
        query = utils.default_process(text)
        if not query.strip() or not self._choices:
            return MatchResult(Tier.NONE, ())
        best: dict[int, float] = {}
        for _, score, pos in process.extract(
            query, self._choices, scorer=fuzz.token_set_ratio, limit=top * 5, processor=None
        ):
            owner = self._owner[pos]
            best[owner] = max(best.get(owner, 0.0), score / 100)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])[:top]
        matches = tuple(
            Match(self._docs[i].id, self._docs[i].language, score) for i, score in ranked
        )
        if not matches or matches[0].score < self.thresholds.suggest:
            return MatchResult(Tier.NONE, ())
        tier = Tier.ANSWER if matches[0].score >= self.thresholds.answer else Tier.SUGGEST
        kept = tuple(m for m in matches if m.score >= self.thresholds.suggest)
        return MatchResult(tier, kept)
