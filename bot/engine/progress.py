"""/progress: what a learner has done, in plain words and as a picture.

Every figure comes from the database: answers, review cards, lesson progress and assessment
ratings. A new learner gets a picture too, one that says how to start.
"""

from __future__ import annotations

from bot.engine.assessments import PHASES, scores_of
from bot.engine.context import Context
from bot.engine.events import Attachment, Reply
from bot.engine.menu import menu_buttons
from bot.engine.pictures import ChartData, ProgressPicture, RecallBar
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
    done = [lesson for lesson in lessons if lesson.id in summary.lessons_completed]
    quizzes = []
    for result in summary.quizzes:
        quiz = library.quiz_in([ctx.lang, result.language], result.quiz_id)
        title = quiz.title if quiz else result.quiz_id
        quizzes.append({"title": title, "right": result.right, "total": result.questions})
    activity = ctx.unit.quizzes.activity(ctx.user)
    recalls = _recall(ctx)
    weakest = figures.weakest(recalls)
    due = len(ctx.unit.reviews.due_cards(ctx.user, ctx.now, limit=1000))
    text = ctx.t(
        "progress.text",
        lessons_done=len(done),
        lessons_total=len(lessons),
        done_titles=[lesson.title for lesson in done],
        quizzes=quizzes,
        answers=summary.answers,
        right=summary.right,
        streak=figures.streak(activity, ctx.now),
        due=due,
        weakest=_tag_label(ctx, weakest.tag) if weakest else None,
        too_few=[_tag_label(ctx, r.tag) for r in recalls if r.value is None],
        min_answers=figures.MIN_ANSWERS,
    )
    chart = ChartData(
        mastery=tuple(_bar(ctx, r) for r in recalls),
        weekly=tuple(figures.weekly(activity, ctx.now)),
        assessment=tuple(_assessment_bars(ctx)),
    )
    labels = tuple((name, ctx.label(f"chart.{name}")) for name in CHART_LABELS)
    picture = Attachment("progress.png", b"", photo=True, picture=ProgressPicture(chart, labels))
    return [Reply(text, menu_buttons(ctx), attachment=picture)]


def _recall(ctx: Context) -> list[figures.Recall]:
    """Recall per technique from every answered question, whatever language it was read in."""
    library = ctx.content.library
    evidence = ctx.unit.reviews.answer_counts(ctx.user)
    questions = []
    for card in ctx.unit.reviews.cards(ctx.user):
        question = library.question_in([ctx.lang, card.language], card.quiz_id, card.question_id)
        answers, last_score = evidence.get((card.quiz_id, card.question_id), (0, 0.0))
        if question is not None and question.techniques and answers:
            questions.append(
                figures.Evidence(card_state(card), question.techniques, answers, last_score)
            )
    return figures.recall(questions, ctx.now)


def _bar(ctx: Context, recall: figures.Recall) -> RecallBar:
    label = _tag_label(ctx, recall.tag)
    if recall.value is None:
        note = ctx.label("chart.too_few", answers=recall.answers, needed=figures.MIN_ANSWERS)
        return RecallBar(label, None, note)
    return RecallBar(label, recall.value, ctx.label("chart.percent", value=recall.value * 100))


def _tag_label(ctx: Context, tag: str) -> str:
    key = f"tags.{tag}"
    return ctx.label(key) if ctx.content.texts.has(ctx.lang, key) else tag.replace("-", " ")


def _assessment_bars(ctx: Context) -> list[tuple[str, float]]:
    assessments = ctx.content.library.assessments_in(ctx.lang)
    if not assessments:
        return []
    assessment = assessments[0]
    done = ctx.unit.assessments.finished_assessments(ctx.user, assessment.id)
    return [
        (ctx.label(f"chart.phase_{PHASES[i]}"), scores_of(ctx, attempt).discernment)
        for i, attempt in enumerate(done[: len(PHASES)])
    ]
