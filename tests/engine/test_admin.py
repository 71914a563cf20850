"""Admin commands and live reload through the engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine as DbEngine

from bot.config import Settings
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.library.loader import load_library_or_raise
from bot.service import Service
from bot.storage.keys import AddressBox
from bot.storage.privacy import Retention
from bot.storage.unit import Store
from bot.testing.person import Person
from tests.conftest import UNLIMITED, Clock

ADMIN, USER = "ad" * 32, "us" * 32


@pytest.fixture
def live(db_engine: DbEngine, library_dir: Path, clock: Clock) -> Engine:
    def load() -> Content:
        library = load_library_or_raise(library_dir)
        return Content.build(library, "en", Settings().matching.thresholds)

    return Engine(Store(db_engine), load(), clock, UNLIMITED, frozenset({ADMIN}), load)


def test_non_admins_are_refused(live: Engine) -> None:
    person = Person(live, USER)
    for command in ("/stats", "/queue", "/reload"):
        assert "only for the people who run this bot" in person.say(command)
    assert [name for name, _ in live.command_menu("en")].count("stats") == 0
    assert "stats" in dict(live.command_menu("en", admin=True))


def test_stats_and_queue(live: Engine) -> None:
    user = Person(live, USER)
    user.say("the lizard people run the water board")
    user.press("Send it to the editors")
    admin = Person(live, ADMIN)
    out = admin.say("/stats")
    assert "Learners: 2" in out and "Claims sent to the editors: 1" in out
    assert "lizard people" in admin.say("/queue")


def test_reload_serves_new_content_and_keeps_the_old_on_error(
    live: Engine, library_dir: Path
) -> None:
    admin = Person(live, ADMIN)
    lesson = library_dir / "lessons" / "03-new.yaml"
    lesson.write_text(
        "id: fresh\nlanguage: en\ntitle: A fresh lesson\ntopic: verification\n"
        "cards:\n  - text: New card.\n"
    )
    assert "Content reloaded: 3 lessons" in admin.say("/reload")
    assert "A fresh lesson" in admin.say("/lessons")
    lesson.write_text("id: fresh\nlanguage: en\ntitle: [broken\n")
    out = admin.say("/reload")
    assert "not loaded" in out and "03-new.yaml:4:1: invalid YAML" in out
    assert "A fresh lesson" in admin.say("/lessons")  # still the last good library


def test_reload_notifies_an_opted_in_asker(live: Engine, library_dir: Path) -> None:
    address = AddressBox(AddressBox.new_key()).seal("77")
    user = Person(live, USER)
    user.address = address
    user.say("Lizard people run the water board")
    user.press("Send it to the editors")
    user.press("Yes, tell me")
    (library_dir / "factchecks" / "lizards.yaml").write_text(
        "id: lizards\nlanguage: en\nclaim: Lizard people run the water board\nverdict: false\n"
        "answer: No reptile works at the water board.\nexplanation: Staff lists are public.\n"
        "sources:\n  - title: Staff list\n    publisher: The water board\npublished: 2026-11-01\n"
    )
    service = Service(live, live.store, None, Retention(180, 180, 365, 730))
    assert "Content reloaded" in Person(live, ADMIN).say("/reload")
    sent = service.claim_outbox(10)
    assert len(sent) == 1 and sent[0].address == address
    assert "No reptile works at the water board" in sent[0].reply.text


def test_reload_without_a_reloader(engine: Engine) -> None:
    result = engine.reload()
    assert not result.ok and "without a content folder" in result.problems[0]


def test_broadcast_preview_confirm_once(live: Engine, clock: Clock) -> None:
    for n in range(3):
        subscriber = Person(live, f"{n:064d}")
        subscriber.address = AddressBox(AddressBox.new_key()).seal(str(n))
        subscriber.say("/remind")
    admin = Person(live, ADMIN)
    assert "after the command" in admin.say("/broadcast")
    out = admin.say("/broadcast A new lesson <b>on deepfakes</b> is out")
    assert "3 subscribers" in out and "&lt;b&gt;" in admin.replies[1].text
    confirm = next(b.payload for b in admin.buttons if "Send to 3" in b.label)
    assert "Queued for 3 subscribers" in admin.send_payload(confirm)
    assert "earlier step" in admin.send_payload(confirm)  # a second tap queues nothing
    assert "Queued" not in Person(live, USER).send_payload(confirm)
    sent = Service(live, live.store, None, Retention(180, 180, 365, 730)).claim_outbox(100)
    assert len(sent) == 3 and {o.reply.text for o in sent} == {
        "A new lesson &lt;b&gt;on deepfakes&lt;/b&gt; is out"
    }


def test_outgoing_rate_is_shared(live: Engine, clock: Clock) -> None:
    from bot.config import LimitsSettings

    for n in range(40):
        subscriber = Person(live, f"{n:064d}")
        subscriber.address = AddressBox(AddressBox.new_key()).seal(str(n))
        subscriber.say("/remind")
    admin = Person(live, ADMIN)
    admin.say("/broadcast news")
    admin.send_payload(next(b.payload for b in admin.buttons if "Send to" in b.label))
    slow_engine = Engine(live.store, live.content, clock, LimitsSettings(outgoing_per_second=10))
    slow = Service(slow_engine, live.store, None, Retention(180, 180, 365, 730))
    # A bucket of 2 refilled at 8 / 1.1 = 7.3 a second: never more than 10 handed out in any
    # 1.1 seconds, so never more than 10 leave in one second even if some leave 0.1 s late.
    assert len(slow.claim_outbox(100)) == 2
    assert len(slow.claim_outbox(100)) == 0  # no time has passed
    clock.advance(seconds=0.5)
    assert len(slow.claim_outbox(100)) == 2  # 3.6 tokens refilled, capped at the burst of 2
    taken = []
    for _ in range(100):
        clock.advance(seconds=0.05)
        taken.append(len(slow.claim_outbox(100)))
    windows = [sum(taken[i : i + 22]) for i in range(len(taken) - 22)]  # 22 x 0.05 s = 1.1 s
    assert max(windows) <= 10
    assert sum(taken) >= 5 * 7  # it still sends: about 7.3 a second over 5 seconds
