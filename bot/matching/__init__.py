"""Finding the fact-check a forwarded message repeats. Pure code: no I/O, no database."""

from bot.matching.matcher import Matcher
from bot.matching.types import Document, Match, MatchResult, Thresholds, Tier

__all__ = [
    "Document",
    "Match",
    "MatchResult",
    "Matcher",
    "Thresholds",
    "Tier",
]
