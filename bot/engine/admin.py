"""Commands for the people who run the bot: /stats, /reload, /queue. Everyone else gets a
polite refusal. Admins are listed by platform id in the settings; the engine sees only their
pseudonyms, like everyone's."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.events import Reply
from bot.engine.menu import menu_buttons
from bot.reports import data

QUEUE_SHOWN = 10


def refused(ctx: Context) -> list[Reply]:
    return [Reply(ctx.t("admin.refused"), menu_buttons(ctx))]


def stats(ctx: Context) -> list[Reply]:
    usage = data.usage_report(ctx.unit.session, ctx.now)
    return [Reply(ctx.t("admin.stats", usage=usage, counts=ctx.content.library.counts()))]


def queue(ctx: Context) -> list[Reply]:
    groups = data.claims_report(ctx.unit.session)
    return [Reply(ctx.t("admin.queue", groups=groups[:QUEUE_SHOWN], total=len(groups)))]


def reload(ctx: Context) -> list[Reply]:
    """Reload the content; a broken change keeps the last good library and says what is wrong."""
    result = ctx.reload()
    return [
        Reply(
            ctx.t(
                "admin.reload",
                ok=result.ok,
                problems=result.problems[:10],
                more=max(0, len(result.problems) - 10),
                counts=result.counts,
            )
        )
    ]
