"""Review, assessments and the progress picture through the real engine."""

from __future__ import annotations

import pickle
import struct

from sqlalchemy import func, select

from bot.engine.engine import Engine
from bot.engine.events import Incoming
from bot.engine.pictures import ChartData
from bot.storage.tables import AssessmentResponse, ReviewCard
from bot.testing.person import Person, start_fixture_quiz
from bot.transports.drawing import draw
from tests.conftest import Clock


def take_quiz(person: Person, right: bool) -> None:
    """Answer the fixture quiz: all right, or q1 right and q3 wrong (q2 half, q4 right)."""
    start_fixture_quiz(person)
    person.press("A reaction before thought")
    person.press("Next question")
    person.press("ALL CAPS")
    if right:
        person.press("Urgent")
    person.press("Done")
    person.press("Next question")
    person.press("True" if right else "False")
    person.press("Next question")
    person.say("SIFT")
    person.press("See my score")


def test_review_offers_missed_questions_most_overdue_first(engine: Engine, clock: Clock) -> None:
    person = Person(engine)
    take_quiz(person, right=False)
    assert "Nothing is due right now" in person.say("/review")
    clock.advance(minutes=5)  # missed ones come back after a minute, right ones after ten
    out = person.say("/review")
    assert "Time to review: 2 questions" in out
    assert "warning signs" in out  # q2 (half right) first: it was answered first
    person.press("ALL CAPS")
    person.press("Urgent")
    assert "Correct" in person.press("Done")
    assert "Fear spreads" in person.press("Next question")
    person.press("True")
    assert "2 of 2 right" in person.press("See my score")
    with engine.store.engine.connect() as connection:
        assert connection.scalar(select(func.count(ReviewCard.id))) == 4
        assert connection.scalar(select(func.max(ReviewCard.reviews))) == 2


def test_review_with_nothing_answered(engine: Engine) -> None:
    assert "Answer some quiz questions first" in Person(engine).say("/review")


def rate_all(person: Person, ratings: list[int]) -> str:
    out = ""
    for value in ratings:
        out = person.press(str(value))
    return out


def test_assessment_before_and_after(engine: Engine, clock: Clock) -> None:
    person = Person(engine)
    out = person.say("/test")
    assert "A short test of how you judge headlines" in out and "Headline 1 of 4" in out
    assert out.count("no trick questions") == 1  # the introduction once, not twice over
    # A credulous start: everything rated 6.
    out = rate_all(person, [6, 6, 6, 6])
    assert "Your starting point" in out and "come back with /test" in out
    out = person.say("/test")
    assert "second round" in out
    # The other form, now told apart: true 7, false 1 (order follows the form: T F T F).
    out = rate_all(person, [7, 1, 7, 1])
    assert "You got better at telling true headlines from false ones" in out
    assert "more sceptical overall" in out
    with engine.store.engine.connect() as connection:
        forms = connection.execute(select(AssessmentResponse.form_id).distinct()).scalars().all()
        assert sorted(forms) == ["a", "b"]
    # With only two forms there is nothing more to take: /test shows the results again.
    assert "Latest:" in person.say("/test")


def test_forged_rating_changes_nothing(engine: Engine) -> None:
    person = Person(engine)
    person.say("/test")
    seq_payload = person.buttons[0].payload  # "rate:<seq>:<who>:1"
    verb, seq, who, _ = seq_payload.split(":")
    for forged in (
        f"{verb}:{seq}:{who}:9",
        f"{verb}:{seq}:{who}:0",
        f"{verb}:{int(seq) + 5}:{who}:3",
    ):
        out = person.send_payload(forged)
        assert person.replies[0].notice == "That button is out of date."
        assert "earlier step" in out or "Headline 1 of 4" in out
    with engine.store.engine.connect() as connection:
        assert connection.scalar(select(func.count(AssessmentResponse.id))) == 0


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_progress_picture_for_a_new_and_an_active_learner(engine: Engine) -> None:
    person = Person(engine)
    person.say("/progress")
    empty = person.replies[0].attachment
    assert empty is not None and empty.photo
    assert png_size(empty.data) == (800, 900)
    take_quiz(person, right=True)
    text = person.say("/progress")
    assert "Streak: 1 day" in text
    chart = person.replies[0].attachment
    assert chart is not None and chart.data != empty.data
    assert png_size(chart.data) == (800, 900)


def test_mastery_figures_come_from_the_database(engine: Engine, clock: Clock) -> None:
    person = Person(engine)
    take_quiz(person, right=True)
    [reply] = engine.handle(Incoming(person.key, text="/progress"))
    assert reply.attachment is not None and reply.attachment.picture is not None
    data = reply.attachment.picture.data
    assert isinstance(data, ChartData)
    recall = {bar.label: bar.value for bar in data.mastery}
    assert set(recall) == {"emotional language", "the SIFT habits"}
    # Three answers on emotional language: a figure; one on SIFT: too few to tell.
    emotional = recall["emotional language"]
    assert emotional is not None and 0.9 < emotional <= 1.0
    assert recall["the SIFT habits"] is None
    assert data.weekly[-1] == 5  # 4 answers and 1 finished lesson, this week


def test_the_picture_is_left_for_the_transport_to_draw_anywhere(engine: Engine) -> None:
    person = Person(engine)
    take_quiz(person, right=True)
    [reply] = engine.handle(Incoming(person.key, text="/progress"))
    assert reply.attachment is not None and reply.attachment.data == b""
    picture = pickle.loads(pickle.dumps(reply.attachment.picture))  # it can go elsewhere
    assert png_size(draw(picture)) == (800, 900)
