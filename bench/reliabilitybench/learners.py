"""Scripted learners: people working through lessons and quizzes by pressing what the bot shows
them, and the check that every answer they were told was taken is stored exactly once.
"""

from __future__ import annotations

import random
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from benchkit import sql

from bot.engine.payloads import decode
from bot.library.catalog import Library
from bot.library.schema import Question, QuestionType, Quiz
from bot.storage.keys import user_key
from bot.testing.buttons import find_button, is_stateful, verb_of
from bot.testing.fakebotapi import Person, callback_query, text_message, visible_text
from bot.testing.hostile import NAUGHTY
from reliabilitybench.observed import Delivery, ObservedApi
from reliabilitybench.report import Report


@dataclass
class Control:
    """Whether the bot is serving; `epoch` counts restarts that have caught up."""

    gate: threading.Event = field(default_factory=threading.Event)
    epoch: int = 0


@dataclass
class Action:
    texts: list[str] = field(default_factory=list)  # typed messages, or
    presses: list[str] = field(default_factory=list)  # button payloads on `on`
    on: Delivery | None = None
    answer: tuple[str, str] | None = None  # (quiz, question) this action answers
    keep_view: bool = False  # a claim or an old button: the learner stays where it was
    starts_quiz: Quiz | None = None


@dataclass
class Window:
    """One action's updates, and the slice of the chat holding their replies."""

    update_ids: list[int]
    queries: dict[int, str]  # update id -> callback query id
    start: int
    end: int = -1


