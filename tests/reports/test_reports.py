"""Report figures on a fixture data set whose values were worked out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine as DbEngine

from bot.config import Settings
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.library.loader import load_library_or_raise
from bot.reports import KINDS, build
from bot.reports import layout as tables
from bot.storage.unit import Store
from bot.testing.person import Person
from tests.conftest import UNLIMITED, Clock, make_library


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


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "tests"])
def test_every_report_builds(activity: Engine, clock: Clock, kind: str) -> None:
    with activity.store.unit() as unit:
        report = build(kind, unit.reports, activity.content.library, clock())
    assert report.tables and all(table.rows for table in report.tables)


def rate_form(person: Person, ratings: list[int]) -> None:
    person.say("/test")
    for value in ratings:  # every fixture form reads true, false, true, false
        person.press(str(value))


def test_before_after_report_against_figures_by_hand(engine: Engine, clock: Clock) -> None:
    # before -> after (T F T F); discernment = mean(true) - mean(false), bias = 4 - mean(all)
    # A: 6666 (0, -2) -> 7373 (4, -1)   B: 5353 (2, 0) -> 6262 (4, 0)
    # C: 4444 (0, 0)  -> 5252 (3, .5)   D: 5555 only
    for key, before, after in (
        ("a" * 64, [6, 6, 6, 6], [7, 3, 7, 3]),
        ("b" * 64, [5, 3, 5, 3], [6, 2, 6, 2]),
        ("c" * 64, [4, 4, 4, 4], [5, 2, 5, 2]),
        ("d" * 64, [5, 5, 5, 5], None),
    ):
        person = Person(engine, key)
        rate_form(person, before)
        if after:
            rate_form(person, after)
    with engine.store.unit(write=False) as unit:
        report = build("tests", unit.reports, engine.content.library, clock())
    rows = {row[1]: row for row in report.tables[0].rows}
    # Discernment changes 4, 2, 3: mean 3, sd 1, t(.975, 2) = 4.3027: 3 -/+ 4.3027/sqrt(3)
    assert rows["telling true from false"][:7] == (
        "headlines",
        "telling true from false",
        3,
        1,
        0.67,
        3.67,
        3.0,
    )
    assert rows["telling true from false"][7] == "+0.52 to +5.48"
    assert str(rows["telling true from false"][8]).startswith("a clear rise")
    # Bias changes 1, 0, .5: mean .5, sd .5: .5 -/+ 4.3027 * .5 / sqrt(3)
    assert rows["overall scepticism"][2:7] == (3, 1, -0.67, -0.17, 0.5)
    assert rows["overall scepticism"][7] == "-0.74 to +1.74"
    assert str(rows["overall scepticism"][8]).startswith("no clear change")
    text = tables.text(report.tables)
    assert "Student's t" in text  # the measures are explained under the table


def test_before_after_report_with_nobody(engine: Engine, clock: Clock) -> None:
    with engine.store.unit(write=False) as unit:
        report = build("tests", unit.reports, engine.content.library, clock())
    assert report.tables[0].rows == ()


def test_unanswered_questions_show_a_dash_not_zero(engine: Engine, clock: Clock) -> None:
    with engine.store.unit(write=False) as unit:
        report = build("questions", unit.reports, engine.content.library, clock())
    questions = report.tables[1]
    facility = questions.header.index("facility %")
    assert all(row[facility] is None for row in questions.rows)
    out = tables.text(report.tables)
    assert "0.0" not in out and "—" in out
    assert "Cronbach's alpha: how consistently" in out


def test_factchecks_are_counted_once_in_each_language(
    tmp_path: Path, db_engine: DbEngine, clock: Clock
) -> None:
    root = make_library(tmp_path, {"ru": "Русский"})
    (root / "factchecks" / "5g-covid-ru.yaml").write_text(
        "id: 5g-covid\nlanguage: ru\nclaim: Сети 5G распространяют коронавирус\n"
        "verdict: false\nanswer: Вирусы не передаются по радиоволнам.\nexplanation: ВОЗ.\n"
        "sources:\n  - title: Mythbusters\n    publisher: World Health Organization\n"
        "published: 2026-11-01\ntags: [conspiracy]\n",
        encoding="utf-8",
    )
    library = load_library_or_raise(root)
    content = Content.build(library, "en", Settings().matching.thresholds)
    engine = Engine(Store(db_engine), content, clock, UNLIMITED)
    english = Person(engine, "e" * 64, "en")
    assert "5G mobile networks" in english.say("5G mobile networks spread the coronavirus")
    english.press("Helpful")
    russian = Person(engine, "f" * 64, "ru")
    assert "Сети 5G" in russian.say("Сети 5G распространяют коронавирус")
    russian.send_payload(russian.buttons[1].payload)  # not helpful
    russian.say("нет ссылки на ВОЗ")
    with engine.store.unit(write=False) as unit:
        rows = {
            r.language: (r.answered, r.helpful, r.not_helpful, r.reasons)
            for r in unit.reports.factchecks(library)
            if r.factcheck_id == "5g-covid"
        }
    assert rows == {"en": (1, 1, 0, ()), "ru": (1, 0, 1, ("нет ссылки на ВОЗ",))}
