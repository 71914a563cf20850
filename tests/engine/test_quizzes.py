"""Quizzes that never get lost: an empty Done, an abandoned quiz, feedback and review order."""

from __future__ import annotations

from sqlalchemy import select

from bot.engine.engine import Engine
from bot.storage.tables import Answer
from bot.testing.person import Person, start_fixture_quiz
from tests.conftest import Clock


def at_the_ticks(engine: Engine) -> Person:
    person = Person(engine)
    start_fixture_quiz(person)
    person.press("A reaction before thought")
    person.press("Next question")
    return person


def test_done_with_nothing_ticked_shows_the_question_again_with_its_buttons(
    engine: Engine,
) -> None:
    person = at_the_ticks(engine)
    out = person.press("Done")
    assert "Tick at least one answer first" in out
    assert "Which are warning signs?" in out
    assert person.labels() == [
        "☐ ALL CAPS outrage",
        "☐ A named, checkable source",
        "☐ Urgent calls to share now",
        "✅ Done",
    ]
    person.press("ALL CAPS")
    assert "Partly right" in person.press("Done")  # the quiz went on: nothing was lost


def test_feedback_names_each_ticked_option_and_the_right_ones_missed(engine: Engine) -> None:
    person = at_the_ticks(engine)
    person.press("ALL CAPS")
    person.press("named, checkable")
    out = person.press("Done")
    assert "✓ ALL CAPS outrage: A classic sign." in out
    assert "✗ A named, checkable source: That is a good sign, not a warning." in out
    assert "You did not tick: Urgent calls to share now" in out


def test_single_choice_feedback_names_the_option(engine: Engine) -> None:
    person = Person(engine)
    start_fixture_quiz(person)
    out = person.press("A calm discussion")
    assert "✗ A calm discussion: No, calm is what it avoids." in out
    assert "Right answer: A reaction before thought" in out


def test_an_abandoned_quiz_continues_where_it_stopped(engine: Engine) -> None:
    person = Person(engine)
    start_fixture_quiz(person)
    person.press("A calm discussion")  # wrong, and then the person wanders off
    person.say("/review")  # starts (and leaves) something else
    person.say("/lessons")
    person.press("Spotting emotional")
    person.press("Next")
    person.press("Next")
    out = person.press("Take the quiz")
    assert "Continuing where you stopped, at question 1 of 4" in out
    assert "Next question" in person.labels()[0]  # the answer given stands
    out = person.press("Next question")
    assert "Question 2 of 4" in out and "Which are warning signs?" in out


def test_first_attempts_stay_first_in_the_item_statistics(engine: Engine) -> None:
    person = Person(engine)
    start_fixture_quiz(person)
    person.press("A calm discussion")  # q1 wrong
    person.say("/menu")  # abandoned
    person.say("/lessons")
    person.press("Spotting emotional")
    person.press("Next")
    person.press("Next")
    person.press("Take the quiz")
    person.press("Next question")
    person.press("ALL CAPS")
    person.press("Urgent")
    person.press("Done")
    person.press("Next question")
    person.press("True")
    person.press("Next question")
    person.say("SIFT")
    out = person.press("See my score")
    assert "3 of 4 right" in out  # q1 was wrong the first time and still is
    with engine.store.engine.connect() as connection:
        answers = connection.execute(
            select(Answer.question_id, Answer.first_attempt).order_by(Answer.id)
        ).all()
    assert [tuple(row) for row in answers] == [
        ("q1", True),
        ("q2", True),
        ("q3", True),
        ("q4", True),
    ]
    with engine.store.unit(write=False) as unit:
        report = unit.reports.questions(engine.content.library)
    q1 = next(row for row in report.questions if row.question_id == "q1")
    assert q1.stats.facility == 0.0  # not 100 %: the first answer was wrong


def test_review_shuffles_options_and_grades_by_the_option(engine: Engine, clock: Clock) -> None:
    orders = set()
    for n in range(6):
        person = Person(engine, key=f"{n:x}" * 64)
        start_fixture_quiz(person)
        person.press("A calm discussion")
        clock.advance(minutes=2)
        out = person.say("/review")
        assert "What does emotional language aim for?" in out
        orders.add(tuple(person.labels()))
        assert "Correct" in person.press("A reaction before thought")
    assert len(orders) == 2  # both orders of the two options turn up


def test_review_keeps_its_order_while_ticking(engine: Engine, clock: Clock) -> None:
    person = at_the_ticks(engine)
    person.press("named, checkable")
    person.press("Done")
    clock.advance(minutes=2)
    person.say("/review")
    before = [label[2:] for label in person.labels()]
    person.press("ALL CAPS")
    after = [label[2:] for label in person.labels()]
    assert before == after


def test_quizzes_lists_every_quiz_and_marks_the_finished(engine: Engine) -> None:
    person = Person(engine)
    assert "Quizzes" in person.say("/quizzes")
    assert "Emotional language quiz" in person.labels()
    person.press("Emotional language quiz")
    person.press("A reaction before thought")
    person.press("Next question")
    person.press("ALL CAPS")
    person.press("Done")
    person.press("Next question")
    person.press("True")
    person.press("Next question")
    person.say("sift")
    person.press("See my score")
    person.say("/quizzes")
    assert "✓ Emotional language quiz" in person.labels()
    person.say("/menu")
    assert "📝 Quizzes" in person.labels()
