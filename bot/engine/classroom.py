"""A quiz a whole class takes in its group: `/quiz <id>` from a teacher, polls, a summary.

A teacher (a configured admin, or an administrator of the group as the transport found out) starts
a quiz in a group; the service then posts its questions one by one as quiz polls and, at the end,
a summary (see classroom_steps). This module handles what arrives: the command, the polls' new
counts, and single votes.

Privacy: the group is known by a keyed hash and reached through a sealed address; what is stored
is per-question option counts, nothing about who answered. Votes arrive one by one only from
polls that are not anonymous, which are sent only when the teacher asked for a leaderboard (the
start message says everyone then sees who chose what). Their first names are kept in this
process's memory for the final message only. A vote counts toward the voter's own progress only
when the voter already has an account with the bot.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.engine import quizzes
from bot.engine.classroom_steps import PRACTICE_PREFIX, choice_of, is_right, poll_options
from bot.engine.content import Content
from bot.engine.context import Context, FixedVoice
from bot.engine.events import ChatKind, Reply
from bot.engine.menu import main_menu
from bot.library.schema import Quiz
from bot.storage import Store

log = logging.getLogger(__name__)

STOP_WORDS = frozenset({"stop", "end"})
LEADERBOARD_WORDS = frozenset({"leaderboard", "board", "рейтинг"})
# A poll every expected person has answered closes this long after the last answer.
EARLY_CLOSE = dt.timedelta(seconds=3)


@dataclass(frozen=True)
class PollState:
    """A poll's counts as Telegram reports them now (absolute, so repeats are harmless)."""

    poll_id: str
    counts: tuple[int, ...]
    closed: bool
    event_id: str | None = None


@dataclass(frozen=True)
class PollVote:
    """One person's answer to a poll that is not anonymous. `user` is their pseudonym; `name`
    their first name, for the leaderboard only."""

    poll_id: str
    user: str
    name: str
    options: tuple[int, ...]
    event_id: str | None = None


class Leaderboard:
    """Who got how many right, by first name, in this process's memory only.

    A board exists only for a run whose first poll this process posted: after a restart the run
    goes on but its board is gone, and the summary says so rather than show a partial one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[int, dict[str, tuple[str, int]]] = {}

    def open(self, run_id: int) -> None:
        with self._lock:
            self._runs.setdefault(run_id, {})

    def count(self, run_id: int, who: str, name: str, right: bool) -> None:
        with self._lock:
            board = self._runs.get(run_id)
            if board is None:
                return
            _, points = board.get(who, (name, 0))
            board[who] = (name, points + right)

    def take(self, run_id: int) -> list[tuple[str, int]] | None:
        """The standings, best first, and the board forgotten; None if there was none."""
        with self._lock:
            board = self._runs.pop(run_id, None)
        if board is None:
            return None
        return sorted(board.values(), key=lambda row: (-row[1], row[0].casefold()))


# the command ----------------------------------------------------------------------------------


def command(ctx: Context, rest: str) -> list[Reply]:
    """`/quiz <id> [leaderboard]` or `/quiz stop` in a group; `/quiz <id>` alone in private."""
    words = rest.lower().split()
    if ctx.incoming.chat is ChatKind.PRIVATE:
        return practise(ctx, words[0] if words else "")
    if not (ctx.is_admin or ctx.incoming.chat_admin):
        return [Reply(ctx.t("classroom.teachers_only"))]
    group, address = ctx.incoming.group, ctx.incoming.address
    if group is None or address is None:
        return [Reply(ctx.t("classroom.unavailable"))]
    if not words:
        return [usage(ctx)]
    if words[0] in STOP_WORDS:
        return stop(ctx, group)
    quiz = find_quiz(ctx.content, ctx.lang, words[0])
    if quiz is None:
        return [Reply(ctx.t_fresh("classroom.unknown", wanted=words[0][:40])), usage(ctx)]
    if ctx.unit.classroom.for_group(group) is not None:
        return [Reply(ctx.t("classroom.running"))]
    voice = FixedVoice(ctx.content, quiz.language)
    polls = sum(poll_options(voice, question) is not None for question in quiz.questions)
    if not polls:
        return [Reply(ctx.t("classroom.no_polls", title=quiz.title))]
    leaderboard = any(word in LEADERBOARD_WORDS for word in words[1:])
    seconds = ctx.limits.class_question_seconds
    ctx.unit.classroom.start(
        group_key=group,
        address=address,
        bot_name=ctx.incoming.bot_name,
        quiz_id=quiz.id,
        language=quiz.language,
        question_ids=[question.id for question in quiz.questions],
        leaderboard=leaderboard,
        seconds=seconds,
        now=ctx.now,
    )
    intro = ctx.t(
        "classroom.intro",
        title=quiz.title,
        polls=polls,
        practice=len(quiz.questions) - polls,
        seconds=seconds,
        leaderboard=leaderboard,
    )
    return [Reply(intro)]


def stop(ctx: Context, group: str) -> list[Reply]:
    """End the group's quiz now: the service closes the open poll and posts the summary."""
    run = ctx.unit.classroom.for_group(group, lock=True)
    if run is None:
        return [Reply(ctx.t("classroom.nothing_running"))]
    run.ending, run.next_at = True, ctx.now
    return [Reply(ctx.t("classroom.stopping"))]


