"""Class quizzes as dialogs through the real engine and the service's job, on SQLite and
PostgreSQL: who may start one, what the group sees step by step, polls nobody answers, a bot
removed from its group, a stop, and what a vote adds to a voter's own progress."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bot.engine.classroom import PollState, PollVote
from bot.engine.classroom_steps import PollSpec
from bot.engine.engine import Engine
from bot.engine.events import ChatKind, Incoming, Reply
from bot.service import Service
from bot.service.classroom import PostedPoll
from bot.storage.keys import AddressBox
from bot.storage.privacy import Retention
from bot.testing.person import Person
from tests.conftest import Clock

TEACHER = "t" * 64
PUPIL = "p" * 64
GROUP = "g" * 64
GROUP_CHAT = "-100777"


class Group:
    """A group chat as the service reaches it: what it posted, and polls' fates scripted."""

    def __init__(self) -> None:
        self.posted: list[PollSpec | Reply] = []
        self.removed = False  # the bot was removed from the group
        self.final: dict[int, tuple[int, ...] | None] = {}  # message id -> counts at stopPoll

    async def send(self, address: str, replies: list[Reply]) -> bool:
        assert address == GROUP_CHAT
        if self.removed:
            return False
        self.posted += replies
        return True

    async def send_poll(self, address: str, poll: PollSpec) -> PostedPoll | None:
        assert address == GROUP_CHAT
        if self.removed:
            return None
        self.posted.append(poll)
        number = len(self.posted)
        return PostedPoll(f"poll-{number}", number)

    async def stop_poll(self, address: str, message_id: int) -> tuple[int, ...] | None:
        return self.final.get(message_id)

    @property
    def polls(self) -> list[PollSpec]:
        return [p for p in self.posted if isinstance(p, PollSpec)]

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.posted if isinstance(r, Reply)]


