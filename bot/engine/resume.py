"""Where a person is: shown again when they press a button from an earlier step.

Stale buttons happen to careful people too: a reply lost in a restart, an old message scrolled
back to. Instead of dropping them at the menu, show the step they are on (the open question, the
feedback waiting for "next", the open lesson card) with a word that the button was out of date.
"""

from __future__ import annotations

from dataclasses import replace

from bot.engine import assessments, lessons, quizzes
from bot.engine.context import Context
from bot.engine.events import Reply
from bot.engine.menu import stale_button

QUIZ_VERBS = frozenset({"pick", "tick", "done", "cont", "retry", "rate"})
LESSON_VERBS = frozenset({"next", "back"})


def where_you_are(ctx: Context, verb: str | None) -> list[Reply]:
    """For a stale press of a quiz or lesson button, the step the person is on; else the menu."""
    attempt = ctx.unit.quizzes.current_attempt(ctx.user) if verb in QUIZ_VERBS else None
    notice = ctx.label("errors.stale_notice")
    if attempt is not None:
        if attempt.kind == "assessment":
            return [_with_notice(assessments.show(ctx, attempt), notice)]
        if attempt.answered:
            ctx.bump()
            buttons = quizzes.next_button(ctx, attempt)
            return [Reply(ctx.t("errors.stale_resume"), buttons, notice=notice)]
        replies = quizzes.show_question(ctx, attempt)
        return [Reply(ctx.t("errors.stale_resume"), notice=notice), *replies]
    if verb in QUIZ_VERBS:
        finished = ctx.unit.quizzes.latest_finished_attempt(ctx.user)
        complete = finished is not None and len(ctx.unit.quizzes.answers_of(finished)) >= len(
            finished.question_ids
        )
        if finished is not None and complete and finished.kind in ("quiz", "review"):
            # The last answer went through and the score was lost: show the score again.
            score = quizzes.score(ctx, finished)
            return [Reply(ctx.t("errors.stale_resume"), notice=notice), *score]
    lesson = ctx.content.library.lessons.get((ctx.lang, ctx.user.lesson_id or ""))
    if verb in LESSON_VERBS and lesson is not None and ctx.user.lesson_card < len(lesson.cards):
        card = lessons.show_card(ctx, lesson, ctx.user.lesson_card, replace=False)
        return [_with_notice(card, notice)]
    return stale_button(ctx)


def _with_notice(reply: Reply, notice: str) -> Reply:
    return replace(reply, notice=notice)
