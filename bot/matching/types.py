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
    """Scores at or above `answer` are answered; at or above `suggest` are offered."""

    answer: float = 0.75
    suggest: float = 0.5


@dataclass(frozen=True)
class MatchResult:
    tier: Tier
    matches: tuple[Match, ...]

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None