async def _run_here(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


class Room:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine, self.clock = engine, clock
        self.box = AddressBox(AddressBox.new_key())
        self.service = Service(engine, engine.store, self.box, Retention(180, 180, 365, 730))
        self.group = Group()

    def say(self, text: str, *, user: str = TEACHER, admin: bool = True) -> str:
        incoming = Incoming(
            user,
            text=text,
            chat=ChatKind.GROUP,
            group=GROUP,
            address=self.box.seal(GROUP_CHAT),
            chat_admin=admin,
            bot_name="civic_bot",
        )
        return "\n".join(reply.text for reply in self.engine.handle(incoming))

    def tick(self, **advance: float) -> None:
        self.clock.advance(**advance)
        asyncio.run(self.service.classroom.tick(self.group, _run_here))

    def state(self, poll: int, counts: tuple[int, ...], closed: bool = False) -> None:
        self.engine.classroom.poll_state(PollState(f"poll-{poll}", counts, closed))

    def vote(self, poll: int, who: str, name: str, option: int) -> None:
        self.engine.classroom.poll_vote(PollVote(f"poll-{poll}", who, name, (option,)))


@pytest.fixture
def room(engine: Engine, clock: Clock) -> Room:
    return Room(engine, clock)


def test_only_a_teacher_starts_a_class_quiz(room: Room) -> None:
    assert "Only an administrator" in room.say("/quiz basics-quiz", user=PUPIL, admin=False)
    assert "Only an administrator" in room.say("/quiz stop", user=PUPIL, admin=False)
    room.engine.admins = frozenset({PUPIL})  # a configured admin is a teacher anywhere
    assert "Class quiz: Emotional language quiz" in room.say(
        "/quiz basics-quiz", user=PUPIL, admin=False
    )


def test_the_teacher_is_told_what_there_is_and_what_went_wrong(room: Room) -> None:
    usage = room.say("/quiz")
    assert "<code>basics-quiz</code>: Emotional language quiz" in usage
    unknown = room.say("/quiz no-such-<quiz>")
    assert "no quiz with the ID “no-such-&lt;quiz&gt;”" in unknown
    assert "<code>basics-quiz</code>" in unknown
    assert "Class quiz" in room.say("/quiz BASICS-QUIZ")
    assert "already running" in room.say("/quiz basics-quiz")
    outside = Incoming(TEACHER, text="/quiz basics-quiz", chat=ChatKind.GROUP, chat_admin=True)
    [reply] = room.engine.handle(outside)  # a transport that cannot post polls
    assert "works only in a Telegram group" in reply.text


def test_a_quiz_runs_question_by_question_to_its_summary(room: Room) -> None:
    intro = room.say("/quiz basics-quiz")
    assert "2 questions as quiz polls, 30 seconds each, and 2 for private practice" in intro
    assert "anonymous" in intro and "everyone in this group can see" not in intro
    room.tick()
    [first] = room.group.polls
    assert first == PollSpec(
        "1/4. What does emotional language aim for?",
        ("A reaction before thought", "A calm discussion"),
        0,
        "Emotional words make people share before they check.",
        30,
        anonymous=True,
    )
    room.state(1, (3, 1))
    room.state(1, (2, 1))  # a late, older update never lowers a count
    room.tick(seconds=10)
    assert len(room.group.posted) == 1  # its time is not up
    room.tick(seconds=25)
    note, third = room.group.posted[1:]
    assert isinstance(note, Reply) and "Question 2 of 4" in note.text
    assert "cannot be a poll" in note.text
    assert isinstance(third, PollSpec) and third.options == ("True", "False")
    room.state(3, (1, 3))  # as many as answered question 1: it closes in a moment
    room.tick(seconds=4)
    *_, last_note, summary = room.group.texts
    assert "Question 4 of 4" in last_note
    assert "4 people took part" in summary
    assert "1. What does emotional language aim for?: 3 of 4 right (75%)" in summary
    assert "3. Fear spreads faster online than calm facts.: 1 of 4 right (25%)" in summary
    assert "hardest was question 3" in summary
    assert "Leaderboard" not in summary
    assert "Class quiz" in room.say("/quiz basics-quiz")  # the group may start another


def test_polls_nobody_answers_end_in_a_summary_that_says_so(room: Room) -> None:
    room.say("/quiz basics-quiz")
    room.tick()
    room.tick(seconds=33)
    room.tick(seconds=33)
    summary = room.group.texts[-1]
    assert "Nobody answered." in summary
    assert "1. What does emotional language aim for?: no answers" in summary
    assert "hardest" not in summary


def test_a_stop_closes_the_open_poll_and_sums_up(room: Room) -> None:
    room.say("/quiz basics-quiz")
    room.tick()
    room.group.final[1] = (1, 1)  # what stopPoll reports
    assert "Ending the quiz now" in room.say("/quiz stop")
    room.tick()
    summary = room.group.texts[-1]
    assert "Ended after 1 of 4 questions." in summary
    assert "1 of 2 right (50%)" in summary
    assert "2. Which are warning signs?: <i>not asked</i>" in summary
    assert len(room.group.polls) == 1
    assert "No quiz is running" in room.say("/quiz stop")


def test_a_bot_removed_from_its_group_drops_the_quiz_quietly(room: Room) -> None:
    room.say("/quiz basics-quiz")
    room.tick()
    room.group.removed = True
    room.tick(seconds=33)
    assert len(room.group.posted) == 1
    assert "Class quiz" in room.say("/quiz basics-quiz")  # nothing left of the old one


def test_a_leaderboard_counts_votes_and_only_account_holders_progress(room: Room) -> None:
    Person(room.engine, PUPIL).say("/start")  # the pupil has started the bot privately
    intro = room.say("/quiz basics-quiz leaderboard")
    assert "everyone in this group can see who chose which answer" in intro
    room.tick()
    assert room.group.polls[0].anonymous is False
    stranger = "s" * 64
    room.vote(1, PUPIL, "Pia", 0)
    room.vote(1, stranger, "Sam", 1)
    room.tick(seconds=33)
    room.vote(3, PUPIL, "Pia", 1)  # wrong: the answer is "true"
    room.vote(3, stranger, "Sam", 0)
    room.tick(seconds=33)
    summary = room.group.texts[-1]
    assert "<b>Leaderboard</b>\n1. Pia: 1 right\n2. Sam: 1 right" in summary
    with room.engine.store.unit(write=False) as unit:
        assert unit.users.find_user(stranger) is None  # no trace of who never started the bot
        pupil = unit.users.find_user(PUPIL)
        assert pupil is not None
        assert unit.quizzes.progress(pupil).answers == 2
        assert unit.reviews.next_due(pupil) is not None  # the questions come back


def test_a_restarted_engine_has_no_names_and_says_so(room: Room, clock: Clock) -> None:
    room.say("/quiz basics-quiz leaderboard")
    room.tick()
    restarted = Engine(room.engine.store, room.engine.content, clock, room.engine.limits)
    room.engine = restarted
    room.service = Service(restarted, restarted.store, room.box, Retention(180, 180, 365, 730))
    room.vote(1, PUPIL, "Pia", 0)
    room.tick(seconds=33)
    room.tick(seconds=33)
    summary = room.group.texts[-1]
    assert "The leaderboard is missing" in summary and "Pia" not in summary


def test_a_vote_before_its_poll_is_recorded_still_counts(room: Room) -> None:
    room.say("/quiz basics-quiz leaderboard")
    room.vote(1, PUPIL, "Pia", 0)  # faster than the bot's record of its poll
    room.state(1, (1, 0))
    room.tick()
    room.tick(seconds=33)
    room.tick(seconds=33)
    summary = room.group.texts[-1]
    assert "1. Pia: 1 right" in summary
    assert "1. What does emotional language aim for?: 1 of 1 right (100%)" in summary


def test_a_quiz_in_a_private_chat_is_practice(engine: Engine) -> None:
    pupil = Person(engine, PUPIL)
    assert "Emotional language quiz" in pupil.say("/quiz basics-quiz")
    assert "A reaction before thought" in pupil.labels()
    # The summary's link: the quiz already open goes on where the person stopped.
    again = pupil.say("/start quiz_basics-quiz")
    assert "Continuing where you stopped" in again and "emotional language aim for" in again
    assert "no quiz with the ID “nothing”" in pupil.say("/start quiz_nothing")
    assert "• basics-quiz: Emotional language quiz" in pupil.say("/quiz")
