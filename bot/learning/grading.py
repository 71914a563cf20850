"""Grading answers. Pure functions, so every rule is table-tested without a database.

Multiple choice gets partial credit the way Moodle does it: each correct tick earns its share and
each wrong tick costs one share, never below zero. Short answers are compared after folding case,
accents, punctuation and spacing, then fuzzily, so `s.i.f.t` and `Sift` both pass for "SIFT" while
a different word does not.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz

from bot.library.schema import Question, QuestionType

SHORT_ANSWER_THRESHOLD = 85.0


def fold(text: str) -> str:
    """Case, accents, punctuation and spacing folded away; letters of any script are kept."""
    text = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Mn":
            continue
        if category[0] in "LN":
            kept.append(char)
        elif category[0] == "Z" or char in "-_/":
            kept.append(" ")
    return " ".join("".join(kept).split())


def grade_short(typed: str, accepted: Iterable[str]) -> float:
    answer = fold(typed)
    if not answer:
        return 0.0
    squeezed = answer.replace(" ", "")
    for option in accepted:
        target = fold(option)
        if not target:
            continue
        if answer == target or squeezed == target.replace(" ", ""):
            return 1.0
        # Short targets need an exact match: one typo in a four-letter word is another word.
        if len(target) >= 5 and fuzz.ratio(answer, target) >= SHORT_ANSWER_THRESHOLD:
            return 1.0
    return 0.0


def grade_choices(question: Question, chosen: Iterable[int]) -> float:
    picks = set(chosen)
    if question.type is QuestionType.TRUEFALSE:
        truth = 1 if question.answer else 0
        return 1.0 if picks == {truth} else 0.0
    correct = question.correct_indexes
    if question.type is QuestionType.SINGLE:
        return 1.0 if len(picks) == 1 and picks <= correct else 0.0
    if not picks:
        return 0.0
    right = len(picks & correct)
    wrong = len(picks - correct)
    return max(0.0, (right - wrong) / len(correct))
