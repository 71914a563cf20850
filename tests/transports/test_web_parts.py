"""The web chat's parts on their own: markup rebuilding, identity, device codes, the new
session cap, and the conversation kept in memory."""

from __future__ import annotations

from bot.engine.events import Attachment, Button
from bot.storage.keys import user_key
from bot.transports.web._identity import (
    DeviceCodes,
    NewSessionCap,
    form_token,
    new_session_id,
    pseudonym,
    token_ok,
    valid_session_id,
)
from bot.transports.web._markup import web_html
from bot.transports.web._visitors import KEEP_FILES, KEEP_MESSAGES, Visitor, Visitors


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_markup_keeps_telegram_tags_and_nothing_else() -> None:
    html = web_html(
        '<b>ok</b> <a href="https://who.int/x">src</a> <a href="javascript:alert(1)">x</a>'
        '<img src=x onerror=alert(1)><script>alert(2)</script><i onclick="y">i</i> 1 &lt; 2'
    )
    assert "<b>ok</b>" in html and '<a href="https://who.int/x" rel="noreferrer noopener">' in html
    assert "javascript:" not in html and "<img" not in html and "<script" not in html
    assert "onclick" not in html and "<i>i</i>" in html and "1 &lt; 2" in html
    assert web_html("<b>open") == "<b>open</b>"


def test_sessions_become_pseudonyms_in_their_own_namespace() -> None:
    session = new_session_id()
    assert valid_session_id(session) == session
    assert valid_session_id("short") is None and valid_session_id(None) is None
    secret = b"x" * 40
    assert pseudonym(secret, session) == user_key(secret, "web", session)
    assert pseudonym(secret, "123") != user_key(secret, "telegram", "123")
    assert session not in pseudonym(secret, session)
    assert token_ok(secret, session, form_token(secret, session))
    assert not token_ok(secret, session, form_token(secret, new_session_id()))


def test_new_sessions_per_minute_refill_after_a_minute() -> None:
    clock = Ticks()
    cap = NewSessionCap(2, clock)
    assert [cap.admit(), cap.admit(), cap.admit()] == [True, True, False]
    clock.now += 60.5
    assert cap.admit()


def test_device_codes_work_once_and_expire() -> None:
    clock = Ticks()
    codes = DeviceCodes(clock)
    code = codes.make("session-a")
    assert codes.take(code[:4] + "-" + code[4:].lower()) == "session-a"
    assert codes.take(code) is None
    old = codes.make("session-b")
    newer = codes.make("session-b")
    assert codes.take(old) is None  # one live code per session
    late = codes.make("session-c")
    clock.now += 11 * 60
    assert codes.take(late) is None and codes.take(newer) is None


def test_the_conversation_in_memory_is_bounded_and_replaced_like_telegram() -> None:
    visitor = Visitor("k", "en", 0.0, 10.0)
    visitor.say("card 1", mine=False, buttons=((Button("Next", "next:0:abcdef"),),))
    visitor.say("card 2", mine=False, replace=True)
    assert [s.html for s in visitor.said] == ["card 2"]
    for number in range(KEEP_MESSAGES + 5):
        visitor.say(str(number), mine=True)
    assert len(visitor.said) == KEEP_MESSAGES
    for number in range(KEEP_FILES + 2):
        visitor.say("f", False, attachment=Attachment(f"{number}.json", b"{}"))
    assert len(visitor.files) == KEEP_FILES


def test_only_the_latest_buttons_are_offered() -> None:
    visitor = Visitor("k", "en", 0.0, 10.0)
    visitor.say("old", False, ((Button("Old", "menu:0:abcdef"),),))
    visitor.batch += 1
    visitor.say("new", False, ((Button("New", "help:0:abcdef"),),))
    assert visitor.offered() == {"help:0:abcdef": "New"}


def test_visitors_are_forgotten() -> None:
    visitors = Visitors(2, 60.0)
    first = visitors.get("a", "en")
    assert visitors.get("a", "ru") is first and len(visitors) == 1
    assert [visitors.allow(first) for _ in range(3)] == [True, True, False]
    visitors.drop("a")
    assert visitors.get("a", "en") is not first
