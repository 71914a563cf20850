"""The timed part of class quizzes: close each poll when its time is up (or once everyone
expected has answered), post the next question, and at the end the summary.

Everything a running quiz needs is in its `class_runs` row, so a restarted bot (or another
worker) picks it up where it was: the open poll is stopped, and its final counts taken, as soon as
its time is up. A quiz left without a step for longer than STALE (the bot was down) is not
resumed in front of a class that has moved on: it ends with a summary of what was answered.
Each step of a run is leased to one worker, so two never post the same question.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.engine import classroom_steps as steps
from bot.engine.classroom import merge_counts
from bot.engine.context import FixedVoice
from bot.engine.engine import Engine
from bot.engine.events import Reply
from bot.service.threads import Runner
from bot.storage import ClassRun, Store
from bot.storage.keys import AddressBox

log = logging.getLogger(__name__)

EVERY = 1.0  # seconds between looks for due steps
LEASE = dt.timedelta(seconds=60)  # a step not finished by then is taken up again
GRACE = dt.timedelta(seconds=2)  # after a poll's open period, for the last answers to arrive
STALE = dt.timedelta(hours=1)
MAX_STEPS = 50  # practice notes posted in a row, at most, in one look


@dataclass(frozen=True)
class PostedPoll:
    poll_id: str
    message_id: int


class PollSender(Protocol):
    """What a transport that can post polls supplies (Telegram; not the terminal)."""

    async def send(self, address: str, replies: list[Reply]) -> bool: ...

    async def send_poll(self, address: str, poll: steps.PollSpec) -> PostedPoll | None:
        """Post a quiz poll; None when the chat refused it (the bot was removed)."""
        ...

    async def stop_poll(self, address: str, message_id: int) -> tuple[int, ...] | None:
        """Close a poll and return its final counts; None when it was closed already."""
        ...


@runtime_checkable
class _CanPoll(Protocol):
    async def send_poll(self, address: str, poll: steps.PollSpec) -> PostedPoll | None: ...

    async def stop_poll(self, address: str, message_id: int) -> tuple[int, ...] | None: ...


def can_poll(sender: object) -> bool:
    return isinstance(sender, _CanPoll)


@dataclass(frozen=True)
class _Next:
    address: str
    step: steps.Step


class Classroom:
    """The class-quiz job. Blocking methods each run one unit of work; `tick` strings them
    together around the sends."""

    def __init__(self, engine: Engine, store: Store, box: AddressBox | None) -> None:
        self.engine = engine
        self.store = store
        self.box = box

    # the blocking parts ---------------------------------------------------------------------

    def claim(self) -> list[int]:
        """Runs whose next step is due, leased to this worker."""
        now = self.engine.clock()
        with self.store.unit(write=False) as reading:
            if not reading.classroom.any_due(now):
                return []
        with self.store.unit() as unit:
            # A run overdue by more than STALE (the bot was away) closes with what there is.
            return unit.classroom.claim_due(now, LEASE, stale_before=now - STALE)

    def open_poll(self, run_id: int) -> tuple[str, int] | None:
        """Where the run's open poll is, to stop it."""
        with self.store.unit(write=False) as unit:
            run = unit.classroom.get(run_id)
            if run is None or run.poll_message is None:
                return None
            address = self._open(run)
            return None if address is None else (address, run.poll_message)

    def closed(self, run_id: int, counts: tuple[int, ...] | None) -> None:
        """The open poll is closed: keep its final counts, and move on to the next question."""
        with self.store.unit() as unit:
            run = unit.classroom.get(run_id)
            if run is None or run.poll_id is None:
                return
            question_id = run.polls.get(run.poll_id)
            if question_id is not None:
                merged = merge_counts(run.counts.get(question_id), counts or ())
                run.counts = {**run.counts, question_id: merged}
                run.expected = max(run.expected, sum(merged))
            run.poll_id, run.poll_message = None, None
            run.position += 1

    def next_step(self, run_id: int) -> _Next | None:
        """What the class sees next; None when the run is gone or its group unreachable."""
        with self.store.unit(write=False) as unit:
            run = unit.classroom.get(run_id)
            address = None if run is None else self._open(run)
            if run is None or address is None:
                return None
            return _Next(address, self._step(run))

    def posted(self, run_id: int, poll: PostedPoll) -> None:
        with self.store.unit() as unit:
            run = unit.classroom.get(run_id)
            if run is None:
                return
            if run.leaderboard and not run.polls:  # the first poll: names are counted from here
                self.engine.classroom.board.open(run.id)
            question_id = run.question_ids[run.position]
            run.poll_id, run.poll_message = poll.poll_id, poll.message_id
            run.polls = {**run.polls, poll.poll_id: question_id}
            run.next_at = self.engine.clock() + dt.timedelta(seconds=run.seconds) + GRACE

    def skip(self, run_id: int) -> None:
        """The question was posted as a note (or vanished from the library): on to the next."""
        with self.store.unit() as unit:
            run = unit.classroom.get(run_id)
            if run is not None:
                run.position += 1

    def finish(self, run_id: int) -> None:
        with self.store.unit() as unit:
            run = unit.classroom.get(run_id)
            if run is not None:
                unit.classroom.finish(run)
        self.engine.classroom.board.take(run_id)  # forgotten, if not taken for the summary

    # the job --------------------------------------------------------------------------------

    async def tick(self, sender: PollSender, run: Runner) -> int:
        """Take every due step once. Returns how many runs moved."""
        ids: list[int] = await run(self.claim)
        for run_id in ids:
            await self._advance(sender, run, run_id)
        return len(ids)

    async def _advance(self, sender: PollSender, run: Runner, run_id: int) -> None:
        where = await run(self.open_poll, run_id)
        if where is not None:
            counts = await sender.stop_poll(*where)
            await run(self.closed, run_id, counts)
        for _ in range(MAX_STEPS):
            found: _Next | None = await run(self.next_step, run_id)
            if found is None:
                await run(self.finish, run_id)  # the group cannot be reached any more
                return
            step = found.step
            if step.poll is not None:
                posted = await sender.send_poll(found.address, step.poll)
                if posted is None:  # removed from the group: nobody to tell
                    await run(self.finish, run_id)
                    return
                await run(self.posted, run_id, posted)
                await run(self.engine.classroom.adopted, posted.poll_id)
                return
            if step.reply is not None and not await sender.send(found.address, [step.reply]):
                await run(self.finish, run_id)
                return
            if step.last:
                await run(self.finish, run_id)
                return
            await run(self.skip, run_id)

    # helpers --------------------------------------------------------------------------------

    def _open(self, run: ClassRun) -> str | None:
        address = self.box.open(run.address) if self.box is not None else None
        if address is None:
            log.warning("a class quiz's address could not be opened (wrong address key?)")
        return address

    def _step(self, run: ClassRun) -> steps.Step:
        content = self.engine.content
        voice = FixedVoice(content, run.language)
        quiz = content.library.quizzes.get((run.language, run.quiz_id))
        total = len(run.question_ids)
        if quiz is None or run.ending or run.position >= total:
            return steps.Step(reply=self._summary(run, voice), last=True)
        question_id = run.question_ids[run.position]
        question = content.library.question(run.language, run.quiz_id, question_id)
        if question is None:
            return steps.Step()  # gone from the library since the start: skipped
        number = run.position + 1
        poll = steps.poll_for(voice, question, number, total, run.seconds, not run.leaderboard)
        if poll is None:
            return steps.Step(reply=steps.practice_note(voice, question, number, total))
        return steps.Step(poll=poll)

    def _summary(self, run: ClassRun, voice: FixedVoice) -> Reply:
        library = self.engine.content.library
        quiz = library.quizzes.get((run.language, run.quiz_id))
        results = []
        for index, question_id in enumerate(run.question_ids):
            question = library.question(run.language, run.quiz_id, question_id)
            if question is None:
                continue
            counts = run.counts.get(question_id)
            polled = counts is not None or question_id in run.polls.values()
            results.append(
                steps.QuestionResult(index + 1, question, tuple(counts or ()) if polled else None)
            )
        standings = self.engine.classroom.board.take(run.id) if run.leaderboard else None
        return steps.summary(
            voice,
            quiz.title if quiz is not None else run.quiz_id,
            results,
            total=len(run.question_ids),
            asked=min(run.position, len(run.question_ids)),
            bot_name=run.bot_name,
            quiz_id=run.quiz_id,
            standings=standings,
            leaderboard=run.leaderboard,
        )
