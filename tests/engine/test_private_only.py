"""Groups are public: a personal command or button in a group gets one short line and a link
to the private chat, never the data; `/start VERB` there does it."""

from __future__ import annotations

import pytest

from bot.engine.engine import Engine
from bot.engine.events import ChatKind, Incoming
from bot.engine.payloads import Payload, owner_tag
from bot.engine.verbs import BUTTONS, COMMANDS
from bot.testing.person import Person

KEY = "g" * 64
PRIVATE_COMMANDS = sorted(name for name, c in COMMANDS.items() if c.private)
PRIVATE_VERBS = sorted(name for name, v in BUTTONS.items() if v.private)


def test_every_personal_entry_is_marked() -> None:
    assert {"mydata", "forget", "remind", "progress", "stats", "queue", "broadcast"} <= set(
        PRIVATE_COMMANDS
    )
    assert {"mydata", "forget", "erase", "remind", "progress", "bcast"} <= set(PRIVATE_VERBS)


@pytest.mark.parametrize("name", PRIVATE_COMMANDS)
def test_a_personal_command_in_a_group_gets_only_a_link(engine: Engine, name: str) -> None:
    Person(engine, KEY).say("/start")  # known to the bot, with things to show
    engine.admins = frozenset({KEY})  # admin data must not reach a group either
    [reply] = engine.handle(
        Incoming(KEY, text=f"/{name}", chat=ChatKind.GROUP, bot_name="civic_bot")
    )
    assert reply.attachment is None and reply.image is None
    assert "only in a private chat" in reply.text
    [[link]] = reply.buttons
    assert link.url == f"https://t.me/civic_bot?start={name}"


@pytest.mark.parametrize("verb", PRIVATE_VERBS)
def test_a_personal_button_in_a_group_gets_only_a_link(engine: Engine, verb: str) -> None:
    person = Person(engine, KEY)
    person.say("/forget")  # an erase button is now current
    with engine.store.unit() as unit:
        seq = unit.users.user(KEY, engine.clock()).seq
    data = Payload(verb, seq, owner_tag(KEY), "1").encode()
    [reply] = engine.handle(Incoming(KEY, payload=data, chat=ChatKind.GROUP, bot_name="civic_bot"))
    assert reply.attachment is None and "only in a private chat" in reply.text
    assert "erased" not in reply.text.lower()
    assert "Welcome" in person.say("/start")  # nothing was erased


def test_the_link_continues_in_the_private_chat(engine: Engine) -> None:
    person = Person(engine, KEY)
    person.say("/start")
    person.say("/start mydata")
    [reply] = person.replies
    assert reply.attachment is not None and reply.attachment.filename.endswith(".json")
    assert "Erase everything?" in person.say("/start forget")
    assert "Welcome" in person.say("/start nonsense")
