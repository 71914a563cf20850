"""A claim taken to be sent to the editors is not lost when the database unit that took it
rolls back: it waits again, in memory or in Redis, for the next tap."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import func, select, text

from bot.config import Settings
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.library.catalog import Library
from bot.storage.pending import MemoryPending, PendingClaims, RedisPending
from bot.storage.tables import QueuedClaim
from bot.storage.unit import Store
from bot.testing.person import Person
from bot.testing.services import REDIS_URL, redis_problem, unavailable
from tests.conftest import UNLIMITED, Clock

REFUSE = {
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON queued_claims "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$",
        "CREATE TRIGGER refuse BEFORE INSERT ON queued_claims "
        "FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}
ACCEPT = {"sqlite": "DROP TRIGGER refuse", "postgresql": "DROP TRIGGER refuse ON queued_claims"}
CLAIM = "the river was poisoned on purpose by the neighbouring town council"


@pytest.fixture(params=["memory", "redis"])
def pending(request: pytest.FixtureRequest) -> PendingClaims:
    if request.param == "memory":
        return MemoryPending()
    problem = redis_problem()
    if problem:
        unavailable(problem)
    return RedisPending(REDIS_URL, uuid.uuid4().bytes * 2)


def queued(db_engine: DbEngine) -> int:
    with db_engine.connect() as connection:
        return int(connection.scalar(select(func.count(QueuedClaim.id))) or 0)


def test_a_claim_survives_a_rolled_back_send(
    db_engine: DbEngine, library: Library, clock: Clock, pending: PendingClaims
) -> None:
    content = Content.build(library, "en", Settings().matching.thresholds)
    engine = Engine(Store(db_engine), content, clock, UNLIMITED, pending=pending)
    person = Person(engine, key=uuid.uuid4().hex * 2)
    assert "no fact-check for this yet" in person.say(CLAIM)
    # The database refuses the claim (as a full disk would): the unit rolls back.
    with db_engine.begin() as connection:
        for statement in REFUSE[db_engine.dialect.name]:
            connection.execute(text(statement))
    assert "something went wrong" in person.press("Send it to the editors")
    assert queued(db_engine) == 0 and engine.failures == 1
    with db_engine.begin() as connection:
        connection.execute(text(ACCEPT[db_engine.dialect.name]))
    person.say("/menu")  # the person goes on; the claim still waits
    person.send_payload(person.payload("send"))
    assert queued(db_engine) == 1
    with db_engine.connect() as connection:
        assert connection.scalar(select(QueuedClaim.text)) == CLAIM
