"""Report figures on a fixture data set whose values were worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.engine.engine import Engine
from bot.reports import build
from tests.conftest import Clock


def test_questions_report(activity: Engine, clock: Clock) -> None:
    with activity.store.unit() as unit:
        report = unit.reports.questions(activity.content.library)
    quiz = report.quizzes[0]
    assert quiz.learners == 4
    # Item variances .1875 + .171875 + .25 + .25 = .859375; total variance 1.171875;
    # alpha = 4/3 * (1 - .859375 / 1.171875) = .35556
    assert quiz.alpha == pytest.approx(0.35556, abs=1e-4)
    q1 = report.questions[0]
    # x = 1,1,0,1; rest = 3, 1.5, 1, 1: cov .15625, var x .1875, var rest .671875
    assert q1.stats.facility == pytest.approx(75.0)
    assert q1.stats.discrimination == pytest.approx(44.023, abs=1e-3)
    assert q1.stats.efficiency == pytest.approx(100.0)
    assert [(o.correct, o.count) for o in q1.options] == [(True, 3), (False, 1)]
    q2 = report.questions[1]
    assert q2.stats.facility == pytest.approx(62.5)
    assert [o.count for o in q2.options] == [3, 1, 2]
    q3 = report.questions[2]
    assert [(o.text, o.count) for o in q3.options] == [("true", 2), ("false", 2)]


def test_claims_are_grouped(activity: Engine, clock: Clock) -> None:
    with activity.store.unit() as unit:
        groups = unit.reports.claims()
    assert [g.count for g in groups] == [2, 1]
    assert groups[0].text == "the lizard people run the water board"
    assert groups[0].last_seen - groups[0].first_seen == dt.timedelta(hours=1)


def test_factchecks_report(activity: Engine) -> None:
    with activity.store.unit() as unit:
        rows = unit.reports.factchecks(activity.content.library)
    top = rows[0]
    assert (top.factcheck_id, top.answered, top.helpful, top.not_helpful) == ("5g-covid", 2, 1, 1)
    assert top.reasons == ("no link to the WHO page",)


def test_usage_report(activity: Engine, clock: Clock) -> None:
    with activity.store.unit() as unit:
        usage = unit.reports.usage(clock())
    assert usage.learners == 5
    assert usage.active_7_days == 5
    assert usage.quizzes_finished == 4
    assert usage.lessons_completed == 4
    assert usage.answers == 16
    assert (usage.checks, usage.answered, usage.suggested + usage.unmatched) == (5, 2, 3)
    assert (usage.claims_queued, usage.claims_open) == (3, 3)
    assert usage.checks_per_day[-1][1] == 5


@pytest.mark.parametrize("kind", ["questions", "claims", "factchecks", "usage"])
def test_every_report_builds(activity: Engine, clock: Clock, kind: str) -> None:
    with activity.store.unit() as unit:
        report = build(kind, unit.reports, activity.content.library, clock())
    assert report.tables and all(table.rows for table in report.tables)
