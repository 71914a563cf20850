"""/progress: what a learner has done, in plain words."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.events import Reply
from bot.engine.menu import menu_buttons


def progress(ctx: Context) -> list[Reply]:
    library = ctx.content.library
    summary = ctx.unit.progress(ctx.user)
    lessons = library.lessons_in(ctx.lang)
    done = [
        lesson for lesson in lessons if (lesson.id, lesson.language) in summary.lessons_completed
    ]
    quizzes = []
    for result in summary.quizzes:
        quiz = library.quizzes.get((result.language, result.quiz_id))
        title = quiz.title if quiz else result.quiz_id
        quizzes.append(
            {"title": title, "score": round(result.best_score, 2), "total": result.max_score}
        )
    text = ctx.t(
        "progress.text",
        lessons_done=len(done),
        lessons_total=len(lessons),
        done_titles=[lesson.title for lesson in done],
        quizzes=quizzes,
        answers=summary.answers,
        score=round(summary.score, 2),
    )
    return [Reply(text, menu_buttons(ctx))]
