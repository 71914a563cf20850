"""No input may crash the engine or make it send something Telegram would refuse."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.engine import Engine
from bot.engine.events import Incoming
from bot.testing.hostile import NAUGHTY, PAYLOADS, reply_problems

USER = "h" * 64
texts = st.one_of(
    st.sampled_from(NAUGHTY),
    st.text(max_size=300),
    st.builds(lambda a, b: a + b, st.sampled_from(NAUGHTY), st.text(max_size=50)),
    st.builds(lambda t: "/" + t, st.text(max_size=40)),
)
payloads = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=80))


def handled(engine: Engine, incoming: Incoming) -> None:
    before = engine.failures
    replies = engine.handle(incoming)
    assert engine.failures == before, f"crashed on {incoming!r}"
    assert reply_problems(replies) == [], incoming


@pytest.mark.parametrize("text", NAUGHTY)
def test_naughty_text(engine: Engine, text: str) -> None:
    handled(engine, Incoming(USER, text=text))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_forged_payloads(engine: Engine, payload: str) -> None:
    handled(engine, Incoming(USER, payload=payload))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=texts, payload=payloads, language=st.sampled_from([None, "en", "ru", "xx", "<b>"]))
def test_generated_input(engine: Engine, text: str, payload: str, language: str | None) -> None:
    handled(engine, Incoming(USER, text=text, language=language))
    handled(engine, Incoming(USER, payload=payload, language=language))


def test_hostile_answers_to_a_typed_question(engine: Engine) -> None:
    """Typed answers are graded, not echoed: hostile ones change nothing else."""
    from bot.testing.person import Person

    person = Person(engine, USER)
    person.say("/lessons")
    for label in ("Spotting", "Next", "Next", "Take the quiz", "A reaction", "Next question"):
        person.press(label)
    for label in ("ALL CAPS", "Done", "Next question", "True", "Next question"):
        person.press(label)
    assert "Type your answer" in person.replies[-1].text
    for text in NAUGHTY:
        handled(engine, Incoming(USER, text=text))