def usage(ctx: Context) -> Reply:
    quizzes = sorted(ctx.content.library.quizzes_in(ctx.lang), key=lambda quiz: quiz.id)
    listed = [{"id": quiz.id, "title": quiz.title} for quiz in quizzes]
    return Reply(ctx.t("classroom.usage", quizzes=listed))


def find_quiz(content: Content, language: str, quiz_id: str) -> Quiz | None:
    """The quiz in `language`, else in any language (a teacher may run a quiz in another)."""
    quizzes = content.library.quizzes
    found = quizzes.get((language, quiz_id))
    if found is not None:
        return found
    return next((quiz for (_, qid), quiz in sorted(quizzes.items()) if qid == quiz_id), None)


def practise(ctx: Context, wanted: str) -> list[Reply]:
    """The quiz by id, privately (the summary's link and `/quiz <id>` in the private chat)."""
    quiz_id = wanted.removeprefix(PRACTICE_PREFIX)
    if (ctx.lang, quiz_id) in ctx.content.library.quizzes:
        return quizzes.start_quiz(ctx, quiz_id)
    if not quiz_id:
        return [usage(ctx)]
    return [Reply(ctx.t_fresh("classroom.unknown", wanted=quiz_id[:40])), *main_menu(ctx)]


# what arrives from the polls ------------------------------------------------------------------


class ClassEvents:
    """Poll updates into per-question counts (and votes into the leaderboard and progress)."""

    def __init__(
        self, store: Store, content: Callable[[], Content], clock: Callable[[], dt.datetime]
    ) -> None:
        self._store = store
        self._content = content
        self._clock = clock
        self.board = Leaderboard()
        self._early = _Early()
        self.failures = 0

    def poll_state(self, state: PollState) -> None:
        self._guarded(lambda: self._poll_state(state))

    def poll_vote(self, vote: PollVote) -> None:
        self._guarded(lambda: self._poll_vote(vote))

    def _guarded(self, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception as exc:  # one bad update must not stop the bot; log no content
            self.failures += 1
            log.error("a poll update failed: %s", type(exc).__name__)
            log.debug("a poll update failed", exc_info=True)

    def adopted(self, poll_id: str) -> None:
        """The service has recorded a poll it posted: what arrived for it before is handled
        now (the fastest voters can beat that record)."""
        for event in self._early.take(poll_id):
            if isinstance(event, PollState):
                self.poll_state(event)
            else:
                self.poll_vote(event)

    def _poll_state(self, state: PollState) -> None:
        now = self._clock()
        with self._store.unit() as unit:
            run = unit.classroom.by_poll(state.poll_id)
            if run is None:  # not recorded yet, or not ours (then it is soon forgotten)
                self._early.keep(state.poll_id, state)
                return
            if state.event_id and not unit.users.first_time(state.event_id, now):
                return
            question_id = run.polls[state.poll_id]
            merged = merge_counts(run.counts.get(question_id), state.counts)
            run.counts = {**run.counts, question_id: merged}
            if state.poll_id != run.poll_id:
                return  # an earlier question: its count only
            if state.closed:
                run.next_at = min(run.next_at, now)
            elif run.expected and sum(merged) >= run.expected:
                run.next_at = min(run.next_at, now + EARLY_CLOSE)

    def _poll_vote(self, vote: PollVote) -> None:
        now = self._clock()
        with self._store.unit() as unit:
            run = unit.classroom.by_poll(vote.poll_id)
            if run is None:
                self._early.keep(vote.poll_id, vote)
                return
            if vote.event_id and not unit.users.first_time(vote.event_id, now):
                return
            library = self._content().library
            question = library.question(run.language, run.quiz_id, run.polls[vote.poll_id])
            if question is None or len(vote.options) != 1:
                return
            option = vote.options[0]
            right = is_right(question, option)
            board = run.id if run.leaderboard else None
            user = unit.users.find_user(vote.user)
            if user is not None:  # a classmate who never started the bot leaves no trace
                attempt = unit.classroom.practice_attempt(
                    user, run.quiz_id, run.language, question.id, now
                )
                choices = [choice_of(question, option)]
                score = 1.0 if right else 0.0
                unit.quizzes.record_answer(attempt, run.quiz_id, question.id, choices, score, now)
        if board is not None:  # counted once the vote is committed as handled
            self.board.count(board, vote.user, vote.name, right)


class _Early:
    """Poll updates that arrived before their poll was recorded, in memory, briefly."""

    LIMIT = 200  # polls; the oldest are dropped first (updates for polls that are not ours)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: OrderedDict[str, list[PollState | PollVote]] = OrderedDict()

    def keep(self, poll_id: str, event: PollState | PollVote) -> None:
        with self._lock:
            self._events.setdefault(poll_id, []).append(event)
            while len(self._events) > self.LIMIT:
                self._events.popitem(last=False)

    def take(self, poll_id: str) -> list[PollState | PollVote]:
        with self._lock:
            return self._events.pop(poll_id, [])


def merge_counts(stored: list[int] | None, fresh: tuple[int, ...]) -> list[int]:
    """Counts only grow (a quiz poll's vote cannot be taken back): updates that arrive out of
    order or twice never lower them."""
    old = list(stored or [])
    size = max(len(old), len(fresh))
    old += [0] * (size - len(old))
    return [max(a, b) for a, b in zip(old, list(fresh) + [0] * (size - len(fresh)), strict=True)]
