"""Quizzes: one question at a time, immediate feedback, a score, and a retry of the missed ones.

Every answer is graded and committed in the same unit of work that produces the feedback, and the
button tag advances, so a replayed or double-tapped answer is refused instead of counted twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.engine.context import Context
from bot.engine.events import Button, Reply
from bot.engine.menu import main_menu, menu_buttons, stale_button
from bot.learning.grading import grade_choices, grade_short
from bot.library.limits import fit_label
from bot.library.schema import Question, QuestionType, Quiz
from bot.storage import QuizAttempt

TRUE, FALSE = 1, 0
REVIEW_SESSION = 10


def start_quiz(ctx: Context, quiz_id: str | None) -> list[Reply]:
    quiz = ctx.content.library.quiz_in([ctx.lang], quiz_id or "")
    if quiz is None:
        return stale_button(ctx)
    stopped = _stopped(ctx, quiz.id)
    if stopped is not None:
        return continue_attempt(ctx, stopped)
    refs = [ref(quiz.id, question.id) for question in quiz.questions]
    attempt = ctx.unit.quizzes.start_attempt(ctx.user, quiz.id, quiz.language, refs, ctx.now)
    intro = Reply(ctx.t("quiz.intro", title=quiz.title, total=len(refs)))
    return [intro, *show_question(ctx, attempt)]


def start_review(ctx: Context) -> list[Reply]:
    """The questions that are due, most overdue first, as one short session."""
    cards = ctx.unit.reviews.due_cards(ctx.user, ctx.now, limit=REVIEW_SESSION * 3)
    library = ctx.content.library
    refs = [
        ref(card.quiz_id, card.question_id)
        for card in cards
        if library.question_in([ctx.lang], card.quiz_id, card.question_id) is not None
    ][:REVIEW_SESSION]
    if not refs:
        upcoming = ctx.unit.reviews.next_due(ctx.user)
        days = None if upcoming is None else max(0, (upcoming - ctx.now).days)
        return [Reply(ctx.t("review.nothing_due", days=days), menu_buttons(ctx))]
    attempt = ctx.unit.quizzes.start_attempt(
        ctx.user, "review", ctx.lang, refs, ctx.now, kind="review"
    )
    return [Reply(ctx.t("review.intro", total=len(refs))), *show_question(ctx, attempt)]


def retry(ctx: Context) -> list[Reply]:
    attempt = ctx.unit.quizzes.latest_finished_attempt(ctx.user)
    if attempt is None or attempt.kind not in ("quiz", "review"):
        return stale_button(ctx)
    library = ctx.content.library
    missed = [
        ref(a.quiz_id, a.question_id)
        for a in ctx.unit.quizzes.answers_of(attempt)
        if a.score < 1.0 and library.question_in([ctx.lang], a.quiz_id, a.question_id)
    ]
    if not missed:
        return stale_button(ctx)
    new = ctx.unit.quizzes.start_attempt(
        ctx.user,
        attempt.quiz_id,
        attempt.language,
        missed,
        ctx.now,
        retry_of=attempt.id,
        kind=attempt.kind,
    )
    return [Reply(ctx.t("quiz.retry_intro", total=len(missed))), *show_question(ctx, new)]


def show_question(ctx: Context, attempt: QuizAttempt, *, replace: bool = False) -> list[Reply]:
    quiz, question = _current(ctx, attempt)
    if quiz is None or question is None:
        attempt.finished_at = ctx.now
        return [Reply(ctx.t("quiz.changed")), *main_menu(ctx)]
    ctx.bump()
    text = ctx.t(
        "quiz.question",
        number=attempt.position + 1,
        total=len(attempt.question_ids),
        text=question.text,
        type=question.type.value,
    )
    rows: list[tuple[Button, ...]] = []
    order = option_order(attempt, question)
    if question.type is QuestionType.SINGLE:
        rows = [
            (Button(fit_label(question.options[i].text), ctx.payload("pick", str(i))),)
            for i in order
        ]
    elif question.type is QuestionType.TRUEFALSE:
        rows = [
            (
                ctx.button("quiz.true", "pick", str(TRUE)),
                ctx.button("quiz.false", "pick", str(FALSE)),
            )
        ]
    elif question.type is QuestionType.MULTIPLE:
        ticked = set(attempt.selected)
        rows = [
            (
                Button(
                    ctx.label(
                        "quiz.tick", text=fit_label(question.options[i].text), ticked=i in ticked
                    ),
                    ctx.payload("tick", str(i)),
                ),
            )
            for i in order
        ]
        rows.append((ctx.button("quiz.done", "done"),))
    return [Reply(text, tuple(rows), replace=replace)]


def pick(ctx: Context, arg: str | None) -> list[Reply]:
    attempt, question = _awaiting(ctx)
    if attempt is None or question is None or arg is None or not arg.isdigit():
        return stale_button(ctx)
    choice = int(arg)
    if question.type is QuestionType.SINGLE and choice < len(question.options):
        return _answer(ctx, attempt, question, [choice], grade_choices(question, [choice]))
    if question.type is QuestionType.TRUEFALSE and choice in (TRUE, FALSE):
        return _answer(ctx, attempt, question, [choice], grade_choices(question, [choice]))
    return stale_button(ctx)


def tick(ctx: Context, arg: str | None) -> list[Reply]:
    attempt, question = _awaiting(ctx)
    if attempt is None or question is None or question.type is not QuestionType.MULTIPLE:
        return stale_button(ctx)
    if arg is None or not arg.isdigit() or int(arg) >= len(question.options):
        return stale_button(ctx)
    ticked = set(attempt.selected) ^ {int(arg)}
    attempt.selected = sorted(ticked)
    return show_question(ctx, attempt, replace=True)


def done(ctx: Context) -> list[Reply]:
    attempt, question = _awaiting(ctx)
    if attempt is None or question is None or question.type is not QuestionType.MULTIPLE:
        return stale_button(ctx)
    if not attempt.selected:  # the question again, with its buttons, to tick one
        return [
            Reply(ctx.t("quiz.tick_first"), notice=ctx.label("quiz.tick_first")),
            *show_question(ctx, attempt),
        ]
    chosen = list(attempt.selected)
    return _answer(ctx, attempt, question, chosen, grade_choices(question, chosen))


def typed_answer(ctx: Context, attempt: QuizAttempt, question: Question) -> list[Reply]:
    score = grade_short(ctx.incoming.text, question.accepted)
    return _answer(ctx, attempt, question, [], score)


def open_question(ctx: Context, attempt: QuizAttempt) -> Question | None:
    """The question `attempt` is on, in the person's language where it is translated."""
    return _current(ctx, attempt)[1]


