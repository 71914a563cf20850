"""/progress: what a learner has done, in plain words and as a picture.

Every figure comes from the database: answers, review cards, lesson progress and assessment
ratings. A new learner gets a picture too, one that says how to start.
"""

from __future__ import annotations

from bot.engine.assessments import PHASES, scores_of
from bot.engine.context import Context
from bot.engine.events import Attachment, Reply
from bot.engine.menu import menu_buttons
from bot.engine.pictures import ChartData, ProgressPicture
from bot.learning import mastery as figures
from bot.storage import card_state

CHART_LABELS = (
    "title",
    "mastery",
    "mastery_axis",
    "empty",
    "activity",
    "activity_axis",
    "activity_empty",
    "week_now",
    "assessment",
    "assessment_axis",
    "assessment_empty",
)


def progress(ctx: Context) -> list[Reply]:
    library = ctx.content.library
    summary = ctx.unit.quizzes.progress(ctx.user)
    lessons = library.lessons_in(ctx.lang)
    done = [
        lesson for lesson in lessons if (lesson.id, lesson.language) in summary.lessons_completed
    ]
    quizzes = []
    for result in summary.quizzes:
        quiz = library.quizzes.get((result.language, result.quiz_id))
        title = quiz.title if quiz else result.quiz_id
        quizzes.append({"title": title, "score": result.best_score, "total": result.max_score})
    activity = ctx.unit.quizzes.activity(ctx.user)
    mastery = _mastery(ctx)
    due = len(ctx.unit.reviews.due_cards(ctx.user, ctx.lang, ctx.now, limit=1000))
    text = ctx.t(
        "progress.text",
        lessons_done=len(done),
        lessons_total=len(lessons),
        done_titles=[lesson.title for lesson in done],
        quizzes=quizzes,
        answers=summary.answers,
        score=summary.score,
        streak=figures.streak(activity, ctx.now),
        due=due,
        weakest=min(mastery, key=lambda pair: pair[1])[0] if mastery else None,
    )
    chart = ChartData(
        mastery=tuple(mastery),
        weekly=tuple(figures.weekly(activity, ctx.now)),
        assessment=tuple(_assessment_bars(ctx)),
    )
    labels = tuple((name, ctx.label(f"chart.{name}")) for name in CHART_LABELS)
    picture = Attachment("progress.png", b"", photo=True, picture=ProgressPicture(chart, labels))
    return [Reply(text, menu_buttons(ctx), attachment=picture)]


def _mastery(ctx: Context) -> list[tuple[str, float]]:
    library = ctx.content.library
    pairs = []
    for card in ctx.unit.reviews.cards(ctx.user, ctx.lang):
        question = library.question(card.language, card.quiz_id, card.question_id)
        if question is not None and question.techniques:
            pairs.append((card_state(card), question.techniques))
    mastery = figures.mastery(pairs, ctx.now)
    return [(_tag_label(ctx, tag), value) for tag, value in mastery.items()]


def _tag_label(ctx: Context, tag: str) -> str:
    key = f"tags.{tag}"
    return ctx.label(key) if ctx.content.texts.has(ctx.lang, key) else tag.replace("-", " ")


def _assessment_bars(ctx: Context) -> list[tuple[str, float]]:
    assessments = ctx.content.library.assessments_in(ctx.lang)
    if not assessments:
        return []
    assessment = assessments[0]
    done = ctx.unit.assessments.finished_assessments(ctx.user, assessment.id, assessment.language)
    return [
        (ctx.label(f"chart.phase_{PHASES[i]}"), scores_of(ctx, attempt).discernment)
        for i, attempt in enumerate(done[: len(PHASES)])
    ]
