"""Lessons, card by card.

Turning a card edits the message in place; the last card offers the quiz.
"""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.events import Button, Reply
from bot.engine.menu import main_menu, stale_button
from bot.library.limits import BUTTON_CHARS
from bot.library.schema import Lesson


def list_lessons(ctx: Context) -> list[Reply]:
    lessons = ctx.content.library.lessons_in(ctx.lang)
    if not lessons:
        return [Reply(ctx.t("lessons.none")), *main_menu(ctx)]
    done = ctx.unit.lessons.lessons_completed(ctx.user)
    rows: list[tuple[Button, ...]] = []
    for lesson in lessons:
        label = ctx.label("lessons.item", title=lesson.title, done=lesson.id in done)
        rows.append((Button(label[:BUTTON_CHARS], ctx.payload("lesson", lesson.id)),))
    rows.append((ctx.button("menu.back_to_menu", "menu"),))
    return [Reply(ctx.t("lessons.list"), tuple(rows))]


def list_quizzes(ctx: Context) -> list[Reply]:
    """Every quiz in the person's language, those that belong to no lesson (an imported
    question bank) included; ✓ marks the ones they finished, in any language."""
    quizzes = ctx.content.library.quizzes_in(ctx.lang)
    if not quizzes:
        return [Reply(ctx.t("quizzes.none")), *main_menu(ctx)]
    done = {result.quiz_id for result in ctx.unit.quizzes.progress(ctx.user).quizzes}
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                ctx.label("quizzes.item", title=quiz.title, done=quiz.id in done)[:BUTTON_CHARS],
                ctx.payload("quiz", quiz.id),
            ),
        )
        for quiz in quizzes
    ]
    rows.append((ctx.button("menu.back_to_menu", "menu"),))
    return [Reply(ctx.t("quizzes.list"), tuple(rows))]


def open_lesson(ctx: Context, lesson_id: str | None) -> list[Reply]:
    lesson = ctx.content.library.lessons.get((ctx.lang, lesson_id or ""))
    if lesson is None:
        return stale_button(ctx)
    ctx.unit.lessons.open_lesson(ctx.user, lesson.id, lesson.language, ctx.now)
    return [show_card(ctx, lesson, 0, replace=False)]


def turn(ctx: Context, card: str | None) -> list[Reply]:
    lesson = ctx.content.library.lessons.get((ctx.lang, ctx.user.lesson_id or ""))
    if lesson is None or card is None or not card.isdigit() or int(card) >= len(lesson.cards):
        return stale_button(ctx)
    return [show_card(ctx, lesson, int(card), replace=True)]


def show_card(ctx: Context, lesson: Lesson, index: int, *, replace: bool) -> Reply:
    ctx.user.lesson_card = index
    ctx.bump()
    last = index == len(lesson.cards) - 1
    card = lesson.cards[index]
    prerequisite = None
    if index == 0 and lesson.prerequisite:
        done = ctx.unit.lessons.lessons_completed(ctx.user)
        if lesson.prerequisite not in done:
            first = ctx.content.library.lessons.get((lesson.language, lesson.prerequisite))
            prerequisite = first.title if first else None
    text = ctx.t(
        "lessons.card",
        title=lesson.title,
        number=index + 1,
        total=len(lesson.cards),
        text=card.text,
        sources=card.sources,
        prerequisite=prerequisite,
    )
    # Back comes first on every card (on the first it goes to the list), so the buttons keep
    # their places as the cards turn: pressing the same one twice never bounces between cards.
    nav: list[Button] = [
        ctx.button("lessons.back", "back", str(index - 1))
        if index > 0
        else ctx.button("lessons.back", "lessons")
    ]
    if not last:
        nav.append(ctx.button("lessons.next", "next", str(index + 1)))
    rows: list[tuple[Button, ...]] = [tuple(nav)]
    if last:
        ctx.unit.lessons.complete_lesson(ctx.user, lesson.id, lesson.language, ctx.now)
        quiz = ctx.content.library.quiz_for_lesson(lesson.language, lesson.id)
        if quiz is not None:
            rows.append((ctx.button("lessons.take_quiz", "quiz", quiz.id),))
        rows.append((ctx.button("menu.back_to_menu", "menu"),))
    return Reply(text, tuple(rows), image=_image(ctx, card.image), replace=replace)


def _image(ctx: Context, image: str | None) -> str | None:
    if image is None or image.startswith(("http://", "https://")):
        return image
    return str(ctx.content.library.root / image)
