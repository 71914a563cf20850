"""Text typed while a question is open: an answer, or a hint to tap; never a claim."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.engine.engine import Engine
from bot.storage.tables import AssessmentResponse, CheckEvent, QueuedClaim
from bot.testing.person import Person, start_fixture_quiz
from tests.conftest import Clock


def claims_seen(engine: Engine) -> tuple[int, int]:
    with engine.store.engine.connect() as connection:
        checks = connection.scalar(select(func.count(CheckEvent.id))) or 0
        queued = connection.scalar(select(func.count(QueuedClaim.id))) or 0
    return checks, queued


def test_typing_an_option_answers_with_it(engine: Engine) -> None:
    person = Person(engine)
    start_fixture_quiz(person)
    out = person.say("a reaction before thought")
    assert "Correct" in out and "Next question" in person.labels()[0]
    assert claims_seen(engine) == (0, 0)


def test_typing_a_true_false_label_and_ticking_by_text(engine: Engine) -> None:
    person = Person(engine)
    start_fixture_quiz(person)
    person.press("A reaction before thought")
    person.press("Next question")
    out = person.say("ALL CAPS outrage")  # ticks it, the question stays open
    assert "☑ ALL CAPS outrage" in person.labels()
    assert "Which are warning signs?" in out
    person.press("Urgent")
    person.press("Done")
    person.press("Next question")
    assert "Correct" in person.say("true")


def test_other_text_is_a_hint_to_tap_and_never_reaches_the_editors(engine: Engine) -> None:
    person = Person(engine)
    start_fixture_quiz(person)
    for typed in ("5G towers cause COVID-19 and everybody knows it", "9", "0", "emotional"):
        out = person.say(typed)
        assert "Tap an option below" in out and "/check" in out
        assert "What does emotional language aim for?" in out
        assert person.labels() == ["A reaction before thought", "A calm discussion"]
        assert not any("editors" in label for label in person.labels())
    out = person.press("A calm discussion")  # the question was never lost
    assert "Not quite" in out
    out = person.say("Some claim typed after the answer")
    assert "You have answered this question" in out
    assert person.labels() == ["Next question ▶"]
    person.press("Next question")
    assert "Which are warning signs?" in person.replies[-1].text
    assert claims_seen(engine) == (0, 0)


def test_check_still_checks_a_claim_during_a_quiz(engine: Engine) -> None:
    person = Person(engine)
    start_fixture_quiz(person)
    assert "We have checked a claim like this" in person.say("/check 5G towers cause COVID-19")


def test_a_quiz_left_long_ago_does_not_stand_before_a_claim(engine: Engine, clock: Clock) -> None:
    person = Person(engine)
    start_fixture_quiz(person)
    clock.advance(hours=2)
    out = person.say("5G towers cause COVID-19")
    assert "We have checked a claim like this" in out


def test_a_headline_is_rated_by_typing_its_number(engine: Engine) -> None:
    person = Person(engine)
    person.say("/test")
    out = person.say("5")
    assert "Headline 2 of 4" in out
    out = person.say("9")
    assert "tapping a number from 1 to 7" in out and "Headline 2 of 4" in out
    with engine.store.engine.connect() as connection:
        assert connection.scalar(select(func.count(AssessmentResponse.id))) == 1
    assert claims_seen(engine) == (0, 0)


def test_an_offer_to_send_to_the_editors_quotes_what_would_be_sent(engine: Engine) -> None:
    person = Person(engine)
    claim = "qwxz plorb vintage teapot festival <b>at noon</b>"
    out = person.say(claim)
    assert f"You sent: «{claim}»" in out  # the text, shown as text (HTML escaped on the wire)
    assert "&lt;b&gt;at noon&lt;/b&gt;" in person.replies[0].text
    assert "Send it to the editors" in person.labels()[0]
    assert "Thank you" in person.press("Send it to the editors")
    assert claims_seen(engine)[1] == 1
