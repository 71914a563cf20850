"""What the matcher is given and what it answers; the engine depends on nothing else of it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Document:
    """One fact-check as the matcher sees it: the texts people might repeat, its own URLs and
    the URLs of its sources (a message carrying either gets this fact-check)."""

    id: str
    language: str
    claim: str
    phrasings: tuple[str, ...] = ()
    title: str = ""
    answer: str = ""
    urls: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


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
    second or third candidate needs to be offered beside the first (never below `suggest`).

    Chosen by bench/fit_matching.py: the lowest answer threshold at which, on the CLEF
    CheckThat! English dev splits, answers stay at least 96% right and at most 5% of the tweets
    are answered once their right fact-checks are removed from the library, while on the
    bundled library at most 2% of the near-miss messages (tune split) are answered and at least
    98% of its own claims and phrasings are answered with the right fact-check, none with a
    wrong one. The suggest threshold is the lowest at which the offered candidates hold the
    right one at least half the time on those dev splits (messages without one counting).
    """

    answer: float = 0.72
    suggest: float = 0.56
    candidate: float = 0.02


@dataclass(frozen=True)
class MatchResult:
    """The tier, the matches to show (best first; none below the suggest threshold) and the
    confidence that decided the tier (the first match's score when there is one)."""

    tier: Tier
    matches: tuple[Match, ...]
    confidence: float = 0.0

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None
