"""First contact: welcome, the privacy notice, and the language choice when there is one."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.events import Button, Reply
from bot.engine.menu import main_menu, menu_buttons


def start(ctx: Context) -> list[Reply]:
    texts = ctx.content.texts
    welcome = ctx.t("start.welcome") + "\n\n" + ctx.t("start.privacy")
    if len(texts.languages) > 1 and ctx.user.language is None:
        return [Reply(welcome), *language_menu(ctx)]
    return [Reply(welcome, menu_buttons(ctx))]


def language_menu(ctx: Context) -> list[Reply]:
    texts = ctx.content.texts
    buttons = tuple(
        (Button(texts.language_name(code), ctx.payload("lang", code)),) for code in texts.languages
    )
    return [Reply(ctx.t("start.choose_language"), buttons)]


def choose_language(ctx: Context, code: str | None) -> list[Reply]:
    if code is None or code not in ctx.content.texts.languages:
        return language_menu(ctx)
    ctx.user.language = code
    return [Reply(ctx.t("start.language_set")), *main_menu(ctx)]