def resent_short_answer(ctx: Context, text: str) -> bool:
    """Whether `text` repeats the typed answer just given (a message sent again after a lost
    reply), rather than being something new such as a claim."""
    attempt = ctx.unit.quizzes.current_attempt(ctx.user)
    if attempt is None or not attempt.answered:
        return False
    quiz_id, question_id = split_ref(attempt.question_ids[attempt.position])
    question = ctx.content.library.question_in([ctx.lang], quiz_id, question_id)
    if question is None or question.type is not QuestionType.SHORT:
        return False
    given = next(
        (
            a
            for a in ctx.unit.quizzes.answers_of(attempt)
            if (a.quiz_id, a.question_id) == (quiz_id, question_id)
        ),
        None,
    )
    # Only a right answer can be recognised again (typed answers are not stored); anything
    # else is new text, such as a claim to check.
    return given is not None and given.score == 1.0 and grade_short(text, question.accepted) == 1.0


def cont(ctx: Context) -> list[Reply]:
    attempt = ctx.unit.quizzes.current_attempt(ctx.user)
    if attempt is None or not attempt.answered:
        return stale_button(ctx)
    attempt.position += 1
    attempt.answered = False
    if attempt.position < len(attempt.question_ids):
        return show_question(ctx, attempt)
    attempt.finished_at = ctx.now
    return score(ctx, attempt)


def _answer(
    ctx: Context, attempt: QuizAttempt, question: Question, chosen: list[int], score: float
) -> list[Reply]:
    quiz_id = split_ref(attempt.question_ids[attempt.position])[0]
    ctx.unit.quizzes.record_answer(attempt, quiz_id, question.id, chosen, score, ctx.now)
    ctx.bump()
    text = ctx.t(
        "quiz.feedback",
        score=score,
        lines=feedback_lines(question, chosen, score),
        missed=missed_options(question, chosen),
        correct=_correct_text(ctx, question),
        explanation=question.explanation,
    )
    return [Reply(text, next_button(ctx, attempt))]


def score(ctx: Context, attempt: QuizAttempt) -> list[Reply]:
    ctx.bump()  # the quiz's own buttons are stale from here on
    answers = ctx.unit.quizzes.answers_of(attempt)
    total = len(attempt.question_ids)
    right = sum(1 for answer in answers if answer.score >= 1.0)
    partly = sum(1 for answer in answers if 0.0 < answer.score < 1.0)
    missed = sum(1 for answer in answers if answer.score < 1.0)
    quiz = ctx.content.library.quiz_in([ctx.lang, attempt.language], attempt.quiz_id)
    title = quiz.title if quiz and attempt.kind == "quiz" else ctx.label("review.title")
    text = ctx.t(
        "quiz.score",
        title=title,
        right=right,
        partly=partly,
        total=total,
        missed=missed,
        retry=attempt.retry_of is not None,
    )
    rows: list[tuple[Button, ...]] = []
    if missed:
        rows.append((ctx.button("quiz.retry", "retry", missed=missed),))
    rows.append((ctx.button("menu.back_to_menu", "menu"),))
    return [Reply(text, tuple(rows))]


