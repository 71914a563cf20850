"""Store operations on real databases."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import Engine, func, select

from bot.storage.tables import User
from bot.storage.unit import Store

NOW = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)


def test_user_is_created_once_and_times_are_utc(db_engine: Engine) -> None:
    store = Store(db_engine)
    with store.unit() as unit:
        first = unit.users.user("k" * 64, NOW)
        first_id = first.id
    with store.unit() as unit:
        again = unit.users.user("k" * 64, NOW + dt.timedelta(days=1))
        assert again.id == first_id
        assert again.created_at == NOW
        assert again.created_at.tzinfo is not None
    with db_engine.connect() as connection:
        assert connection.scalar(select(func.count(User.id))) == 1


def test_a_failed_unit_leaves_nothing(db_engine: Engine) -> None:
    store = Store(db_engine)
    try:
        with store.unit() as unit:
            unit.users.user("x" * 64, NOW)
            raise RuntimeError
    except RuntimeError:
        pass
    with db_engine.connect() as connection:
        assert connection.scalar(select(func.count(User.id))) == 0


def test_attempts_answers_and_progress(db_engine: Engine) -> None:
    store = Store(db_engine)
    with store.unit() as unit:
        user = unit.users.user("p" * 64, NOW)
        attempt = unit.quizzes.start_attempt(user, "quiz", "en", ["a", "b"], NOW)
        unit.quizzes.record_answer(attempt, "quiz", "a", [0], 1.0, NOW)
        attempt.position = 1
        unit.quizzes.record_answer(attempt, "quiz", "b", [1], 0.5, NOW)
        attempt.finished_at = NOW
        unit.lessons.open_lesson(user, "intro", "en", NOW)
        unit.lessons.complete_lesson(user, "intro", "en", NOW)
        unit.lessons.complete_lesson(user, "other", "en", NOW)
        unit.lessons.open_lesson(user, "started", "en", NOW)
        second = unit.quizzes.start_attempt(user, "quiz", "en", ["a"], NOW, retry_of=attempt.id)
        answer = unit.quizzes.record_answer(second, "quiz", "a", [0], 1.0, NOW)
        assert answer.first_attempt is False
        progress = unit.quizzes.progress(user)
        completed = unit.lessons.lessons_completed(user)
    assert progress.lessons_completed == completed == {"intro", "other"}
    assert "started" in progress.lessons_started
    assert [(q.quiz_id, q.right, q.questions) for q in progress.quizzes] == [("quiz", 1, 2)]
    assert progress.answers == 3
    assert progress.right == 2


def test_starting_a_quiz_finishes_the_abandoned_one(db_engine: Engine) -> None:
    store = Store(db_engine)
    with store.unit() as unit:
        user = unit.users.user("q" * 64, NOW)
        first = unit.quizzes.start_attempt(user, "one", "en", ["a"], NOW)
        second = unit.quizzes.start_attempt(user, "two", "en", ["a"], NOW)
        assert first.finished_at == NOW
        assert unit.quizzes.current_attempt(user) is second


def test_one_persons_units_never_overlap_so_no_change_is_lost(db_engine: Engine) -> None:
    """Two units change the same person at once, the first slowly: the second waits for it
    (SQLite: the write lock is taken when a unit begins; PostgreSQL: the row lock), so both
    changes count."""
    store = Store(db_engine)
    with store.unit() as unit:
        unit.users.user("k" * 64, NOW)
    read, second_done, failures = threading.Event(), threading.Event(), []

    def change(first: bool) -> None:
        if not first:
            read.wait(5)
        try:
            with store.unit() as unit:
                user = unit.users.user("k" * 64, NOW)
                if first:
                    read.set()
                    # Give the second unit every chance to read and change the same row now:
                    # without the lock it finishes here (and its change is then overwritten);
                    # with the lock it cannot, and this waits out the whole second.
                    second_done.wait(1.0)
                unit.users.bump(user)
        except Exception as exc:
            failures.append(exc)
        finally:
            if not first:
                second_done.set()

    threads = [threading.Thread(target=change, args=(first,)) for first in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert failures == []
    with db_engine.connect() as connection:
        assert connection.scalar(select(User.seq)) == 2


def test_a_unit_that_only_reads_does_not_hold_up_writers(db_engine: Engine) -> None:
    store = Store(db_engine)
    written = threading.Event()

    def write() -> None:
        with store.unit() as unit:
            unit.users.user("w" * 64, NOW)
        written.set()

    with store.unit(write=False) as reading:
        assert reading.users.find_user("w" * 64) is None
        writer = threading.Thread(target=write)
        writer.start()
        assert written.wait(5)  # a writing unit here would have made it wait for this one
        assert reading.users.find_user("w" * 64) is None  # one snapshot for the whole report
    writer.join()


def test_two_units_creating_the_same_person_at_once_make_one_row(db_engine: Engine) -> None:
    store = Store(db_engine)
    start, ids, failures = threading.Barrier(2), [], []

    def create() -> None:
        start.wait()
        try:
            with store.unit() as unit:
                ids.append(unit.users.user("n" * 64, NOW).id)
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert failures == [] and len(ids) == 2 and ids[0] == ids[1]
    with db_engine.connect() as connection:
        assert connection.scalar(select(func.count(User.id))) == 1


def _stored(db_engine: Engine, key: str) -> dict[str, object]:
    users = User.__table__
    with db_engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.key == key)).mappings().one()
    return dict(row)


def test_what_a_unit_changes_in_its_person_is_stored_when_it_ends(db_engine: Engine) -> None:
    store = Store(db_engine)
    with store.unit() as unit:
        unit.users.user("c" * 64, NOW)
    before = _stored(db_engine, "c" * 64)
    with store.unit() as unit:
        user = unit.users.user("c" * 64, NOW)
        unit.users.bump(user)
        unit.lessons.open_lesson(user, "intro", "en", NOW)  # a query while the change is pending
        user.lesson_card, user.language, user.awaiting = 2, "ru", "reason:1"
        user.rate_tokens, user.rate_at, user.last_seen_on = 4.5, NOW, NOW.date()
        assert _stored(db_engine, "c" * 64) == before  # nothing is visible before the commit
    after = _stored(db_engine, "c" * 64)
    assert after == {
        **before,
        "seq": 1,
        "lesson_id": "intro",
        "lesson_card": 2,
        "language": "ru",
        "awaiting": "reason:1",
        "rate_tokens": 4.5,
        "rate_at": NOW,
        "last_seen_on": NOW.date(),
    }
    with store.unit() as unit:
        again = unit.users.user("c" * 64, NOW)
        assert (again.seq, again.rate_at, again.language) == (1, NOW, "ru")
        again.awaiting = None
    assert _stored(db_engine, "c" * 64)["awaiting"] is None


def test_a_failed_unit_stores_no_change_to_its_person(db_engine: Engine) -> None:
    store = Store(db_engine)
    with store.unit() as unit:
        unit.users.user("f" * 64, NOW)
    try:
        with store.unit() as unit:
            user = unit.users.user("f" * 64, NOW)
            unit.users.bump(user)
            unit.privacy.export_json(user)  # writes the change within the unit...
            raise RuntimeError
    except RuntimeError:
        pass
    assert _stored(db_engine, "f" * 64)["seq"] == 0  # ...which is rolled back with it


def test_an_export_shows_the_person_as_the_unit_left_them_and_an_erase_leaves_nothing(
    db_engine: Engine,
) -> None:
    store = Store(db_engine)
    with store.unit() as unit:
        user = unit.users.user("e" * 64, NOW)
        user.language = "ru"
        unit.users.bump(user)
        exported = json.loads(unit.privacy.export_json(user))
        assert [(row["language"], row["seq"]) for row in exported["users"]] == [("ru", 1)]
        unit.privacy.erase(user)
        user.rate_tokens = 1.0  # the engine writes the rate limit last, after an erase too
    with db_engine.connect() as connection:
        assert connection.scalar(select(func.count(User.id))) == 0


def test_a_person_is_read_and_changed_first_thing_in_a_new_process(tmp_path: Path) -> None:
    """The person's row is the first thing a unit reads, before anything else of the ORM is used
    (which sets up the mapped classes): in a process that has done nothing else yet."""
    script = f"""
import datetime as dt
from bot.storage import db
from bot.storage.unit import Store
engine = db.open_engine("sqlite:///{tmp_path / "fresh.sqlite3"}")
db.upgrade(engine)
now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
with Store(engine).unit() as unit:
    user = unit.users.user("z" * 64, now)
    user.seq += 1
with Store(engine).unit() as unit:
    print(unit.users.user("z" * 64, now).seq)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert (done.returncode, done.stdout.strip()) == (0, "1"), done.stderr
