"""The one table of what a person can do: every command and every button verb, with its flow.

A button verb's entry says whether it is stateful (its press is refused as stale when the
person has moved on since the button was shown); the dispatcher and the payload format both go
by this table, and a test walks every entry. The order of COMMANDS is the order of the
platform's command menu.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.engine import (
    account,
    admin,
    assessments,
    classroom,
    factcheck,
    lessons,
    menu,
    onboarding,
    progress,
    quizzes,
)
from bot.engine.classroom_steps import PRACTICE_PREFIX
from bot.engine.context import Context
from bot.engine.events import Reply

Flow = Callable[[Context], list[Reply]]


@dataclass(frozen=True)
class Verb:
    """A button: `press(ctx, arg)` runs when it is pressed."""

    name: str
    stateful: bool
    press: Callable[[Context, str | None], list[Reply]]
    private: bool = False  # shows or changes something personal: never in a group


@dataclass(frozen=True)
class Command:
    """A slash command: `run(ctx, rest)` gets the text after the command word."""

    name: str
    run: Callable[[Context, str], list[Reply]]
    admin: bool = False
    private: bool = False  # shows or changes something personal: never in a group


def _flow(flow: Flow) -> Callable[[Context, str | None], list[Reply]]:
    return lambda ctx, _arg: flow(ctx)


def _plain(flow: Flow) -> Callable[[Context, str], list[Reply]]:
    return lambda ctx, _rest: flow(ctx)


def _option(rest: str) -> str | None:
    return rest.strip().lower() or None


def _start(ctx: Context, rest: str) -> list[Reply]:
    """/start, or `/start VERB` from a link that a group reply pointed here: the personal
    command asked for in the group, now in the private chat."""
    if rest.strip().startswith(PRACTICE_PREFIX):  # the link under a class quiz's summary
        return classroom.practise(ctx, rest.strip().lower())
    wanted = COMMANDS.get(rest.strip().lower())
    if wanted is not None and wanted.private and wanted.name != "start":
        return wanted.run(ctx, "")
    return onboarding.start(ctx)


BUTTONS: dict[str, Verb] = {
    verb.name: verb
    for verb in (
        # Safe at any time: they open something by id or show a menu.
        Verb("menu", False, _flow(menu.main_menu)),
        Verb("help", False, _flow(menu.help_reply)),
        Verb("progress", False, _flow(progress.progress), private=True),
        Verb("lessons", False, _flow(lessons.list_lessons)),
        Verb("quizzes", False, _flow(lessons.list_quizzes)),
        Verb("lesson", False, lessons.open_lesson),
        Verb("quiz", False, quizzes.start_quiz),
        Verb("lang", False, onboarding.choose_language),
        Verb("fc", False, factcheck.show),
        Verb("fb", False, factcheck.feedback),
        Verb("unreason", False, factcheck.delete_reason),
        Verb("send", False, _flow(factcheck.send_to_editors)),
        Verb("review", False, _flow(quizzes.start_review)),
        Verb("test", False, _flow(assessments.start)),
        Verb("mydata", False, _flow(account.mydata), private=True),
        Verb("forget", False, _flow(account.forget), private=True),
        Verb("remind", False, account.remind, private=True),
        # Tied to the step they were shown at.
        Verb("next", True, lessons.turn),
        Verb("back", True, lessons.turn),
        Verb("pick", True, quizzes.pick),
        Verb("tick", True, quizzes.tick),
        Verb("done", True, _flow(quizzes.done)),
        Verb("cont", True, _flow(quizzes.cont)),
        Verb("retry", True, _flow(quizzes.retry)),
        Verb("rate", True, assessments.rate),
        Verb("erase", True, _flow(account.erase), private=True),
        Verb("notify", True, factcheck.notify_choice),
        Verb("bcast", True, admin.confirm_broadcast, private=True),
    )
}

COMMANDS: dict[str, Command] = {
    command.name: command
    for command in (
        Command("start", _start),
        Command("menu", _plain(menu.main_menu)),
        Command("lessons", _plain(lessons.list_lessons)),
        Command("quizzes", _plain(lessons.list_quizzes)),
        Command("quiz", classroom.command),
        Command("review", _plain(quizzes.start_review)),
        Command("test", _plain(assessments.start)),
        Command("progress", _plain(progress.progress), private=True),
        Command("check", factcheck.check),
        Command("remind", lambda ctx, rest: account.remind(ctx, _option(rest)), private=True),
        Command("language", _plain(onboarding.language_menu)),
        Command("mydata", _plain(account.mydata), private=True),
        Command("forget", _plain(account.forget), private=True),
        Command("help", _plain(menu.help_reply)),
        Command("stats", _plain(admin.stats), admin=True, private=True),
        Command("queue", _plain(admin.queue), admin=True, private=True),
        Command("reload", _plain(admin.reload), admin=True, private=True),
        Command("broadcast", admin.broadcast, admin=True, private=True),
    )
}
