"""Text typed while a question is open: an answer, or a word that the question waits for a tap.

A person in the middle of a quiz (busy with it within the last hour) who types an option's
text means that option; anything else typed then (a number with no button, a stray word) is
not a claim to check: the question is shown again with a hint, and /check stays there for a
claim. So a quiz answer never turns into a claim on its way to the editors.
"""

from __future__ import annotations

import datetime as dt

from bot.engine import assessments, quizzes, resume
from bot.engine.context import Context
from bot.engine.events import Reply
from bot.learning.assessment import SCALE_MAX, SCALE_MIN
from bot.learning.grading import grade_short
from bot.library.schema import Question, QuestionType
from bot.storage import QuizAttempt

# How long after its quiz's last step a question counts as open for typed text.
QUESTION_OPEN = dt.timedelta(hours=1)


def typed_during_question(ctx: Context, text: str) -> list[Reply] | None:
    """The reply to `text` when a quiz, review or headline test is open; None when none is."""
    attempt = ctx.unit.quizzes.current_attempt(ctx.user)
    if attempt is None or not text.strip() or not _recent(ctx, attempt):
        return None
    if attempt.kind == "assessment":
        return _rating(ctx, attempt, text)
    if attempt.answered:
        if quizzes.resent_short_answer(ctx, text):
            return resume.where_you_are(ctx, "cont")
        ctx.bump()
        return [Reply(ctx.t("quiz.press_next"), quizzes.next_button(ctx, attempt))]
    question = quizzes.open_question(ctx, attempt)
    if question is None:
        return None
    if question.type is QuestionType.SHORT:
        return quizzes.typed_answer(ctx, attempt, question)
    choice = matching_option(ctx, question, text)
    if choice is None:
        return [Reply(ctx.t("quiz.tap_option")), *quizzes.show_question(ctx, attempt)]
    if question.type is QuestionType.MULTIPLE:
        return quizzes.tick(ctx, str(choice))
    return quizzes.pick(ctx, str(choice))


def matching_option(ctx: Context, question: Question, text: str) -> int | None:
    """The one option whose text (or, for true/false, label) `text` is, as a typed answer is
    graded: case, accents and punctuation aside. None when no option or several match."""
    if question.type is QuestionType.TRUEFALSE:
        labels = {quizzes.TRUE: ctx.label("quiz.true"), quizzes.FALSE: ctx.label("quiz.false")}
    else:
        labels = {i: option.text for i, option in enumerate(question.options)}
    found = [i for i, label in labels.items() if grade_short(text, [label]) == 1.0]
    return found[0] if len(found) == 1 else None


def _recent(ctx: Context, attempt: QuizAttempt) -> bool:
    """Whether the question is still open in the person's mind: a quiz left long ago does not
    stand between them and a claim they send now."""
    if attempt.kind == "assessment":
        times = [r.answered_at for r in ctx.unit.assessments.ratings_of(attempt)]
    else:
        times = [a.answered_at for a in ctx.unit.quizzes.answers_of(attempt)]
    return ctx.now - max([attempt.started_at, *times]) <= QUESTION_OPEN


def _rating(ctx: Context, attempt: QuizAttempt, text: str) -> list[Reply]:
    """A headline's buttons are the numbers 1 to 7: typing one rates the headline."""
    value = text.strip()
    if value.isascii() and value.isdigit() and SCALE_MIN <= int(value) <= SCALE_MAX:
        return assessments.rate(ctx, value)
    return [Reply(ctx.t("assessment.tap_number")), assessments.show(ctx, attempt)]
