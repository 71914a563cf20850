"""What a class quiz posts in its group: each question as a Telegram quiz poll (or, for a kind of
question a poll cannot ask, a note that it is for private practice), and the summary at the end.

Pure functions of the content and the run's counts: the service decides when, the transport
how. Polls are plain text with tight limits (question 300 characters, options 100, explanation
200 with at most two line breaks); a question that does not fit is left for private practice
rather than cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.context import Voice
from bot.engine.events import Button, Reply
from bot.learning.grading import grade_choices
from bot.library.schema import Question, QuestionType

POLL_QUESTION_CHARS = 300
POLL_OPTION_CHARS = 100
POLL_OPTIONS = 10
EXPLANATION_CHARS = 200
SUMMARY_QUESTION_CHARS = 70
# `/start quiz_<id>` in the private chat opens the quiz for practice (deep link payload).
PRACTICE_PREFIX = "quiz_"
TRUE, FALSE = 1, 0  # the private quiz's choice numbers for true/false (see quizzes.py)


@dataclass(frozen=True)
class PollSpec:
    """A native quiz poll: `correct` is the index of the right option."""

    question: str
    options: tuple[str, ...]
    correct: int
    explanation: str
    seconds: int
    anonymous: bool


@dataclass(frozen=True)
class Step:
    """What the class sees next: a poll, or a message (a practice note, or the summary)."""

    poll: PollSpec | None = None
    reply: Reply | None = None
    last: bool = False


@dataclass(frozen=True)
class QuestionResult:
    """How the class did on one question, from the per-option counts."""

    number: int
    question: Question
    counts: tuple[int, ...] | None  # None: not posted as a poll

    @property
    def answered(self) -> int:
        return sum(self.counts or ())

    @property
    def right(self) -> int:
        if not self.counts:
            return 0
        return sum(n for i, n in enumerate(self.counts) if is_right(self.question, i))

    @property
    def share(self) -> int:
        """Per cent right, rounded."""
        return round(100 * self.right / self.answered) if self.answered else 0


def poll_options(voice: Voice, question: Question) -> tuple[tuple[str, ...], int] | None:
    """The options of a poll for `question` and the right one's index; None when a poll cannot
    ask it (multiple choice, typed answers, options too long or too many)."""
    if question.type is QuestionType.SINGLE:
        options = tuple(option.text for option in question.options)
        correct = next(i for i, option in enumerate(question.options) if option.correct)
    elif question.type is QuestionType.TRUEFALSE:
        options = (voice.label("quiz.true"), voice.label("quiz.false"))
        correct = 0 if question.answer else 1
    else:
        return None
    if len(options) > POLL_OPTIONS or any(len(o) > POLL_OPTION_CHARS for o in options):
        return None
    return options, correct


def choice_of(question: Question, option: int) -> int:
    """A poll option as the private quiz numbers the same choice (true/false differ)."""
    if question.type is QuestionType.TRUEFALSE:
        return TRUE if option == 0 else FALSE
    return option


def is_right(question: Question, option: int) -> bool:
    return grade_choices(question, [choice_of(question, option)]) >= 1.0


def poll_for(
    voice: Voice, question: Question, number: int, total: int, seconds: int, anonymous: bool
) -> PollSpec | None:
    found = poll_options(voice, question)
    if found is None:
        return None
    text = voice.label("classroom.poll_question", number=number, total=total, text=question.text)
    if len(text) > POLL_QUESTION_CHARS:
        return None
    options, correct = found
    explanation = short_explanation(question.explanation)
    return PollSpec(text, options, correct, explanation, seconds, anonymous)


def short_explanation(text: str) -> str:
    """The explanation within a quiz poll's limits: one paragraph, cut at a word if too long."""
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= EXPLANATION_CHARS:
        return flat
    cut = flat[: EXPLANATION_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def practice_note(voice: Voice, question: Question, number: int, total: int) -> Reply:
    return Reply(voice.t("classroom.practice_only", number=number, total=total, text=question.text))


def right_answer(voice: Voice, question: Question) -> str:
    if question.type is QuestionType.TRUEFALSE:
        return voice.label("quiz.true" if question.answer else "quiz.false")
    return "; ".join(option.text for option in question.options if option.correct)


def hardest(results: list[QuestionResult]) -> QuestionResult | None:
    """The answered question the fewest got right (the earlier one on a tie); None when every
    answered question was answered right by everyone."""
    answered = [r for r in results if r.answered]
    if not answered:
        return None
    worst = min(answered, key=lambda r: (r.right / r.answered, r.number))
    return worst if worst.right < worst.answered else None


def summary(
    voice: Voice,
    title: str,
    results: list[QuestionResult],
    *,
    total: int,
    asked: int,
    bot_name: str | None,
    quiz_id: str,
    standings: list[tuple[str, int]] | None,
    leaderboard: bool,
) -> Reply:
    """The closing message: answers per question, the hardest one explained, the leaderboard if
    one was asked for (names are rendered fresh and never remembered), a link to practise."""
    worst = hardest(results)
    text = voice.t(
        "classroom.summary",
        title=title,
        early=asked < total,
        asked=asked,
        total=total,
        voters=max((r.answered for r in results), default=0),
        questions=[
            {
                "number": r.number,
                "text": _shortened(r.question.text),
                "practice": r.counts is None and r.number <= asked,
                "asked": r.number <= asked,
                "answered": r.answered,
                "right": r.right,
                "share": r.share,
            }
            for r in results
        ],
        hardest=None
        if worst is None
        else {
            "number": worst.number,
            "text": worst.question.text,
            "answer": right_answer(voice, worst.question),
            "explanation": worst.question.explanation,
        },
    )
    if leaderboard:
        board = "classroom.leaderboard" if standings is not None else "classroom.leaderboard_lost"
        text += "\n\n" + voice.t_fresh(board, rows=standings[:10] if standings else [])
    buttons: tuple[tuple[Button, ...], ...] = ()
    if bot_name:
        url = f"https://t.me/{bot_name}?start={PRACTICE_PREFIX}{quiz_id}"
        buttons = ((Button(voice.label("classroom.practise"), "", url=url),),)
    return Reply(text, buttons)


def _shortened(text: str) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= SUMMARY_QUESTION_CHARS else flat[: SUMMARY_QUESTION_CHARS - 1] + "…"
