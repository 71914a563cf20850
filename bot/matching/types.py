"""What the matcher is given and what it answers; the engine depends on nothing else of it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Document:
    """One fact-check as the matcher sees it: the texts people might repeat, and its URLs."""

    id: str
    language: str
    claim: str
    phrasings: tuple[str, ...] = ()
    title: str = ""
    answer: str = ""
    urls: tuple[str, ...] = ()


class Tier(StrEnum):
    ANSWER = "answer"  # confident: reply with the fact-check
    SUGGEST = "suggest"  # plausible: offer the candidates as buttons
    NONE = "none"  # nothing close enough: say so honestly


@dataclass(frozen=True)
class Match:
    document_id: str
    language: str
    score: float


@dataclass(frozen=True)
class Thresholds:
    """The confidence (probability that the best match is right) at or above which the bot
    answers, and at or above which it offers candidates. `candidate` is the lowest score a
    second or third candidate needs to be offered beside the first.

    Defaults chosen on the CLEF CheckThat! English dev splits: answering at 0.5 was right
    96-98% of the time while answering 55-86% of the tweets; below 0.15 the right fact-check was
    rarely among the first three, so the bot says it has none.
    """

    answer: float = 0.5
    suggest: float = 0.15
    candidate: float = 0.02


@dataclass(frozen=True)
class MatchResult:
    tier: Tier
    matches: tuple[Match, ...]

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None
