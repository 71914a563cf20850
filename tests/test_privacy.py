"""Privacy by construction: inventory of tables, export, erasure, retention, sealed addresses."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine, func, inspect, select

from bot.engine.engine import Engine as BotEngine
from bot.engine.events import Incoming
from bot.service import Service
from bot.storage.keys import AddressBox
from bot.storage.privacy import UNLINKED, Retention, user_tables
from bot.storage.tables import Base, CheckEvent, QueuedClaim, User
from bot.storage.unit import Store
from bot.testing.person import Person, start_fixture_quiz
from tests.conftest import Clock

ALICE, BOB = "a" * 64, "b" * 64


def test_every_table_is_user_linked_or_explained(db_engine: Engine) -> None:
    linked = {table.name for table in user_tables()} | {"users"}
    for name in inspect(db_engine).get_table_names():
        assert name in linked or name in UNLINKED, f"{name}: add user_id or explain in UNLINKED"
    assert set(Base.metadata.tables) <= linked | set(UNLINKED)


def busy_person(engine: BotEngine, key: str) -> Person:
    person = Person(engine, key)
    start_fixture_quiz(person)
    person.press("A reaction before thought")
    person.say("/test")
    person.press("5")
    # The headline test is open, so claims go through /check (plain text would rate headlines).
    person.say("/check qwxz plorb vintage teapot festival")
    person.press("Send it to the editors")
    person.say("/check 5G towers cause COVID-19")
    person.press("Not helpful")
    person.say("it missed the point")
    return person


def count_rows(db: Engine, user_id: int) -> dict[str, int]:
    with db.connect() as connection:
        return {
            table.name: connection.scalar(
                select(func.count()).select_from(table).where(table.c.user_id == user_id)
            )
            or 0
            for table in user_tables()
        }


def test_mydata_then_forget_erases_only_that_person(engine: BotEngine) -> None:
    alice = busy_person(engine, ALICE)
    busy_person(engine, BOB)
    db = engine.store.engine
    alice.say("/mydata")
    attachment = alice.replies[0].attachment
    assert attachment is not None and attachment.filename.endswith(".json")
    document = json.loads(attachment.data)
    assert document["lesson_progress"][0]["lesson_id"] == "basics"
    assert document["answers"][0]["question_id"] == "q1"
    assert document["queued_claims"][0]["text"] == "qwxz plorb vintage teapot festival"
    assert document["feedback"][0]["reason"] == "it missed the point"
    assert set(document) == {"users"} | {t.name for t in user_tables()}
    with db.connect() as connection:
        alice_id = connection.scalar(select(User.id).where(User.key == ALICE))
        bob_id = connection.scalar(select(User.id).where(User.key == BOB))
    assert alice_id is not None and bob_id is not None
    bob_before = count_rows(db, bob_id)
    assert "Erase everything?" in alice.say("/forget")
    assert "Everything I kept about you is erased" in alice.press("Yes, erase")
    assert all(n == 0 for n in count_rows(db, alice_id).values())
    assert count_rows(db, bob_id) == bob_before
    with db.connect() as connection:
        assert connection.scalar(select(func.count(User.id)).where(User.key == ALICE)) == 0


def test_forget_needs_confirmation(engine: BotEngine) -> None:
    alice = busy_person(engine, ALICE)
    alice.say("/forget")
    alice.press("No, keep it")
    with engine.store.engine.connect() as connection:
        assert connection.scalar(select(func.count(User.id))) == 1


def test_claim_text_is_stored_only_after_consent(engine: BotEngine) -> None:
    person = Person(engine, ALICE)
    out = person.say("my neighbour says the moon landing was staged in a barn")
    assert "no fact-check for this yet" in out
    with engine.store.engine.connect() as connection:
        assert connection.scalar(select(func.count(QueuedClaim.id))) == 0
        # only an anonymous count of the check, with no text and no user
        row = connection.execute(select(CheckEvent)).one()
        assert row.tier == "none" and row.factcheck_id is None
    assert "editors will look at it" in person.press("Send it to the editors")
    with engine.store.engine.connect() as connection:
        assert connection.scalar(select(QueuedClaim.text)) == (
            "my neighbour says the moon landing was staged in a barn"
        )
    # The pending text is gone once used: a second tap stores nothing more.
    assert "send it once more" in person.send_payload(person.payload("send"))


def test_queued_claims_per_day_are_limited(engine: BotEngine, clock: Clock) -> None:
    person = Person(engine, ALICE)
    for n in range(engine.limits.queued_claims_per_day):
        person.say(f"unmatched claim number {n} about purple elephants")
        assert "editors will look" in person.press("Send it to the editors")
    person.say("one more unmatched claim about purple elephants")
    assert "try again tomorrow" in person.press("Send it to the editors")
    clock.advance(days=1, minutes=1)
    person.say("a later unmatched claim about purple elephants")
    assert "editors will look" in person.press("Send it to the editors")


def test_rate_limit_warns_once_then_stays_silent(engine: BotEngine, clock: Clock) -> None:
    from bot.config import LimitsSettings

    limited = BotEngine(engine.store, engine.content, clock, LimitsSettings(burst=3, per_minute=6))
    person = Person(limited, ALICE)
    for _ in range(3):
        assert person.say("/help")
    assert "faster than I can read" in person.say("/help")
    assert person.say("/help") == ""
    assert person.say("/help") == ""
    clock.advance(seconds=10)  # one token back
    assert "How to use civicbot" in person.say("/help")


def test_a_redelivered_event_counts_once(engine: BotEngine) -> None:
    person = Person(engine, ALICE)
    start_fixture_quiz(person)
    pick = next(b.payload for b in person.buttons if "reaction" in b.label)
    first = engine.handle(Incoming(ALICE, payload=pick, event_id="u-1001"))
    again = engine.handle(Incoming(ALICE, payload=pick, event_id="u-1001"))
    assert first and again == []
    from bot.storage.tables import Answer

    with engine.store.engine.connect() as connection:
        assert connection.scalar(select(func.count(Answer.id))) == 1


def test_purge_deletes_what_is_old(engine: BotEngine, clock: Clock) -> None:
    person = busy_person(engine, ALICE)
    clock.advance(days=200)
    Person(engine, BOB).say("/start")
    with engine.store.unit() as unit:
        counts = unit.privacy.purge(clock(), Retention(180, 180, 365, 730))
    assert counts["queued_claims"] == 1 and counts["feedback"] == 1
    assert counts.get("users", 0) == 0
    clock.advance(days=731)
    with engine.store.unit() as unit:
        counts = unit.privacy.purge(clock(), Retention(180, 180, 365, 730))
    assert counts["users"] == 2
    assert person.say("/progress")  # a new, empty account: nothing breaks


def test_address_box_round_trip_and_tamper() -> None:
    box = AddressBox(AddressBox.new_key())
    sealed = box.seal("123456789")
    assert "123456789" not in sealed
    assert box.open(sealed) == "123456789"
    assert box.open(sealed[:-2] + "xx") is None
    assert AddressBox(AddressBox.new_key()).open(sealed) is None


def test_reminders_need_an_address_and_reach_the_outbox(engine: BotEngine, clock: Clock) -> None:
    service = Service(engine, engine.store, None, Retention(180, 180, 365, 730))
    assert "need a chat app" in Person(engine, ALICE).say("/remind")
    address = AddressBox(AddressBox.new_key()).seal("42")
    person = Person(engine, BOB)
    person.address = address
    assert "Reminders are on" in person.say("/remind")
    start_fixture_quiz(person)
    person.press("A calm discussion")  # wrong: due again in a minute
    assert service.queue_reminders() == 0  # the reminder is for tomorrow
    clock.advance(days=1, minutes=1)
    assert service.queue_reminders() == 1
    assert service.queue_reminders() == 0  # next one tomorrow
    outgoing = service.claim_outbox(10)
    assert len(outgoing) == 1 and outgoing[0].address == address
    assert "1 question is due" in outgoing[0].reply.text
    assert service.claim_outbox(10) == []  # taken once
    service.finish_outbox(outgoing[0].id, sent=True)
    assert "reminders are off" in person.say("/remind")
    from bot.storage.tables import Subscription

    with engine.store.engine.connect() as connection:
        assert connection.scalar(select(func.count(Subscription.id))) == 0


def test_new_factcheck_notifies_the_asker(engine: BotEngine, clock: Clock) -> None:
    import dataclasses

    from bot.config import Settings
    from bot.engine.content import Content
    from bot.library.schema import FactCheck, SourceLink, Verdict

    service = Service(engine, engine.store, None, Retention(180, 180, 365, 730))
    address = AddressBox(AddressBox.new_key()).seal("42")
    person = Person(engine, ALICE)
    person.address = address
    person.say("the purple elephants of parliament are robots")
    person.press("Send it to the editors")
    assert "I will tell you" in person.press("Yes, tell me")
    assert service.answer_queued_claims() == 0
    library = engine.content.library
    fc = FactCheck(
        id="elephants",
        language="en",
        claim="The purple elephants of parliament are robots",
        verdict=Verdict.FALSE,
        answer="There are no elephants in parliament.",
        explanation="Parliament has no elephants.",
        sources=(SourceLink(title="Register of members", publisher="Parliament"),),
        published=dt.date(2026, 11, 1),
    )
    factchecks = {**library.factchecks, ("en", "elephants"): fc}
    grown = dataclasses.replace(library, factchecks=factchecks)
    engine.replace_content(Content.build(grown, "en", Settings().matching.thresholds))
    assert service.answer_queued_claims() == 1
    outgoing = service.claim_outbox(10)
    assert len(outgoing) == 1 and outgoing[0].address == address
    assert "A fact-check has been published" in outgoing[0].reply.text
    assert "no elephants in parliament" in outgoing[0].reply.text
    from bot.storage.tables import Subscription

    with engine.store.engine.connect() as connection:  # told: the address is gone
        assert connection.scalar(select(func.count(Subscription.id))) == 0
    assert service.answer_queued_claims() == 0
    _ = Store


def test_rows_that_name_nobody_keep_times_to_the_hour(engine: BotEngine, clock: Clock) -> None:
    from bot.storage.tables import CheckEvent, ProcessedEvent

    clock.advance(minutes=17, seconds=23, microseconds=456)
    engine.handle(Incoming(ALICE, text="5G towers cause COVID-19", event_id="tg:77"))
    with engine.store.engine.connect() as connection:
        times = [connection.scalar(select(CheckEvent.created_at))]
        times.append(connection.scalar(select(ProcessedEvent.processed_at)))
    for moment in times:
        assert moment is not None and (moment.minute, moment.second, moment.microsecond) == (
            0,
            0,
            0,
        )


def test_a_sent_message_keeps_no_address_and_opting_out_drops_what_waits(
    engine: BotEngine, clock: Clock
) -> None:
    from bot.storage.tables import Outbox

    service = Service(engine, engine.store, None, Retention(180, 180, 365, 730))
    person = Person(engine, BOB)
    person.address = AddressBox(AddressBox.new_key()).seal("42")
    person.say("/remind")
    start_fixture_quiz(person)
    person.press("A calm discussion")
    clock.advance(days=1, minutes=1)
    assert service.queue_reminders() == 1
    [sent] = service.claim_outbox(10)
    service.finish_outbox(sent.id, sent=True)
    clock.advance(days=1)
    assert service.queue_reminders() == 1  # tomorrow's waits, unsent
    person.say("/remind off")
    with engine.store.engine.connect() as connection:
        rows = connection.execute(select(Outbox.status, Outbox.address)).all()
    assert rows == [("sent", "")]


def test_the_export_leaves_out_the_pseudonym(engine: BotEngine) -> None:
    person = busy_person(engine, ALICE)
    person.say("/mydata")
    attachment = person.replies[0].attachment
    assert attachment is not None
    assert ALICE not in attachment.data.decode()
    assert "key" not in json.loads(attachment.data)["users"][0]
