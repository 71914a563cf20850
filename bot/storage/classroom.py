"""Quizzes a class takes together in a group: one row per group while its quiz runs.

The row names nobody. The group is known by a keyed hash of its chat id and reached through a
sealed address (like a subscriber's); what the class answered is kept as per-question option
counts only, never who answered what. The row is deleted when the quiz ends, once its summary
has been posted.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.repository import Repository, hour_of
from bot.storage.tables import ID, LANG, Base, QuizAttempt, User


class ClassRun(Base):
    """One quiz a group is taking. `position` is the question shown now (or about to be);
    `next_at` is when the bot acts next: closes the open poll, or posts the next question."""

    __tablename__ = "class_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_key: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(Text)
    bot_name: Mapped[str | None] = mapped_column(String(64))
    quiz_id: Mapped[str] = mapped_column(ID)
    language: Mapped[str] = mapped_column(LANG)
    question_ids: Mapped[list[str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The open poll, if any: Telegram's poll id and the message that carries it (to stop it).
    poll_id: Mapped[str | None] = mapped_column(String(64))
    poll_message: Mapped[int | None] = mapped_column(Integer)
    # Every poll of this run (poll id -> question id): late updates still count.
    polls: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Per question id: how many chose each option. Nothing about who.
    counts: Mapped[dict[str, list[int]]] = mapped_column(JSON, default=dict)
    leaderboard: Mapped[bool] = mapped_column(Boolean, default=False)
    seconds: Mapped[int] = mapped_column(Integer)
    # How many answers close a poll early: the most any earlier question had.
    expected: Mapped[int] = mapped_column(Integer, default=0)
    ending: Mapped[bool] = mapped_column(Boolean, default=False)
    next_at: Mapped[dt.datetime] = mapped_column(index=True)
    started_at: Mapped[dt.datetime]


class ClassRuns(Repository):
    def for_group(self, group_key: str, *, lock: bool = False) -> ClassRun | None:
        query = select(ClassRun).where(ClassRun.group_key == group_key)
        return self._session.scalar(query.with_for_update() if lock else query)

    def start(
        self,
        *,
        group_key: str,
        address: str,
        bot_name: str | None,
        quiz_id: str,
        language: str,
        question_ids: list[str],
        leaderboard: bool,
        seconds: int,
        now: dt.datetime,
    ) -> ClassRun:
        run = ClassRun(
            group_key=group_key,
            address=address,
            bot_name=bot_name,
            quiz_id=quiz_id,
            language=language,
            question_ids=list(question_ids),
            position=0,
            polls={},
            counts={},
            leaderboard=leaderboard,
            seconds=seconds,
            expected=0,
            ending=False,
            next_at=now,
            started_at=hour_of(now),
        )
        self._session.add(run)
        self._session.flush()
        return run

    def by_poll(self, poll_id: str) -> ClassRun | None:
        """The run a poll belongs to (locked): the current poll, or an earlier one of it."""
        current = self._session.scalar(
            select(ClassRun).where(ClassRun.poll_id == poll_id).with_for_update()
        )
        if current is not None:
            return current
        for run_id, polls in self._session.execute(select(ClassRun.id, ClassRun.polls)):
            if poll_id in polls:  # few groups run a quiz at once: a scan is cheap
                return self.get(run_id)
        return None

    def get(self, run_id: int) -> ClassRun | None:
        return self._session.get(ClassRun, run_id, with_for_update=True)

    def any_due(self, now: dt.datetime) -> bool:
        """Cheap look before `claim_due`, which takes a write lock."""
        due = select(ClassRun.id).where(ClassRun.next_at <= now).limit(1)
        return self._session.scalar(due) is not None

    def claim_due(
        self, now: dt.datetime, lease: dt.timedelta, stale_before: dt.datetime, limit: int = 20
    ) -> list[int]:
        """Runs whose next step is due, leased to this caller (another worker skips them).
        A run whose step fell due before `stale_before` is set to end."""
        query = (
            select(ClassRun)
            .where(ClassRun.next_at <= now)
            .order_by(ClassRun.next_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        runs = list(self._session.scalars(query))
        for run in runs:
            if run.next_at < stale_before:
                run.ending = True
            run.next_at = now + lease
        return [run.id for run in runs]

    def finish(self, run: ClassRun) -> None:
        """The quiz is over and its summary posted: nothing of it is kept."""
        self._session.delete(run)

    def practice_attempt(
        self, user: User, quiz_id: str, language: str, question_id: str, now: dt.datetime
    ) -> QuizAttempt:
        """A finished one-question attempt of the person's own, to carry an answer they gave
        in class: it counts toward their progress and reviews without touching a quiz they
        have open in the private chat."""
        attempt = QuizAttempt(
            user_id=user.id,
            kind="class",
            quiz_id=quiz_id,
            language=language,
            question_ids=[question_id],
            position=1,
            selected=[],
            answered=False,
            started_at=now,
            finished_at=now,
        )
        self._session.add(attempt)
        self._session.flush()
        return attempt