class Learner:
    """A person working through lessons and quizzes by pressing what the bot shows them."""

    def __init__(
        self,
        api: ObservedApi,
        person: Person,
        library: Library,
        rng: random.Random,
        *,
        lessons: int,
        control: Control | None = None,
        extras: bool = False,
        timeout: float = 30.0,
        expect: Callable[[int], list[str] | None] | None = None,
    ) -> None:
        self.api = api
        self.person = person
        self.language = person.language or "en"
        self.library = library
        self.rng = rng
        self.control = control
        self.extras = extras
        self.timeout = timeout
        self.expect = expect  # the texts answering an update, once the engine handled it
        available = [lesson.id for lesson in library.lessons_in(self.language)]
        self.plan = rng.sample(available, min(lessons, len(available)))
        self.claims = [
            fc.claim for fc in library.factchecks.values() if fc.language == self.language
        ]
        self.view: Delivery | None = None
        self.quiz: Quiz | None = None
        self.question: Question | None = None
        self.ticked: set[int] = set()
        self.history: list[Delivery] = []
        self.windows: list[Window] = []
        self.acked: list[tuple[str, str]] = []
        self.actions = 0
        self.waiting = False  # an action was sent and its reply is not complete yet
        self.resent = 0  # actions sent again because a restart swallowed their reply
        self.unanswered = 0  # actions that never got their reply
        self.stranded = 0  # quizzes that could not be continued after a kill
        self.finished_quizzes = 0
        self.kill_epoch: int | None = None  # set when the bot was killed while in a quiz
        self.continued = 0
        self.error: str | None = None

    @property
    def chat(self) -> int:
        return self.person.id

    @property
    def in_quiz(self) -> bool:
        """In a quiz that is not over (the score not yet shown)."""
        view = self.view
        scored = view is not None and bool(view.verbs) and view.verbs <= {"menu", "retry"}
        return self.quiz is not None and not scored

    # the script ---------------------------------------------------------------------------

    def run(self, interactions: int | None = None) -> None:
        try:
            while interactions is None or self.actions < interactions:
                action = self._extra() if self.extras else None
                action = action or self._next()
                if action is None:
                    return
                self._perform(action)
        except Exception:  # reported with the figures
            self.error = traceback.format_exc()

    def _next(self) -> Action | None:
        view = self.view
        if view is None:
            return Action(texts=["/start"])
        verbs = view.verbs
        question = self.question
        if question is not None and self.quiz is not None:
            return self._answer(self.quiz, question, view)
        if "cont" in verbs:
            return self._press(view, "cont")
        if "lang" in verbs:
            return self._press(view, "lang", self.language)
        if "lesson" in verbs:
            for lesson in list(self.plan):
                if find_button(view.buttons, "lesson", lesson) is not None:
                    return self._press(view, "lesson", lesson)
            return None
        if "next" in verbs:
            return self._press(view, "next")
        if "quiz" in verbs:
            action = self._press(view, "quiz")
            quiz_id = _arg(action.presses[0])
            action.starts_quiz = self.library.quizzes.get((self.language, quiz_id))
            return action
        if self.quiz is not None and verbs and verbs <= {"menu", "retry"}:
            self.finished_quizzes += 1
            self.quiz = None
        if not self.plan and self.quiz is None:
            return None
        if "lessons" in verbs:
            return self._press(view, "lessons")
        return Action(texts=["/lessons"])

    def _answer(self, quiz: Quiz, question: Question, view: Delivery) -> Action:
        answer = (quiz.id, question.id)
        if question.type is QuestionType.SHORT:
            typed = question.accepted[0] if self.rng.random() < 0.5 else "no idea"
            return Action(texts=[typed], answer=answer)
        if question.type is QuestionType.MULTIPLE:
            if not self.ticked or (len(self.ticked) < 2 and self.rng.random() < 0.5):
                return self._press(view, "tick", str(self.rng.randrange(len(question.options))))
            action = self._press(view, "done")
            action.answer = answer
            return action
        picks = [data for data in view.buttons if verb_of(data) == "pick"]
        return Action(presses=[self.rng.choice(picks)], on=view, answer=answer)

    def _press(self, view: Delivery, verb: str, arg: str | None = None) -> Action:
        data = find_button(view.buttons, verb, arg)
        if data is None:
            raise AssertionError(f"no {verb}:{arg} button among {view.buttons}")
        return Action(presses=[data], on=view)

    def _extra(self) -> Action | None:
        """Now and then: a claim, an old button pressed again, or a double tap."""
        roll = self.rng.random()
        short = self.question is not None and self.question.type is QuestionType.SHORT
        if self.view is None or "lang" in self.view.verbs:
            return None
        if roll < 0.15 and not short:
            claim = self.rng.choice(self.claims)
            if self.rng.random() < 0.3:
                claim = "Forwarded: " + claim + " " + self.rng.choice(NAUGHTY[:16])
            return Action(texts=[claim], keep_view=True)
        old = [
            (data, delivery)
            for delivery in self.history[:-1]
            for data in delivery.buttons
            if is_stateful(data) and delivery != self.view
        ]
        if roll < 0.21 and old:
            data, delivery = self.rng.choice(old)
            return Action(presses=[data], on=delivery, keep_view=True)
        if roll < 0.27:
            action = self._next()
            if action is not None and action.presses and is_stateful(action.presses[0]):
                action.presses.append(action.presses[0])  # pressed twice before the reply
            return action
        return None

    # doing and waiting --------------------------------------------------------------------

    def _perform(self, action: Action) -> None:
        if self.control is not None:
            self.control.gate.wait()
        time.sleep(self.rng.uniform(0, 0.02))
        epoch = self.control.epoch if self.control else 0
        self.waiting = True
        window = self._push(action)
        done = self._wait(window, epoch, action.starts_quiz or self.quiz)
        if done is None and self.control is not None:
            # No reply across a restart: press (or type) it again, as a person would.
            self.resent += 1
            window = self._push(action)
            done = self._wait(window, self.control.epoch, action.starts_quiz or self.quiz)
        self.waiting = False
        if done is None:
            self.unanswered += 1
            return
        self._absorb(action, done)

    def _push(self, action: Action) -> Window:
        if self.windows:
            self.windows[-1].end = self.api.delivered(self.chat)
        window = Window([], {}, self.api.delivered(self.chat))
        self.windows.append(window)
        self.actions += 1
        for typed in action.texts:
            window.update_ids.append(self.api.push_message(text_message(self.person, typed)))
        for data in action.presses:
            assert action.on is not None
            shown = self.api.message(self.chat, action.on.message_id)
            query = callback_query(self.person, data, shown)
            update_id = self.api.push_callback(query)
            window.update_ids.append(update_id)
            window.queries[update_id] = str(query["id"])
        return window

    def _wait(self, window: Window, epoch: int, quiz: Quiz | None) -> list[Delivery] | None:
        """The last message of each update's reply, or None when they did not all come."""
        deadline = time.monotonic() + self.timeout
        while True:
            done = self._finals(window, quiz)
            if done is not None:
                return done
            control = self.control
            if control is not None and control.epoch != epoch and control.gate.is_set():
                return None
            if time.monotonic() > deadline:
                return None
            self.api.wait_change(0.25)

    def _finals(self, window: Window, quiz: Quiz | None) -> list[Delivery] | None:
        news = self.api.deliveries(self.chat, window.start)
        if self.expect is None:
            # Each reply ends with a message that has buttons, or with a question (typed
            # answers have none); the quiz intro, sent before its first question, has neither.
            done = [
                delivery
                for delivery in news
                if delivery.buttons or self._question_in(delivery, quiz) is not None
            ]
            return done if len(done) >= len(window.update_ids) else None
        # The engine's own answer is known: wait for exactly those texts, in order.
        finals: list[Delivery] = []
        position = 0
        for update_id in window.update_ids:
            texts = self.expect(update_id)
            if texts is None:
                return None
            for piece in texts:
                while position < len(news) and news[position].text.strip() != piece:
                    position += 1
                if position == len(news):
                    return None
                position += 1
            if texts:
                finals.append(news[position - 1])
        return finals

    def _question_in(self, delivery: Delivery, quiz: Quiz | None) -> Question | None:
        if quiz is None or delivery.verbs & {"cont", "menu", "lessons"}:
            return None
        shown = visible_text(delivery.text)
        return next((q for q in quiz.questions if q.text.strip() in shown), None)

    def _absorb(self, action: Action, done: list[Delivery]) -> None:
        if not done:
            return
        if action.starts_quiz is not None:
            quiz = self.quiz = action.starts_quiz
            self.question = None
            self.plan = [lesson for lesson in self.plan if self._quiz_of(lesson) != quiz.id]
        first = done[0]
        if action.keep_view:
            self.history.extend(done)
            return
        self.history.append(first)
        quiz_step = self.quiz is not None and (
            action.answer is not None or "cont" in _verbs(action)
        )
        question = self._question_in(first, self.quiz)
        if "cont" in first.verbs:
            if action.answer is not None:
                self.acked.append(action.answer)
            self.question = None
            self._note_continued(True)
        elif question is not None:
            if self.question is None or question.id != self.question.id:
                self.ticked = set()
            if action.presses and verb_of(action.presses[0]) == "tick":
                self.ticked ^= {int(_arg(action.presses[0]))}
            self.question = question
            self._note_continued(True)
        elif quiz_step and first.verbs <= {"menu", "retry"} and first.verbs:
            self._note_continued(True)  # the score: the quiz ended as it should
        elif quiz_step or (self.quiz is not None and self.question is not None):
            # Expected the next step of the quiz, got something else (the menu of a stale
            # button): this quiz cannot be continued; move on to the next lesson.
            self.stranded += 1
            self._note_continued(False)
            self.quiz, self.question, self.ticked = None, None, set()
        self.view = first

    def _note_continued(self, ok: bool) -> None:
        if self.kill_epoch is None or self.control is None:
            return
        if self.control.epoch > self.kill_epoch:
            self.continued += ok
            self.kill_epoch = None

    def _quiz_of(self, lesson: str) -> str | None:
        quiz = self.library.quiz_for_lesson(self.language, lesson)
        return quiz.id if quiz else None


