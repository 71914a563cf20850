"""End to end over HTTP: the real python-telegram-bot `Application` against the fake Bot API.

Every scenario here holds for any engine, so each runs twice: against the small fake engine and
against the real engine on a real SQLite database. Assertions are about what Telegram would see
(calls, keyboards, answered queries) and what reached the engine, never about exact wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.engine.events import ChatKind
from bot.storage.keys import user_key
from bot.testing.fakebotapi import (
    BOT_ID,
    BOT_USERNAME,
    Call,
    FakeBotApi,
    Group,
    Person,
    callback_query,
    channel_origin,
    inline_query,
    photo_message,
    text_message,
    user_origin,
)
from bot.testing.harness import SECRET_KEY, Recording, RunningBot
from bot.transports.telegram import Engine
from tests.transports.conftest import LogCapture, real_engine

ANA = Person(987_654_321_012, "Ana", "en")
BORIS = Person(555_000_111, "Boris", "ru")
CLAIM = "5G towers cause COVID-19 and everybody knows it"


def _to(chat_id: int) -> Any:
    return lambda call: call.params.get("chat_id") == chat_id


def _answers(query: dict[str, Any]) -> Callable[[Call], bool]:
    return lambda call: bool(call.params.get("callback_query_id") == query["id"])


def _has_buttons(call: Call) -> bool:
    return bool(_buttons(call))


def _buttons(call: Call) -> list[dict[str, str]]:
    markup = call.params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def test_start_press_and_forged_press(
    any_engine: Engine, fake_api: FakeBotApi, bot_log: LogCapture
) -> None:
    engine = Recording(any_engine)
    with RunningBot(fake_api, engine):
        fake_api.push_message(text_message(ANA, "/start"))
        welcome = fake_api.wait_for("sendMessage", where=_has_buttons)[0]
        buttons = _buttons(welcome)
        assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)

        shown = fake_api.message(ANA.id, welcome.result["message_id"])
        press = callback_query(ANA, buttons[0]["callback_data"], shown)
        fake_api.push_callback(press)
        fake_api.wait_for("answerCallbackQuery", where=_answers(press))
        fake_api.wait_idle()
        changed = fake_api.calls("editMessageText") + [
            call for call in fake_api.calls("sendMessage") if call.at > welcome.at
        ]
        assert changed, "pressing a button changes the chat"

        forged = [
            callback_query(ANA, data, shown)
            for data in ("pick:99999999:1", "lesson:../../etc", "\u0000" * 64, "x" * 64)
        ]
        for query in forged:
            fake_api.push_callback(query)
            fake_api.wait_for("answerCallbackQuery", where=_answers(query))
        fake_api.wait_idle()
        # Still alive and answering after the forgeries.
        sent = len(fake_api.calls("sendMessage"))
        fake_api.push_message(text_message(ANA, "/start"))
        fake_api.wait_for("sendMessage", count=sent + 1)
    answered = [call.params["callback_query_id"] for call in fake_api.calls("answerCallbackQuery")]
    assert answered == [press["id"]] + [query["id"] for query in forged]
    assert fake_api.confirmed_offset == 8  # all 7 updates acknowledged at shutdown
    assert not [
        c for c in fake_api.calls() if c.status not in (200, None) and c.method != "getUpdates"
    ]
    bot_log.assert_clean(str(ANA.id), "/start", "pick:99999999")


def test_forwarded_channel_post_reaches_the_engine_as_text_only(
    any_engine: Engine, fake_api: FakeBotApi, bot_log: LogCapture
) -> None:
    engine = Recording(any_engine)
    origin = channel_origin(title="Secret Rumour Channel", channel_id=-1009998887776)
    with RunningBot(fake_api, engine):
        fake_api.push_message(text_message(ANA, CLAIM, forward_origin=origin))
        fake_api.wait_for("sendMessage", where=_to(ANA.id))
    [incoming] = engine.seen
    assert incoming.text == CLAIM
    assert incoming.chat is ChatKind.PRIVATE
    assert incoming.forwarded  # someone else's words: never taken as the person's own reason
    everything = repr(incoming)
    for leaked in ("Secret Rumour Channel", "rumour_mill", "9998887776", "Editor X", str(ANA.id)):
        assert leaked not in everything
    bot_log.assert_clean("Secret Rumour Channel", "rumour_mill", CLAIM[:20], str(ANA.id))


def test_a_photo_caption_is_checked_like_text(any_engine: Engine, fake_api: FakeBotApi) -> None:
    engine = Recording(any_engine)
    with RunningBot(fake_api, engine):
        fake_api.push_message(photo_message(ANA, CLAIM, forward_origin=user_origin(BORIS)))
        fake_api.wait_for("sendMessage", where=_to(ANA.id))
    assert engine.texts() == [CLAIM]
    assert str(BORIS.id) not in repr(engine.seen)
    assert engine.seen[0].forwarded


def test_inline_query_is_answered_with_html_articles(
    any_engine: Engine, fake_api: FakeBotApi
) -> None:
    engine = Recording(any_engine)
    with RunningBot(fake_api, engine):
        query = inline_query(BORIS, "5G towers cause COVID")
        fake_api.push_inline(query)
        [answer] = fake_api.wait_for("answerInlineQuery")
    assert answer.params["inline_query_id"] == query["id"]
    results = answer.params["results"]
    assert 0 < len(results) <= 50
    for result in results:
        assert result["type"] == "article"
        assert result["input_message_content"]["parse_mode"] == "HTML"
    assert engine.inline_seen == [("5G towers cause COVID", "ru")]


def test_group_answers_only_what_is_addressed_to_the_bot(
    any_engine: Engine, fake_api: FakeBotApi, bot_log: LogCapture
) -> None:
    engine = Recording(any_engine)
    family = Group()
    chatter = text_message(BORIS, "Grandma says 5G towers cause COVID-19", group=family)
    with RunningBot(fake_api, engine):
        fake_api.push_message(chatter)
        fake_api.push_message(text_message(ANA, "/start@some_other_bot", group=family))
        fake_api.push_message(text_message(ANA, "hello everyone", group=family))
        fake_api.wait_idle()
        assert not fake_api.calls("sendMessage"), "silent in a group unless addressed"

        mention = text_message(
            ANA, f"@{BOT_USERNAME} is it true that 5G causes COVID?", group=family
        )
        fake_api.push_message(mention)
        fake_api.wait_idle()
        answer = fake_api.calls("sendMessage")[0]
        assert answer.params["chat_id"] == family.id
        assert answer.params["reply_parameters"]["message_id"] == mention["message_id"]

        check = text_message(ANA, "/check", group=family, reply_to=chatter)
        bot_said = fake_api.message(family.id, answer.result["message_id"])
        reply = text_message(BORIS, "but why?", group=family, reply_to=bot_said)
        command = text_message(BORIS, f"/help@{BOT_USERNAME}", group=family)
        for message in (check, reply, command):
            sent = len(fake_api.calls("sendMessage"))
            fake_api.push_message(message)
            fake_api.wait_idle()
            first = fake_api.calls("sendMessage")[sent]  # each is answered, as a reply to it
            assert first.params["reply_parameters"]["message_id"] == message["message_id"]
    assert engine.texts() == [
        "is it true that 5G causes COVID?",
        "/check Grandma says 5G towers cause COVID-19",
        "but why?",
        "/help",
    ]
    assert {incoming.chat for incoming in engine.seen} == {ChatKind.GROUP}
    bot_log.assert_clean("Grandma", "hello everyone", str(BORIS.id))


def test_users_are_known_by_a_keyed_hash_and_their_language(
    any_engine: Engine, fake_api: FakeBotApi
) -> None:
    engine = Recording(any_engine)
    with RunningBot(fake_api, engine):
        fake_api.push_message(text_message(ANA, "/start"))
        fake_api.push_message(text_message(BORIS, "/start"))
        fake_api.wait_idle()
    ana, boris = sorted(engine.seen, key=lambda incoming: incoming.language or "")
    assert ana.user == user_key(SECRET_KEY, "telegram", ANA.id)
    assert boris.user == user_key(SECRET_KEY, "telegram", BORIS.id)
    assert re.fullmatch("[0-9a-f]{64}", ana.user) and ana.user != boris.user
    assert (ana.language, boris.language) == ("en", "ru")
    for incoming in engine.seen:
        assert str(ANA.id) not in repr(incoming) and str(BORIS.id) not in repr(incoming)
        assert not incoming.forwarded  # typed by the person themselves


def test_command_menus_are_registered_per_language(
    any_engine: Engine, fake_api: FakeBotApi
) -> None:
    with RunningBot(fake_api, any_engine):
        pass
    default = fake_api.commands()
    assert default and all(re.fullmatch("[a-z0-9_]{1,32}", c["command"]) for c in default)
    for language in any_engine.languages:
        menu = fake_api.commands(language)
        assert [c["command"] for c in menu] == [c["command"] for c in default]
        assert [c["description"] for c in menu] == [d for _, d in _unescaped(any_engine, language)]


def _unescaped(engine: Engine, language: str) -> list[tuple[str, str]]:
    import html

    return [
        (name, html.unescape(description)) for name, description in engine.command_menu(language)
    ]


@pytest.mark.parametrize("kind", ["private", "group"])
def test_bots_own_id_never_reaches_the_engine(
    kind: str, fake_api: FakeBotApi, fake_engine: Engine
) -> None:
    engine = Recording(fake_engine)
    group = Group() if kind == "group" else None
    with RunningBot(fake_api, engine):
        fake_api.push_message(text_message(ANA, f"@{BOT_USERNAME} hi", group=group))
        fake_api.wait_for("sendMessage")
    assert str(BOT_ID) not in repr(engine.seen)


def test_nothing_personal_or_for_admins_is_sent_to_a_group(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    real = real_engine(tmp_path)
    real.admins = frozenset({user_key(SECRET_KEY, "telegram", ANA.id)})
    family = Group()
    with RunningBot(fake_api, real):
        fake_api.push_message(text_message(ANA, "/start"))  # known, with data to show
        fake_api.wait_idle()
        before = len(fake_api.calls("sendMessage"))
        commands = ("mydata", "progress", "forget", "remind", "stats", "queue", "broadcast hi")
        for command in commands:
            fake_api.push_message(text_message(ANA, f"/{command}@{BOT_USERNAME}", group=family))
        fake_api.wait_idle()
        assert not fake_api.calls("sendDocument") and not fake_api.calls("sendPhoto")
        sent = fake_api.calls("sendMessage")[before:]
        assert len(sent) == len(commands)
        for call in sent:
            assert call.params["chat_id"] == family.id
            assert "only in a private chat" in call.params["text"]
            [[button]] = call.params["reply_markup"]["inline_keyboard"]
            assert button["url"].startswith(f"https://t.me/{BOT_USERNAME}?start=")


def _row_counts(engine: Any) -> dict[str, int]:
    with engine.store.engine.connect() as connection:
        tables = [
            name
            for (name,) in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        ]
        return {
            name: connection.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar_one()
            for name in tables
        }


def test_another_members_press_in_a_group_changes_nothing(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    real = real_engine(tmp_path)
    family = Group()
    with RunningBot(fake_api, real):
        fake_api.push_message(text_message(BORIS, "/start"))  # Boris has state of his own
        fake_api.push_message(text_message(ANA, f"/lessons@{BOT_USERNAME}", group=family))
        listed = fake_api.wait_for("sendMessage", where=_to(family.id))[0]
        fake_api.wait_idle()
        shown = fake_api.message(family.id, listed.result["message_id"])
        ana_button = _buttons(listed)[0]["callback_data"]
        rows, calls = _row_counts(real), len(fake_api.calls())

        # Boris presses Ana's button: he is told so, and nothing else happens.
        press = callback_query(BORIS, ana_button, shown)
        fake_api.push_callback(press)
        [answer] = fake_api.wait_for("answerCallbackQuery", where=_answers(press))
        fake_api.wait_idle()
        assert "someone else" in answer.params["text"]
        made = [c.method for c in fake_api.calls()[calls:] if c.method != "getUpdates"]
        assert made == ["answerCallbackQuery"]
        assert _row_counts(real) == rows

        # Ana's own press works, in the group, on her own state.
        mine = callback_query(ANA, ana_button, shown)
        fake_api.push_callback(mine)
        fake_api.wait_for("answerCallbackQuery", where=_answers(mine))
        fake_api.wait_idle()
        after = [
            c
            for c in fake_api.calls()[calls:]
            if c.method not in ("answerCallbackQuery", "getUpdates")
        ]
        assert after and all(c.params.get("chat_id") == family.id for c in after)

        # The progress and my-data buttons, pressed in the group by their owner, send nothing
        # personal there: a link to the private chat instead.
        in_group = sum(
            1 for c in fake_api.calls("sendMessage") if c.params.get("chat_id") == family.id
        )
        fake_api.push_message(text_message(ANA, f"/menu@{BOT_USERNAME}", group=family))
        menu = fake_api.wait_for("sendMessage", where=_to(family.id), count=in_group + 1)[-1]
        fake_api.wait_idle()
        on_menu = fake_api.message(family.id, menu.result["message_id"])
        personal = [
            b["callback_data"]
            for b in _buttons(menu)
            if b.get("callback_data", "").startswith(("progress:", "mydata:"))
        ]
        assert personal, _buttons(menu)
        for data in personal:
            query = callback_query(ANA, data, on_menu)
            fake_api.push_callback(query)
            fake_api.wait_for("answerCallbackQuery", where=_answers(query))
        fake_api.wait_idle()
        assert not fake_api.calls("sendDocument") and not fake_api.calls("sendPhoto")
        private = [
            c
            for c in fake_api.calls("sendMessage")
            if c.at > menu.at and "only in a private chat" in c.params["text"]
        ]
        assert len(private) == len(personal)
