"""The main menu, help, and the polite answers to things the bot cannot do."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.events import Button, Reply


def menu_buttons(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    return (
        (ctx.button("menu.lessons", "lessons"), ctx.button("menu.review", "review")),
        (ctx.button("menu.test", "test"), ctx.button("menu.progress", "progress")),
        (ctx.button("menu.help", "help"), ctx.button("menu.quizzes", "quizzes")),
    )


def main_menu(ctx: Context) -> list[Reply]:
    return [Reply(ctx.t("menu.text"), menu_buttons(ctx))]


def help_reply(ctx: Context) -> list[Reply]:
    return [Reply(ctx.t("help.text"), menu_buttons(ctx))]


def unknown_command(ctx: Context, command: str) -> list[Reply]:
    return [Reply(ctx.t_fresh("errors.unknown_command", command=command), menu_buttons(ctx))]


def private_only(ctx: Context, verb: str) -> list[Reply]:
    """In a group, a personal command gets one short line and a link to the private chat,
    where `/start VERB` does it. Nothing personal is ever sent to a group."""
    name = ctx.incoming.bot_name
    if not name:
        return [Reply(ctx.t("errors.private_only"))]
    link = Button(ctx.label("errors.open_private"), "", url=f"https://t.me/{name}?start={verb}")
    return [Reply(ctx.t("errors.private_only"), ((link,),))]


def stale_button(ctx: Context) -> list[Reply]:
    """A button from an earlier step, or one this bot never made: nothing changes."""
    return [
        Reply(ctx.t("errors.stale"), menu_buttons(ctx), notice=ctx.label("errors.stale_notice"))
    ]