def _verbs(action: Action) -> set[str]:
    return {verb_of(data) for data in action.presses}


def _arg(data: str) -> str:
    """The argument of a payload the bot made (a lesson, quiz or option)."""
    payload = decode(data)
    assert payload is not None and payload.arg is not None, f"no argument in {data!r}"
    return payload.arg


def telegram_people(first: int, name: str, count: int, *, russian_every: int) -> list[Person]:
    """`count` people with private chats from id `first`; every `russian_every`-th speaks
    Russian, the others English."""
    return [
        Person(first + n, f"{name}{n}", "ru" if n % russian_every == russian_every - 1 else "en")
        for n in range(count)
    ]


def script_errors(report: Report, part: str, learners: Sequence[Learner]) -> None:
    """A learner whose script broke is a failed measurement, not a figure about the bot."""
    errors = [learner.error for learner in learners if learner.error is not None]
    report.add(
        f"{part}.script_errors", "learner scripts that broke", len(errors), must_be_zero=True
    )
    report.findings.extend(f"{part}: a learner's script broke\n{error}" for error in errors[:3])


def run_learners(learners: Sequence[Learner], interactions: int | None) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=learner.run, args=(interactions,), daemon=True)
        for learner in learners
    ]
    for thread in threads:
        thread.start()
    return threads


def join(threads: Sequence[threading.Thread], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    alive = sum(thread.is_alive() for thread in threads)
    if alive:
        raise TimeoutError(f"{alive} learners did not finish within {timeout:.0f}s")


@dataclass(frozen=True)
class StoredAnswers:
    rows: int
    missing: int
    duplicated: int
    examples: list[str]


def check_answers(database_url: str, learners: Sequence[Learner], secret: bytes) -> StoredAnswers:
    """Every acknowledged answer is in the database exactly once."""
    rows = sql.rows(
        database_url,
        "SELECT u.key, a.quiz_id, a.question_id, a.attempt_id FROM answers a "
        "JOIN users u ON u.id = a.user_id",
    )
    per_attempt = Counter((str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows)
    attempts: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    for key, quiz, question, attempt in per_attempt:
        attempts[(key, quiz, question)].add(attempt)
    duplicated = sum(count - 1 for count in per_attempt.values())
    missing = 0
    examples: list[str] = []
    for learner in learners:
        key = user_key(secret, "telegram", learner.person.id)
        for quiz, question in learner.acked:
            found = attempts.get((key, quiz, question), set())
            if not found:
                missing += 1
                examples.append(f"acknowledged but not stored: {quiz}/{question} of {key[:12]}")
            elif len(found) > 1:
                duplicated += len(found) - 1
                examples.append(f"stored in {len(found)} attempts: {quiz}/{question} of {key[:12]}")
    return StoredAnswers(len(rows), missing, duplicated, examples[:8])
