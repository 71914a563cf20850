"""Headline-rating assessments: a first form before learning, a parallel one after, and an
optional delayed follow-up, so learners see whether they got better at telling true from false
rather than just more suspicious.

Which form comes first alternates between learners (counterbalancing), so a form that happens to
be easier does not look like learning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.engine.context import Context
from bot.engine.events import Button, Reply
from bot.engine.menu import menu_buttons, stale_button
from bot.learning.assessment import SCALE_MAX, SCALE_MIN, Rating, Scores, score
from bot.library.schema import Assessment, AssessmentForm, Headline
from bot.storage import QuizAttempt

PHASES = ("before", "after", "followup")
# A change smaller than this on the 1-7 scale is reported as "about the same".
MEANINGFUL_CHANGE = 0.5


@dataclass(frozen=True)
class Phase:
    name: str
    form: AssessmentForm


def start(ctx: Context, assessment_id: str | None = None) -> list[Reply]:
    assessment = _assessment(ctx, assessment_id)
    if assessment is None:
        return [Reply(ctx.t("assessment.none"), menu_buttons(ctx))]
    current = ctx.unit.quizzes.current_attempt(ctx.user)
    if current is not None and current.kind == "assessment" and current.quiz_id == assessment.id:
        # Half way through: the headline they are on, not the introduction again.
        return [Reply(ctx.t("assessment.continued")), show(ctx, current)]
    done = ctx.unit.assessments.finished_assessments(ctx.user, assessment.id)
    phase = next_phase(assessment, ctx.user.key, done, ctx.now)
    if phase is None:
        return results(ctx, assessment, done)
    refs = [f"{phase.form.id}/{headline.id}" for headline in phase.form.headlines]
    attempt = ctx.unit.quizzes.start_attempt(
        ctx.user, assessment.id, assessment.language, refs, ctx.now, kind="assessment"
    )
    intro = ctx.t(
        f"assessment.intro_{phase.name}",
        title=assessment.title,
        intro=assessment.intro,
        total=len(refs),
    )
    return [Reply(intro), show(ctx, attempt)]


def next_phase(
    assessment: Assessment, user_key: str, done: list[QuizAttempt], now: dt.datetime
) -> Phase | None:
    """The form this learner takes next, or None when there is nothing to take now."""
    forms = assessment.forms
    first = int(user_key[:8], 16) % 2 if _is_hex(user_key[:8]) else 0
    order = [forms[first], forms[1 - first], *forms[2:]]
    taken = len(done)
    if taken >= len(order):
        return None
    if taken == 2:
        finished = done[-1].finished_at or now
        if now - finished < dt.timedelta(days=assessment.followup_days):
            return None
    return Phase(PHASES[taken], order[taken])


def rate(ctx: Context, arg: str | None) -> list[Reply]:
    attempt = ctx.unit.quizzes.current_attempt(ctx.user)
    if attempt is None or attempt.kind != "assessment" or arg is None or not arg.isdigit():
        return stale_button(ctx)
    value = int(arg)
    headline = _headline(ctx, attempt)
    if headline is None or not SCALE_MIN <= value <= SCALE_MAX:
        return stale_button(ctx)
    form_id = attempt.question_ids[attempt.position].partition("/")[0]
    ctx.unit.assessments.record_rating(
        attempt, form_id, headline.id, headline.accurate, value, ctx.now
    )
    attempt.position += 1
    attempt.answered = False
    if attempt.position < len(attempt.question_ids):
        return [show(ctx, attempt, replace=True)]
    attempt.finished_at = ctx.now
    assessment = _assessment(ctx, attempt.quiz_id)
    if assessment is None:
        return [Reply(ctx.t("quiz.changed")), *menu_reply(ctx)]
    done = ctx.unit.assessments.finished_assessments(ctx.user, assessment.id)
    return results(ctx, assessment, done)


def results(ctx: Context, assessment: Assessment, done: list[QuizAttempt]) -> list[Reply]:
    scores = [scores_of(ctx, attempt) for attempt in done]
    before = scores[0] if scores else None
    latest = scores[-1] if len(scores) > 1 else None
    text = ctx.t(
        "assessment.results",
        title=assessment.title,
        before=before,
        after=latest,
        discernment_change=_direction(before.discernment, latest.discernment)
        if before and latest
        else None,
        bias_change=_direction(before.bias, latest.bias) if before and latest else None,
        taken=len(done),
        forms=len(assessment.forms),
    )
    return [Reply(text, menu_buttons(ctx))]


def scores_of(ctx: Context, attempt: QuizAttempt) -> Scores:
    return score([Rating(r.accurate, r.rating) for r in ctx.unit.assessments.ratings_of(attempt)])


def menu_reply(ctx: Context) -> list[Reply]:
    return [Reply(ctx.t("menu.text"), menu_buttons(ctx))]


def show(ctx: Context, attempt: QuizAttempt, *, replace: bool = False) -> Reply:
    headline = _headline(ctx, attempt)
    if headline is None:
        attempt.finished_at = ctx.now
        return Reply(ctx.t("quiz.changed"), menu_buttons(ctx))
    ctx.bump()
    text = ctx.t(
        "assessment.item",
        number=attempt.position + 1,
        total=len(attempt.question_ids),
        text=headline.text,
    )
    row = tuple(
        Button(str(value), ctx.payload("rate", str(value)))
        for value in range(SCALE_MIN, SCALE_MAX + 1)
    )
    return Reply(text, (row,), replace=replace)


def _assessment(ctx: Context, assessment_id: str | None) -> Assessment | None:
    library = ctx.content.library
    if assessment_id:
        return library.assessments.get((ctx.lang, assessment_id))
    available = library.assessments_in(ctx.lang)
    return available[0] if available else None


def _headline(ctx: Context, attempt: QuizAttempt) -> Headline | None:
    if attempt.position >= len(attempt.question_ids):
        return None
    library = ctx.content.library
    assessment = library.assessments.get((ctx.lang, attempt.quiz_id)) or library.assessments.get(
        (attempt.language, attempt.quiz_id)
    )
    if assessment is None:
        return None
    form_id, _, headline_id = attempt.question_ids[attempt.position].partition("/")
    form = next((f for f in assessment.forms if f.id == form_id), None)
    if form is None:
        return None
    return next((h for h in form.headlines if h.id == headline_id), None)


def _direction(before: float, after: float) -> str:
    if after - before >= MEANINGFUL_CHANGE:
        return "up"
    if before - after >= MEANINGFUL_CHANGE:
        return "down"
    return "same"


def _is_hex(text: str) -> bool:
    return bool(text) and all(c in "0123456789abcdef" for c in text.lower())
