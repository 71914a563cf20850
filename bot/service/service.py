"""The running bot's work that no message starts: reminders, the outbox under the shared send
rate, the retention purge, content reload, and answering queued claims when the library grows.

It belongs to no transport. A transport supplies only a `Sender` (how to deliver replies to an
address, and how to reach the admins); the terminal chat and Telegram both run on this. State
lives in the database, so with several workers every one runs the same jobs safely: due
reminders and outbox rows are claimed row by row, and the send rate is a bucket they share.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from bot.engine import account, factcheck
from bot.engine.context import FixedVoice, ReloadResult
from bot.engine.engine import Engine
from bot.engine.events import Button, Reply
from bot.engine.payloads import Payload, owner_tag
from bot.matching import Tier
from bot.service import classroom
from bot.service.threads import Runner, run_here
from bot.storage import Store, Unit
from bot.storage.keys import AddressBox
from bot.storage.privacy import Retention

log = logging.getLogger(__name__)

OUTBOX_BATCH = 25
OUTBOX_IDLE = 0.2
REMINDERS_EVERY = 60.0
PURGE_EVERY = 24 * 3600.0
SEND_DELAY_ALLOWANCE = 0.1  # seconds by which one outbox message may leave later than another


class Sender(Protocol):
    """What a transport supplies so the service can reach people."""

    async def send(self, address: str, replies: list[Reply]) -> bool:
        """Deliver to an (opened) platform address; False when it was refused or failed."""
        ...

    async def tell_admins(self, text: str) -> None:
        """Reach the people who run the bot (a failed content reload)."""
        ...


@dataclass(frozen=True)
class Outgoing:
    """A message to send unasked, to a sealed address (see Incoming.address)."""

    id: int
    address: str
    reply: Reply


class Service:
    def __init__(
        self,
        engine: Engine,
        store: Store,
        box: AddressBox | None,
        retention: Retention,
        content_root: Path | None = None,
    ) -> None:
        self.engine = engine
        self.store = store
        self.box = box
        self.retention = retention
        self.content_root = content_root  # watched for changes while the bot runs
        # A reload asked for with /reload answers the queued claims the new library can answer.
        engine.on_reload = self.answer_queued_claims
        self.classroom = classroom.Classroom(engine, store, box)

    # the blocking parts: each is one or two units of work -------------------------------------

    def reload(self) -> ReloadResult:
        """Load the content again; on success, answer the queued claims it can answer."""
        result = self.engine.reload()
        if result.ok:
            self.answer_queued_claims()
        return result

    def purge(self) -> dict[str, int]:
        return self.store.purge(self.engine.clock(), self.retention)

    def queue_reminders(self, limit: int = 500, only: str | None = None) -> int:
        """Queue today's review reminders for subscribers with questions due (only for the
        person with pseudonym `only`, when given). Returns how many."""
        now, content, queued = self.engine.clock(), self.engine.content, 0
        with self.store.unit() as unit:
            user_id = _user_id(unit, only)
            if user_id == _NOBODY:
                return 0
            subscriptions = unit.subscriptions.due_subscriptions(
                account.REMINDERS, now, limit, user_id
            )
            for subscription in subscriptions:
                while subscription.next_at is not None and subscription.next_at <= now:
                    subscription.next_at += account.REMINDER_GAP
                user = unit.users.user_by_id(subscription.user_id)
                due = len(unit.reviews.due_cards(user, now, limit=100))
                if not due:
                    continue
                voice = FixedVoice(content, subscription.language)
                text = voice.t("reminders.due", count=due)
                review = Payload("review", user.seq, owner_tag(user.key))
                button = Button(voice.label("menu.review"), review.encode())
                unit.outbox.enqueue(
                    subscription.address, "reminder", text, now, user.id, _buttons(button)
                )
                queued += 1
        return queued

    def answer_queued_claims(self) -> int:
        """Match open queued claims against the library; tell the people who asked to be told.

        Run after the library changes. Returns how many claims found their fact-check.
        """
        now, content, answered = self.engine.clock(), self.engine.content, 0
        # Matching takes a few milliseconds a claim: done between two units, holding no lock.
        with self.store.unit(write=False) as unit:
            claims = [(c.id, c.text, c.language) for c in unit.claims.open_claims()]
        found = []
        for claim_id, text, language in claims:
            result = content.matcher.match(text, top=1, language=language)
            best = result.best
            if result.tier is not Tier.ANSWER or best is None:
                continue
            fc = content.library.factchecks.get((best.language, best.document_id))
            if fc is not None:
                found.append((claim_id, fc))
        if not found:
            return 0
        with self.store.unit() as unit:
            for claim_id, fc in found:
                claim = unit.claims.claim_by_id(claim_id, lock=True)
                if claim is None or claim.factcheck_id is not None:
                    continue  # forgotten or answered meanwhile
                claim.factcheck_id, claim.answered_at = fc.id, now
                answered += 1
                self._notify(unit, claim.user_id, fc.id, fc.language, now)
        return answered

    def _notify(
        self, unit: Unit, user_id: int, factcheck_id: str, language: str, now: dt.datetime
    ) -> None:
        """Queue the fact-check for a person who asked to hear about their claim, if they did."""
        content = self.engine.content
        user = unit.users.user_by_id(user_id)
        subscription = unit.subscriptions.subscription(user, factcheck.ANSWERS)
        if subscription is None:
            return
        fc = content.library.factchecks[(language, factcheck_id)]
        voice = FixedVoice(content, subscription.language)
        text = voice.t("check.notify_found") + "\n\n" + factcheck.render_factcheck(voice, fc)
        unit.outbox.enqueue(subscription.address, "notification", text, now, user.id)
        if not unit.claims.open_claims_of(user):
            unit.subscriptions.unsubscribe(user, factcheck.ANSWERS)  # nothing left to tell

    def claim_outbox(self, limit: int, only: str | None = None) -> list[Outgoing]:
        """Take pending unasked messages to send (committed as `sending` before returning).

        No more are handed out, across all workers together, than `limits.outgoing_per_second`
        allows: callers take a batch, send it, and come back.
        """
        # A bucket of `burst` refilled at `refill` hands out at most burst + refill * (1 + d)
        # tokens in any window of 1 + d seconds, whichever worker takes them. A message leaves
        # some time after its token was taken, and that time varies (by up to d =
        # SEND_DELAY_ALLOWANCE): so the messages leaving in any one second had their tokens
        # taken within 1 + d seconds, and the refill is chosen to keep those within `rate`.
        rate = self.engine.limits.outgoing_per_second
        burst = max(1.0, rate / 5)
        refill = max((rate - burst) / (1 + SEND_DELAY_ALLOWANCE), 0.1)
        with self.store.unit() as unit:
            user_id = _user_id(unit, only)
            if user_id == _NOBODY:
                return []
            now = self.engine.clock()
            bucket = unit.outbox.rate_bucket("outgoing", now, refill, burst=burst)
            rows = unit.outbox.claim_outbox(now, min(limit, int(bucket.tokens)), user_id)
            bucket.tokens -= len(rows)  # only what is sent is spent
            return [
                Outgoing(row.id, row.address, Reply(row.text, _unbuttons(row.buttons)))
                for row in rows
            ]

    def finish_outbox(self, outbox_id: int, sent: bool) -> None:
        with self.store.unit() as unit:
            unit.outbox.finish_outbox(outbox_id, sent, self.engine.clock())

    def describe_reload_failure(self, problems: tuple[str, ...]) -> str:
        """The message admins get when a content change could not be loaded."""
        texts = self.engine.content.texts
        return texts.render(
            texts.default_language,
            "admin.reload",
            ok=False,
            problems=problems[:10],
            more=max(0, len(problems) - 10),
            counts={},
        )

    # the jobs ---------------------------------------------------------------------------------

    async def drain_outbox(
        self, sender: Sender, run: Runner = run_here, only: str | None = None
    ) -> int:
        """Send what the outbox holds (only the person `only`'s, when given), as fast as the
        shared rate allows. Returns how many."""
        sent = 0
        while True:
            batch: list[Outgoing] = await run(self.claim_outbox, OUTBOX_BATCH, only)
            if not batch:
                return sent
            # The batch leaves at once, right after its share of the send rate was taken: the
            # rate holds for when messages leave, so they must not trail out one by one.
            results = await asyncio.gather(
                *(self._send(sender, message) for message in batch), return_exceptions=True
            )
            for message, result in zip(batch, results, strict=True):
                ok = result is True
                if isinstance(result, BaseException):
                    log.error("sending an unasked message failed: %s", type(result).__name__)
                await run(self.finish_outbox, message.id, ok)
                sent += ok

    async def _send(self, sender: Sender, message: Outgoing) -> bool:
        address = self.box.open(message.address) if self.box is not None else None
        if address is None:
            log.warning("an outbox address could not be opened (wrong address key?)")
            return False
        return await sender.send(address, [message.reply])

    async def tick(self, sender: Sender, run: Runner = run_here, only: str | None = None) -> int:
        """Queue due reminders and send what is waiting, once; `only` keeps it to one person
        (the terminal chat serves one person, whatever database it opens). Returns how many
        were sent."""
        await run(self.queue_reminders, 500, only)
        return await self.drain_outbox(sender, run, only)

    async def run(
        self,
        sender: Sender,
        stop: asyncio.Event,
        run: Runner,
        *,
        watch: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Run every job until `stop` is set; blocking work goes through `run`."""
        jobs: list[Awaitable[None]] = [
            _every(OUTBOX_IDLE, stop, lambda: self.drain_outbox(sender, run)),
            _every(REMINDERS_EVERY, stop, lambda: run(self.queue_reminders)),
            _every(PURGE_EVERY, stop, lambda: self._purge(run)),
        ]
        if classroom.can_poll(sender):  # class quizzes in groups, where polls can be posted
            polls = cast(classroom.PollSender, sender)
            jobs.append(_every(classroom.EVERY, stop, lambda: self.classroom.tick(polls, run)))
        if watch is not None:
            jobs.append(watch())
        await asyncio.gather(*jobs)

    async def _purge(self, run: Runner) -> None:
        counts = await run(self.purge)
        log.info("retention purge deleted %d rows", sum(counts.values()))


_NOBODY = -1


def _user_id(unit: Unit, key: str | None) -> int | None:
    """The row id of the person `key` (None: everybody; _NOBODY: no such person yet)."""
    if key is None:
        return None
    user = unit.users.find_user(key)
    return _NOBODY if user is None else user.id


async def _every(seconds: float, stop: asyncio.Event, job: Callable[[], Awaitable[object]]) -> None:
    while not stop.is_set():
        try:
            await job()
        except Exception as exc:  # a failing job must not stop the bot; it runs again later
            log.error("background job failed: %s", type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)


def _buttons(*buttons: Button) -> list[list[list[str]]]:
    return [[[button.label, button.payload]] for button in buttons]


def _unbuttons(rows: list[list[list[str]]]) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(Button(label, payload) for label, payload in row) for row in rows)
