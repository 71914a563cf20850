"""Grading rules as tables."""

from __future__ import annotations

import pytest

from bot.learning.grading import fold, grade_choices, grade_short
from bot.library.schema import Option, Question, QuestionType


@pytest.mark.parametrize(
    ("typed", "accepted", "score"),
    [
        ("SIFT", ["SIFT"], 1.0),
        ("s.i.f.t", ["SIFT"], 1.0),
        ("  Sift ", ["SIFT"], 1.0),
        ("S I F T", ["SIFT"], 1.0),
        ("shift", ["SIFT"], 0.0),
        ("sit", ["SIFT"], 0.0),
        ("lateral reading", ["lateral reading"], 1.0),
        ("laterall reding", ["lateral reading"], 1.0),
        ("vertical reading", ["lateral reading"], 0.0),
        ("Латеральное чтение", ["латеральное чтение"], 1.0),
        ("латиральное чтение", ["латеральное чтение"], 1.0),
        ("вертикальное чтение", ["латеральное чтение"], 0.0),
        ("", ["SIFT"], 0.0),
        ("!!!", ["SIFT"], 0.0),
        ("reverse image search", ["reverse image search", "image search"], 1.0),
        ("Café", ["cafe"], 1.0),
    ],
)
def test_short_answers(typed: str, accepted: list[str], score: float) -> None:
    assert grade_short(typed, accepted) == score


def test_fold_keeps_letters_of_every_script() -> None:
    assert fold("Ḑ-ô_g!") == "d o g"
    assert fold("خبر جعلی") == "خبر جعلی"


def _question(kind: QuestionType, correct: list[bool]) -> Question:
    return Question(
        id="q",
        type=kind,
        text="t",
        explanation="e",
        options=tuple(Option(text=f"o{i}", correct=c) for i, c in enumerate(correct)),
    )


@pytest.mark.parametrize(
    ("chosen", "score"),
    [([0, 2], 1.0), ([0], 0.5), ([0, 1], 0.0), ([0, 1, 2], 0.5), ([1], 0.0), ([], 0.0)],
)
def test_multiple_choice_partial_credit(chosen: list[int], score: float) -> None:
    question = _question(QuestionType.MULTIPLE, [True, False, True])
    assert grade_choices(question, chosen) == score


def test_single_and_truefalse() -> None:
    single = _question(QuestionType.SINGLE, [False, True])
    assert grade_choices(single, [1]) == 1.0
    assert grade_choices(single, [0]) == 0.0
    truefalse = Question(
        id="q", type=QuestionType.TRUEFALSE, text="t", explanation="e", answer=False
    )
    assert grade_choices(truefalse, [0]) == 1.0
    assert grade_choices(truefalse, [1]) == 0.0