@dataclass(frozen=True)
class FeedbackLine:
    option: str | None  # the chosen option the line is about; None for true/false and typed
    feedback: str | None
    correct: bool


def feedback_lines(question: Question, chosen: list[int], score: float) -> list[FeedbackLine]:
    """One line per chosen option, naming it (a line of feedback alone does not say which
    tick it is about); a true/false or typed answer gets its one line."""
    if question.type in (QuestionType.TRUEFALSE, QuestionType.SHORT):
        line = question.feedback_correct if score == 1.0 else question.feedback_wrong
        return [FeedbackLine(None, line, score == 1.0)] if line else []
    return [
        FeedbackLine(
            question.options[i].text, question.options[i].feedback, question.options[i].correct
        )
        for i in chosen
        if i < len(question.options)
    ]


def missed_options(question: Question, chosen: list[int]) -> list[str]:
    """Right options of a multiple-choice question that were not ticked."""
    if question.type is not QuestionType.MULTIPLE:
        return []
    return [o.text for i, o in enumerate(question.options) if o.correct and i not in chosen]


def _correct_text(ctx: Context, question: Question) -> list[str]:
    if question.type is QuestionType.SHORT:
        return [question.accepted[0]]
    if question.type is QuestionType.TRUEFALSE:
        return [ctx.label("quiz.true" if question.answer else "quiz.false")]
    return [option.text for option in question.options if option.correct]


def option_order(attempt: QuizAttempt, question: Question) -> list[int]:
    """The order a question's options are shown in: as written in a quiz, shuffled in a review
    (so a remembered position is not mistaken for a remembered answer). The shuffle is fixed
    per attempt and question, so the buttons keep their places while the person ticks."""
    order = list(range(len(question.options)))
    if attempt.kind == "review":
        random.Random(f"{attempt.id}/{attempt.position}/{question.id}").shuffle(order)  # noqa: S311
    return order


def _stopped(ctx: Context, quiz_id: str) -> QuizAttempt | None:
    """The person's unfinished first run of this quiz, open or left for something else."""
    current = ctx.unit.quizzes.current_attempt(ctx.user)
    if current is not None and current.kind == "quiz" and current.quiz_id == quiz_id:
        return current
    return ctx.unit.quizzes.stopped_attempt(ctx.user, quiz_id)


def continue_attempt(ctx: Context, attempt: QuizAttempt) -> list[Reply]:
    """Back to the question the person stopped at, with a word that this is where they were."""
    ctx.unit.quizzes.reopen(attempt, ctx.now)
    note = Reply(
        ctx.t("quiz.continued", number=attempt.position + 1, total=len(attempt.question_ids))
    )
    if attempt.answered:
        ctx.bump()
        return [note, Reply(ctx.t("quiz.answered_already"), next_button(ctx, attempt))]
    return [note, *show_question(ctx, attempt)]


def next_button(ctx: Context, attempt: QuizAttempt) -> tuple[tuple[Button, ...], ...]:
    """After an answer: on to the next question, or to the score after the last."""
    last = attempt.position + 1 >= len(attempt.question_ids)
    return ((ctx.button("quiz.see_score" if last else "quiz.next", "cont"),),)


def _awaiting(ctx: Context) -> tuple[QuizAttempt | None, Question | None]:
    attempt = ctx.unit.quizzes.current_attempt(ctx.user)
    if attempt is None or attempt.answered:
        return None, None
    return attempt, _current(ctx, attempt)[1]


def _current(ctx: Context, attempt: QuizAttempt) -> tuple[Quiz | None, Question | None]:
    if attempt.position >= len(attempt.question_ids):
        return None, None
    quiz_id, question_id = split_ref(attempt.question_ids[attempt.position])
    quiz = ctx.content.library.quiz_in([ctx.lang, attempt.language], quiz_id)
    if quiz is None:
        return None, None
    return quiz, next((q for q in quiz.questions if q.id == question_id), None)


def ref(quiz_id: str, question_id: str) -> str:
    """How an attempt lists its questions: reviews mix questions from several quizzes."""
    return f"{quiz_id}/{question_id}"


def split_ref(value: str) -> tuple[str, str]:
    quiz_id, _, question_id = value.partition("/")
    return quiz_id, question_id
