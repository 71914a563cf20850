"""The shared data set of the report tests: learners, claims and votes with known figures."""

from __future__ import annotations

import pytest

from bot.engine.engine import Engine
from bot.testing.person import Person, start_fixture_quiz
from tests.conftest import Clock


def run_quiz(person: Person, q1: str, q2: list[str], q3: str, q4: str) -> None:
    start_fixture_quiz(person)
    person.press(q1)
    person.press("Next question")
    for option in q2:
        person.press(option)
    person.press("Done")
    person.press("Next question")
    person.press(q3)
    person.press("Next question")
    person.say(q4)
    person.press("See my score")


@pytest.fixture
def activity(engine: Engine, clock: Clock) -> Engine:
    # Per-question scores:  L1 [1, 1, 1, 1]  L2 [1, .5, 0, 1]  L3 [0, 0, 1, 0]  L4 [1, 1, 0, 0]
    run_quiz(Person(engine, "1" * 64), "reaction", ["ALL CAPS", "Urgent"], "True", "SIFT")
    run_quiz(Person(engine, "2" * 64), "reaction", ["ALL CAPS"], "False", "sift")
    run_quiz(Person(engine, "3" * 64), "calm", ["named"], "True", "nope")
    fourth = Person(engine, "4" * 64)
    run_quiz(fourth, "reaction", ["ALL CAPS", "Urgent"], "False", "no idea")
    # A retry does not count: first attempts only.
    fourth.press("Retry")
    # Claims: two alike, one different; fact-check answers and votes.
    asker = Person(engine, "5" * 64)
    for claim in (
        "the lizard people run the water board",
        "lizard people run the water board!!",
        "purple comets steer the stock market",
    ):
        asker.say(claim)
        asker.press("Send it to the editors")
        clock.advance(hours=1)
    asker.say("5G mobile networks spread the coronavirus")
    asker.press("Helpful")
    asker.say("5G towers cause COVID-19")
    asker.press("Not helpful")
    asker.say("no link to the WHO page")
    return engine
