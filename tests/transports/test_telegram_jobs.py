"""A live bot over the fake Bot API: it picks up content changes by itself, keeps the last good
library on a broken change (and tells the admins), and brings an opted-in asker the fact-check
that answers the claim they sent to the editors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.app import telegram_admins
from bot.config import Settings
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.library.loader import load_library_or_raise
from bot.storage import db
from bot.storage.keys import AddressBox
from bot.storage.unit import Store
from bot.testing.fakebotapi import Call, FakeBotApi, Person, callback_query, text_message
from bot.testing.harness import SECRET_KEY, RunningBot
from tests.conftest import UNLIMITED, Clock, make_library

ANA = Person(444_333_222_111, "Ana", "en")
ADMIN = Person(777_000_111, "Ada", "en")
CLAIM = "Lizard people run the water board"
FACTCHECK = """\
id: lizards
language: en
claim: Lizard people run the water board
verdict: false
answer: No reptile works at the water board.
explanation: The staff list is public.
sources:
  - title: Staff list
    publisher: The water board
published: 2026-11-01
"""


def _to(chat_id: int) -> Any:
    return lambda call: call.params.get("chat_id") == chat_id


def _button(call: Call, label: str) -> str:
    markup = call.params.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if label in button["text"]:
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} in {markup}")


def live_engine(tmp_path: Path) -> tuple[Engine, Path]:
    root = make_library(tmp_path)
    database = db.open_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    db.upgrade(database)
    settings = Settings.model_validate({"telegram": {"admins": [ADMIN.id]}})

    def load() -> Content:
        return Content.build(load_library_or_raise(root), "en", settings.matching.thresholds)

    admins = telegram_admins(settings, SECRET_KEY)
    return Engine(Store(database), load(), Clock(), UNLIMITED, admins, load), root


def press(fake: FakeBotApi, person: Person, call: Call, label: str) -> None:
    shown = fake.message(person.id, call.result["message_id"])
    fake.push_callback(callback_query(person, _button(call, label), shown))


def test_reload_notify_and_broken_change(fake_api: FakeBotApi, tmp_path: Path) -> None:
    engine, root = live_engine(tmp_path)
    key = AddressBox.new_key()
    fake_api.add_chat(ADMIN.chat())  # the admin has talked to the bot before
    with RunningBot(fake_api, engine, address_key=key, admins=(ADMIN.id,)):
        fake_api.push_message(text_message(ANA, CLAIM))
        [none] = fake_api.wait_for("sendMessage", where=_to(ANA.id))
        assert "no fact-check for this yet" in none.params["text"]
        press(fake_api, ANA, none, "Send it to the editors")
        ask = fake_api.wait_for("sendMessage", 2, where=_to(ANA.id))[-1]
        press(fake_api, ANA, ask, "Yes, tell me")
        fake_api.wait_for("sendMessage", 3, where=_to(ANA.id))

        (root / "factchecks" / "lizards.yaml").write_text(FACTCHECK)
        told = fake_api.wait_for(
            "sendMessage", where=lambda c: "No reptile works" in c.params.get("text", "")
        )[0]
        assert told.params["chat_id"] == ANA.id
        assert "A fact-check has been published" in told.params["text"]

        (root / "factchecks" / "lizards.yaml").write_text("id: lizards\nclaim: [broken\n")
        warned = fake_api.wait_for("sendMessage", where=_to(ADMIN.id))[0]
        assert "not loaded" in warned.params["text"] and "lizards.yaml" in warned.params["text"]

        sent = len(fake_api.calls("sendMessage"))
        fake_api.push_message(text_message(ANA, CLAIM))
        answer = fake_api.wait_for("sendMessage", sent + 1)[-1]
        assert "No reptile works" in answer.params["text"]  # the last good library is served
    with engine.store.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT status, address FROM outbox").all()
    assert [tuple(row) for row in stored] == [("sent", "")]  # delivered: the address is gone
