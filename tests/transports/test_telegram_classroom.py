"""A class takes a quiz together in its Telegram group, over the loopback Bot API: polls out,
votes in, a summary that adds up, nothing about any member in the database, and a restart in the
middle that the quiz survives."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from bot.config import LimitsSettings, Settings
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.library.loader import load_library_or_raise
from bot.storage import db
from bot.storage.keys import AddressBox
from bot.storage.tables import Answer, QuizAttempt, User
from bot.storage.unit import Store
from bot.testing.fakebotapi import Call, FakeBotApi, Group, Person, text_message
from bot.testing.harness import RunningBot
from tests.conftest import Clock, make_library

CLASS = Group(-1_009_988_776_655, "Class 7b")
TEACHER = Person(5_550_000_999, "Tamara", "en", "Teacherova", "tamara_teaches")
MEMBERS = [
    Person(5_550_001_000 + n, f"Pupil{n:02d}", "en", f"Surname{n:02d}", f"pupil_handle_{n:02d}")
    for n in range(25)
]
LIMITS = LimitsSettings(burst=100_000, class_question_seconds=600)
OPEN_PERIOD_SECONDS = 600


class Classroom:
    """A real engine on SQLite (the same file across restarts) and the fake Bot API."""

    def __init__(self, tmp_path: Path, fake: FakeBotApi) -> None:
        self.fake = fake
        self.root = make_library(tmp_path)
        self.url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
        self.database = db.open_engine(self.url)
        db.upgrade(self.database)
        self.key = AddressBox.new_key()
        self.clock = Clock()
        fake.add_chat(CLASS.chat())
        fake.set_status(CLASS.id, TEACHER.id, "administrator")

    def engine(self) -> Engine:
        """A fresh engine, as a restarted bot has: nothing in memory from before."""
        library = load_library_or_raise(self.root)
        content = Content.build(library, "en", Settings().matching.thresholds)
        return Engine(Store(self.database), content, self.clock, LIMITS)

    def bot(self, engine: Engine | None = None) -> RunningBot:
        return RunningBot(self.fake, engine or self.engine(), address_key=self.key)

    def say(self, person: Person, words: str) -> None:
        self.fake.push_message(text_message(person, words, group=CLASS))

    def polls(self, count: int) -> list[Call]:
        return self.fake.wait_for("sendPoll", count, timeout=15)

    def poll_id(self, number: int) -> str:
        """The id of the bot's `number`th poll, once the bot has recorded it (its time runs
        from then, so the test clock must not move before)."""
        poll_id = str(self.polls(number)[number - 1].result["poll"]["id"])
        deadline = time.monotonic() + 15
        while poll_id not in self.stored_values():
            assert time.monotonic() < deadline, f"{poll_id} was never recorded"
            time.sleep(0.05)
        return poll_id

    def vote(self, poll_id: str, answers: dict[int, int]) -> None:
        """Member number -> option index; members not listed never answer."""
        for member, option in answers.items():
            assert self.fake.vote(MEMBERS[member].user(), poll_id, option)
        self.fake.wait_idle()

    def texts(self) -> list[str]:
        return [
            call.params["text"]
            for call in self.fake.calls("sendMessage")
            if call.params.get("chat_id") == CLASS.id
        ]

    def wait_text(self, pattern: str, timeout: float = 15) -> Call:
        [call] = self.fake.wait_for(
            "sendMessage",
            where=lambda c: (
                c.params.get("chat_id") == CLASS.id
                and re.search(pattern, c.params["text"]) is not None
            ),
            timeout=timeout,
        )
        return call

    def stored_values(self) -> str:
        """Every value in every table, as text, for a search."""
        found = []
        with self.database.connect() as connection:
            for table in inspect(self.database).get_table_names():
                for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                    found += [repr(value) for value in row]
        return "\n".join(found)

    def assert_nothing_about_members(self) -> None:
        stored = self.stored_values()
        for person in [TEACHER, *MEMBERS]:
            for secret in (str(person.id), person.first_name, person.last_name, person.username):
                assert secret not in stored, f"{secret!r} is stored"
        assert str(CLASS.id) not in stored and str(abs(CLASS.id)) not in stored
        assert CLASS.title not in stored


@pytest.fixture
def room(tmp_path: Path, fake_api: FakeBotApi) -> Classroom:
    return Classroom(tmp_path, fake_api)


def _right(n: int) -> dict[int, int]:
    return dict.fromkeys(range(n), 0)


def test_a_class_of_25_takes_a_quiz_and_gets_a_true_summary(room: Classroom) -> None:
    with room.bot():
        room.say(TEACHER, "/quiz basics-quiz")
        intro = room.wait_text("Class quiz: Emotional language quiz")
        assert "2 questions as quiz polls" in intro.params["text"]
        assert "anonymous" in intro.params["text"]
        first = room.polls(1)[0]
        assert first.params["type"] == "quiz"
        assert first.params["is_anonymous"] is True
        assert first.params["question"] == "1/4. What does emotional language aim for?"
        assert first.params["correct_option_ids"] == [0]
        assert first.params["open_period"] == OPEN_PERIOD_SECONDS
        assert first.params["explanation"] == "Emotional words make people share before they check."
        # Question 1: 18 right, 4 wrong, 3 never answer.
        room.vote(room.poll_id(1), {**_right(18), 18: 1, 19: 1, 20: 1, 21: 1})
        room.assert_nothing_about_members()
        room.clock.advance(seconds=OPEN_PERIOD_SECONDS + 3)  # its time is up
        room.wait_text(r"Question 2 of 4.*\n.*Which are warning signs")  # multiple choice
        room.poll_id(2)
        third = room.polls(2)[1]
        assert third.params["question"].startswith("3/4. Fear spreads faster")
        assert [o["text"] for o in third.params["options"]] == ["True", "False"]
        assert third.params["correct_option_ids"] == [0]  # the answer is "true"
        # Question 3: all 22 who answered before answer again, only 9 right: it closes early.
        room.vote(room.poll_id(2), {**_right(9), **dict.fromkeys(range(9, 22), 1)})
        room.clock.advance(seconds=4)
        summary = room.wait_text("Class quiz finished").params
    assert room.fake.calls("stopPoll")  # each poll was closed by the bot, with its counts
    body = summary["text"]
    assert body.startswith("<b>Class quiz finished: Emotional language quiz</b>\n22 people took")
    assert (
        "\n\n1. What does emotional language aim for?: 18 of 22 right (82%)\n"
        "2. Which are warning signs?: <i>for private practice</i>\n"
        "3. Fear spreads faster online than calm facts.: 9 of 22 right (41%)\n"
        "4. Name the four-step habit for checking claims.: <i>for private practice</i>\n"
    ) in body
    assert "hardest was question 3" in body
    assert "False news travelled faster than true news" in body  # its explanation, in full
    [[link]] = summary["reply_markup"]["inline_keyboard"]
    assert link["url"] == "https://t.me/civic_test_bot?start=quiz_basics-quiz"
    room.assert_nothing_about_members()
    with room.database.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM class_runs")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM users")).scalar() == 1  # teacher


def test_a_leaderboard_names_the_best_and_counts_only_for_those_who_started_the_bot(
    room: Classroom,
) -> None:
    with room.bot():
        for member in MEMBERS[:3]:  # three have talked to the bot privately before
            room.fake.push_message(text_message(member, "/start"))
        room.fake.wait_idle()
        room.say(TEACHER, "/quiz basics-quiz leaderboard")
        intro = room.wait_text("Class quiz")
        assert "everyone in this group can see who chose which answer" in intro.params["text"]
        first = room.polls(1)[0]
        assert first.params["is_anonymous"] is False
        # Pupil00 and Pupil03 answer both right; Pupil01 one; Pupil02 none; Pupil04 only once.
        room.vote(room.poll_id(1), {0: 0, 1: 0, 2: 1, 3: 0, 4: 0})
        room.clock.advance(seconds=OPEN_PERIOD_SECONDS + 3)
        room.vote(room.poll_id(2), {0: 0, 1: 1, 2: 1, 3: 0})
        room.clock.advance(seconds=OPEN_PERIOD_SECONDS + 3)
        summary = room.wait_text("Class quiz finished").params["text"]
    assert re.search(r"Leaderboard.*\n1\. Pupil00: 2 right\n2\. Pupil03: 2 right\n", summary)
    assert "3. Pupil01: 1 right\n4. Pupil04: 1 right\n5. Pupil02: 0 right" in summary
    assert "Surname" not in summary and "pupil_handle" not in summary
    room.assert_nothing_about_members()
    with Session(room.database) as session:
        users = session.scalars(select(User)).all()
        assert len(users) == 4  # the teacher and the three who started the bot; nobody else
        attempts = session.scalars(select(QuizAttempt).where(QuizAttempt.kind == "class")).all()
        answers = session.scalars(select(Answer)).all()
    assert len(attempts) == 6 and len(answers) == 6  # Pupil00..02, two questions each
    assert sorted(a.score for a in answers) == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]


def test_a_restart_mid_quiz_resumes_it(room: Classroom) -> None:
    with room.bot():
        room.say(TEACHER, "/quiz basics-quiz leaderboard")
        room.vote(room.poll_id(1), {**_right(5), 5: 1})
    # The bot is down; two more answer meanwhile, and Telegram keeps the updates.
    assert room.fake.vote(MEMBERS[6].user(), room.poll_id(1), 0)
    assert room.fake.vote(MEMBERS[7].user(), room.poll_id(1), 1)
    room.clock.advance(seconds=OPEN_PERIOD_SECONDS + 3)
    with room.bot():
        room.vote(room.poll_id(2), _right(8))  # the next poll came after the first closed
        room.clock.advance(seconds=4)
        summary = room.wait_text("Class quiz finished").params["text"]
    assert "1. What does emotional language aim for?: 6 of 8 right (75%)" in summary
    assert "3. Fear spreads faster online than calm facts.: 8 of 8 right (100%)" in summary
    assert "The leaderboard is missing: the bot restarted" in summary  # names were not kept
    assert len(room.fake.calls("sendPoll")) == 2  # no question was posted twice
    room.assert_nothing_about_members()


def test_a_quiz_the_bot_was_away_from_for_hours_ends_with_what_was_answered(
    room: Classroom,
) -> None:
    with room.bot():
        room.say(TEACHER, "/quiz basics-quiz")
        room.vote(room.poll_id(1), {0: 0, 1: 1})
    room.clock.advance(hours=3)
    with room.bot():
        summary = room.wait_text("Class quiz finished").params["text"]
    assert "Ended after 1 of 4 questions." in summary
    assert "1 of 2 right (50%)" in summary
    assert "3. Fear spreads faster online than calm facts.: <i>not asked</i>" in summary
    assert len(room.fake.calls("sendPoll")) == 1


def test_only_a_group_admin_starts_a_class_quiz_and_a_teacher_leaving_changes_nothing(
    room: Classroom,
) -> None:
    with room.bot():
        room.say(MEMBERS[0], "/quiz basics-quiz")
        refused = room.wait_text("Only an administrator")
        assert refused.params["chat_id"] == CLASS.id
        room.say(TEACHER, "/quiz basics-quiz")
        room.polls(1)
        room.fake.set_status(CLASS.id, TEACHER.id, "left")  # the teacher leaves the group
        room.say(MEMBERS[0], "/quiz stop")
        room.wait_text("Only an administrator", timeout=5)
        room.vote(room.poll_id(1), {0: 0})
        room.fake.expire(room.poll_id(1))  # Telegram closes it when its time is up
        room.fake.wait_idle()
        room.poll_id(2)  # the next question follows without waiting for the clock
        room.clock.advance(seconds=OPEN_PERIOD_SECONDS + 3)  # nobody answers question 3
        summary = room.wait_text("Class quiz finished").params["text"]
    assert "1 person took part" in summary
    assert "1 of 1 right (100%)" in summary
    assert "3. Fear spreads faster online than calm facts.: no answers" in summary
    assert "hardest" not in summary
    asked = [c.params["user_id"] for c in room.fake.calls("getChatMember")]
    assert asked == [MEMBERS[0].id, TEACHER.id, MEMBERS[0].id]  # only for /quiz, each time
