"""A class quiz's polls stay within Telegram's limits for every bundled question, or the question
is left for private practice; the summary picks the hardest question honestly."""

from __future__ import annotations

import pytest

from bot.config import Settings, bundled_content
from bot.engine.classroom_steps import (
    EXPLANATION_CHARS,
    POLL_OPTION_CHARS,
    POLL_QUESTION_CHARS,
    QuestionResult,
    hardest,
    is_right,
    poll_for,
    short_explanation,
)
from bot.engine.content import Content
from bot.engine.context import FixedVoice
from bot.library.loader import load_library_or_raise
from bot.library.schema import Question, QuestionType


@pytest.fixture(scope="module")
def bundled() -> Content:
    library = load_library_or_raise(bundled_content())
    return Content.build(library, "en", Settings().matching.thresholds)


def test_every_bundled_poll_fits_telegram(bundled: Content) -> None:
    polls = 0
    for (language, _), quiz in bundled.library.quizzes.items():
        voice = FixedVoice(bundled, language)
        for number, question in enumerate(quiz.questions, 1):
            poll = poll_for(voice, question, number, len(quiz.questions), 30, anonymous=True)
            if poll is None:
                continue
            polls += 1
            assert len(poll.question) <= POLL_QUESTION_CHARS
            assert all(1 <= len(option) <= POLL_OPTION_CHARS for option in poll.options)
            assert len(poll.explanation) <= EXPLANATION_CHARS
            assert poll.explanation.count("\n") <= 2
            assert is_right(question, poll.correct)
    assert polls > 150  # nearly every bundled single-choice and true/false question


def _question(text: str, kind: QuestionType = QuestionType.SINGLE) -> Question:
    options = [{"text": "yes", "correct": True}, {"text": "no"}]
    extra: dict[str, object] = {"options": options} if kind is QuestionType.SINGLE else {}
    if kind is QuestionType.TRUEFALSE:
        extra = {"answer": False}
    return Question.model_validate(
        {"id": "q", "type": kind, "text": text, "explanation": "Because.", **extra}
    )


def test_a_question_too_long_for_a_poll_is_left_for_practice(bundled: Content) -> None:
    voice = FixedVoice(bundled, "en")
    assert poll_for(voice, _question("x" * 296), 1, 1, 30, anonymous=True) is None
    assert poll_for(voice, _question("x" * 295), 1, 1, 30, anonymous=True) is not None


def test_true_false_polls_put_true_first(bundled: Content) -> None:
    poll = poll_for(
        FixedVoice(bundled, "ru"), _question("?", QuestionType.TRUEFALSE), 1, 1, 9, anonymous=False
    )
    assert poll is not None and poll.options == ("Верно", "Неверно") and poll.correct == 1


def test_a_long_explanation_is_cut_at_a_word_on_one_line() -> None:
    text = "First line.\n\nSecond line " + "word " * 60
    short = short_explanation(text)
    assert len(short) <= EXPLANATION_CHARS and "\n" not in short
    assert short.endswith("word…")
    assert short_explanation("Short.\nTwo lines.") == "Short. Two lines."


def test_the_hardest_question_is_the_one_fewest_got_right() -> None:
    q = _question("?")
    results = [
        QuestionResult(1, q, (5, 5)),  # 50 %
        QuestionResult(2, q, (1, 3)),  # 25 %
        QuestionResult(3, q, (0, 4)),  # 0 %, the hardest
        QuestionResult(4, q, None),  # for private practice
        QuestionResult(5, q, ()),  # nobody answered
    ]
    worst = hardest(results)
    assert worst is not None and worst.number == 3 and worst.share == 0
    assert hardest([QuestionResult(1, q, (4, 0))]) is None  # everybody right: none is hard
    assert hardest([QuestionResult(1, q, ())]) is None
