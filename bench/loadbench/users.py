"""What the simulated users of the load benchmark do: plans of lessons, quizzes and claims
built from the bundled library, and the simulation that plays them through the webhook.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from benchkit.fake import BenchFake
from benchkit.webhook import Delivery, Telegram

from bot.testing.buttons import find_button, keyboard_data
from bot.testing.fakebotapi import Person, callback_query, channel_origin, text_message

FIRST_CHAT = 710_000_000


@dataclass(frozen=True)
class Step:
    """One interaction: a text message, or a press of a button (verb and argument) of the bot's
    last message. The flags say what the step leaves in the database."""

    text: str = ""
    verb: str = ""
    arg: str | None = None
    answer: bool = False
    lesson: str | None = None
    check: bool = False
    queue: bool = False
    feedback: bool = False

    @property
    def press(self) -> bool:
        return bool(self.verb)

    def echo_data(self) -> str:
        return f"{self.verb}:{self.arg}" if self.arg else self.verb


@dataclass(frozen=True)
class QuestionPlan:
    kind: str
    options: int
    accepted: str


@dataclass(frozen=True)
class LessonPlan:
    id: str
    cards: int
    quiz: str | None
    questions: tuple[QuestionPlan, ...]


@dataclass(frozen=True)
class Material:
    """The bundled library as plans need it, with claims sorted by what the matcher makes of
    them (so a plan's buttons are the ones the bot will show)."""

    lessons: tuple[LessonPlan, ...]
    matched: tuple[tuple[str, str], ...]  # (claim, fact-check id) answered outright
    unmatched: tuple[str, ...]  # texts the bot offers to send to the editors
    stale: str
    internal: str
    send_again: str  # the bot no longer holds the claim the user wants sent to the editors
    sample_reply: str  # a typical HTML reply, for the fake's ceiling


def load_material() -> Material:
    from bot.config import Settings, bundled_content
    from bot.engine.content import Content
    from bot.engine.context import FixedVoice
    from bot.engine.factcheck import render_factcheck
    from bot.library.loader import load_library_or_raise
    from bot.matching import Tier

    library = load_library_or_raise(bundled_content())
    content = Content.build(library, "en", Settings().matching.thresholds)
    lessons = []
    for lesson in library.lessons_in("en"):
        quiz = library.quiz_for_lesson("en", lesson.id)
        questions = tuple(
            QuestionPlan(q.type.value, len(q.options), (q.accepted or ("no idea",))[0])
            for q in (quiz.questions if quiz else ())
        )
        lessons.append(
            LessonPlan(lesson.id, len(lesson.cards), quiz.id if quiz else None, questions)
        )

    def answered(text: str) -> str | None:
        result = content.matcher.match(text, top=3, language="en")
        found = [
            fc
            for m in result.matches
            if (fc := library.factchecks.get((m.language, m.document_id))) is not None
        ]
        return found[0].id if result.tier is Tier.ANSWER and found else None

    matched = []
    for fc in sorted(library.factchecks.values(), key=lambda f: f.id):
        if fc.language == "en" and (found := answered(fc.claim)) is not None:
            matched.append((fc.claim, found))
    rng = random.Random(5)
    who = ["My neighbour", "The baker on our street", "A colleague", "Our football coach"]
    what = [
        "says the swimming pool will open an hour later on Tuesdays",
        "painted the garden fence green again this spring",
        "won the village pie contest with a rhubarb tart",
        "adopted a third cat called Biscuit",
        "is moving the flea market to the car park",
        "found an old tram ticket in the attic",
    ]
    candidates = {f"{rng.choice(who)} {rng.choice(what)}, number {n}" for n in range(300)}
    unmatched = [text for text in sorted(candidates) if answered(text) is None]
    first = library.factchecks[("en", matched[0][1])] if matched else None
    sample = render_factcheck(FixedVoice(content, "en"), first) if first else "<b>Hi</b> there"
    return Material(
        tuple(lessons),
        tuple(matched),
        tuple(unmatched),
        content.texts.render("en", "errors.stale").strip(),
        content.texts.render("en", "errors.internal").strip(),
        content.texts.render("en", "check.send_again").strip(),
        sample,
    )


def _answer_steps(question: QuestionPlan, rng: random.Random) -> list[Step]:
    if question.kind == "short":
        typed = question.accepted if rng.random() < 0.6 else "I am not sure"
        return [Step(text=typed, answer=True)]
    if question.kind == "truefalse":
        return [Step(verb="pick", arg=rng.choice("01"), answer=True)]
    if question.kind == "multiple":
        ticked = rng.sample(range(question.options), k=min(question.options, rng.randint(1, 2)))
        return [*(Step(verb="tick", arg=str(i)) for i in ticked), Step(verb="done", answer=True)]
    return [Step(verb="pick", arg=str(rng.randrange(question.options)), answer=True)]


def _lesson_steps(lesson: LessonPlan, rng: random.Random) -> list[Step]:
    steps = [Step(text="/lessons"), Step(verb="lesson", arg=lesson.id, lesson=lesson.id)]
    steps += [Step(verb="next", arg=str(card)) for card in range(1, lesson.cards)]
    if lesson.quiz is None:
        return steps
    steps.append(Step(verb="quiz", arg=lesson.quiz))
    # End on an answer, not on a shown question, as people do.
    for number, question in enumerate(lesson.questions[: rng.randint(2, 4)]):
        if number:
            steps.append(Step(verb="cont"))
        steps += _answer_steps(question, rng)
    return steps


def make_plans(material: Material, users: int, interactions: int, seed: int) -> list[list[Step]]:
    rng = random.Random(seed)
    plans = []
    for _ in range(users):
        plan: list[Step] = []
        sent = 0
        while len(plan) < interactions:
            roll = rng.random()
            if roll < 0.45:
                plan += _lesson_steps(rng.choice(material.lessons), rng)
            elif roll < 0.7:
                claim, fc_id = rng.choice(material.matched)
                plan.append(Step(text=claim, check=True))
                if rng.random() < 0.5:
                    plan.append(Step(verb="fb", arg=f"y-{fc_id}", feedback=True))
            elif roll < 0.92:
                plan.append(Step(text=rng.choice(material.unmatched), check=True))
                if sent < 5 and rng.random() < 0.6:  # 5: limits.queued_claims_per_day
                    plan += [Step(verb="send", queue=True), Step(verb="notify", arg="n")]
                    sent += 1
            else:
                plan.append(Step(text="/progress"))
        plans.append(plan[:interactions])
    return plans


@dataclass
class Outcome:
    step: Step
    update: dict[str, Any]
    delivery: Delivery


@dataclass
class SimUser:
    index: int
    plan: list[Step]
    outcomes: list[Outcome] = field(default_factory=list)
    missing_buttons: int = 0
    cursor: int = 0  # calls of this chat already looked at
    last_message: int | None = None
    keyboard: tuple[int, tuple[str, ...]] | None = None  # message id, its buttons' payloads

    @property
    def person(self) -> Person:
        return Person(FIRST_CHAT + self.index, f"User{self.index}", "en")

    @property
    def chat(self) -> int:
        return FIRST_CHAT + self.index


class Simulation:
    """Runs every user's plan against one bot."""

    def __init__(self, fake: BenchFake, telegram: Telegram, *, echo: bool) -> None:
        self.fake = fake
        self.telegram = telegram
        self.echo = echo
        self._update_ids = itertools.count(1)

    def _update(self, user: SimUser, step: Step) -> dict[str, Any] | None:
        person = user.person
        if not step.press:
            # Claims arrive as people pass them on: forwarded. (Typed text right after a quiz
            # question is an answer attempt, never a claim.)
            origin = channel_origin() if step.check else None
            message = text_message(person, step.text, forward_origin=origin)
            return {"update_id": next(self._update_ids), "message": message}
        data: str | None
        if self.echo:
            data, message_id = step.echo_data(), user.last_message
        else:
            data, message_id = self._button(user, step)
        if data is None or message_id is None:
            return None
        query = callback_query(person, data, self.fake.message(user.chat, message_id))
        self.fake.open_callback(query)
        return {"update_id": next(self._update_ids), "callback_query": query}

    @staticmethod
    def _button(user: SimUser, step: Step) -> tuple[str | None, int | None]:
        if user.keyboard is None:
            return None, None
        message_id, payloads = user.keyboard
        return find_button(payloads, step.verb, step.arg), message_id

    def _absorb(self, user: SimUser) -> None:
        """Look at the bot's new calls in this chat: its last message and last keyboard."""
        calls = self.fake.chat_calls(user.chat, user.cursor)
        user.cursor += len(calls)
        for seen in calls:
            message = seen.message
            if message is None or "message_id" not in message:
                continue
            user.last_message = int(message["message_id"])
            markup = message.get("reply_markup")
            if isinstance(markup, dict) and markup.get("inline_keyboard"):
                user.keyboard = (user.last_message, keyboard_data(markup))

    async def run_user(self, user: SimUser) -> None:
        self.fake.add_chat(user.person.chat())
        for step in user.plan:
            update = self._update(user, step)
            if update is None:
                user.missing_buttons += 1
                continue
            delivery = await self.telegram.deliver(update)
            user.outcomes.append(Outcome(step, update, delivery))
            self._absorb(user)
