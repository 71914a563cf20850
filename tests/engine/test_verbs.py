"""The verb table: every button verb and every command is dispatched from it, a press by the
person it was made for reaches its flow, a stale press of a stateful one changes nothing, and a
press by anyone else is refused before any work."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.engine.engine import Engine
from bot.engine.payloads import Payload, decode, owner_tag
from bot.engine.verbs import BUTTONS, COMMANDS
from bot.storage.tables import User
from bot.testing.person import Person

OWNER = "a" * 64
STRANGER = "b" * 64


def _users(engine: Engine) -> int:
    with engine.store.engine.connect() as connection:
        return int(connection.scalar(select(func.count(User.id))) or 0)


@pytest.mark.parametrize("verb", sorted(BUTTONS))
def test_every_verb_reaches_its_flow(engine: Engine, verb: str) -> None:
    person = Person(engine, OWNER)
    person.say("/start")
    with engine.store.unit() as unit:
        seq = unit.users.user(OWNER, engine.clock()).seq
    for arg in (None, "x"):
        data = Payload(verb, seq, owner_tag(OWNER), arg).encode()
        assert decode(data) == Payload(verb, seq, owner_tag(OWNER), arg)
        person.send_payload(data)
        assert person.replies, f"{verb} answered nothing"
    assert engine.failures == 0


@pytest.mark.parametrize("verb", sorted(v for v in BUTTONS if BUTTONS[v].stateful))
def test_a_stale_stateful_press_changes_nothing(engine: Engine, verb: str) -> None:
    person = Person(engine, OWNER)
    person.say("/start")
    person.say("/forget")  # a step that moves the tag on
    out = person.send_payload(Payload(verb, 0, owner_tag(OWNER), "1").encode())
    assert person.replies[0].notice == "That button is out of date."
    assert "deleted" not in out.lower()


@pytest.mark.parametrize("verb", sorted(BUTTONS))
def test_a_press_by_someone_else_is_refused_before_any_work(engine: Engine, verb: str) -> None:
    owner = Person(engine, OWNER)
    owner.say("/start")
    users = _users(engine)
    stranger = Person(engine, STRANGER)
    stranger.send_payload(Payload(verb, 0, owner_tag(OWNER), "1").encode())
    [refusal] = stranger.replies
    assert refusal.text == "" and refusal.notice and "someone else" in refusal.notice
    assert not refusal.buttons and not refusal.replace
    assert _users(engine) == users  # not even the stranger's own row was touched


def test_every_command_is_in_the_menu_in_every_language(engine: Engine) -> None:
    for language in engine.languages:
        menu = dict(engine.command_menu(language, admin=True))
        assert list(menu) == list(COMMANDS)
        assert all(description.strip() for description in menu.values())
    public = dict(engine.command_menu("en"))
    assert set(public) == {name for name, command in COMMANDS.items() if not command.admin}
