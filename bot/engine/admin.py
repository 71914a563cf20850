"""Commands for the people who run the bot: /stats, /reload, /queue, /broadcast.

Everyone else gets a polite refusal. Admins are listed by platform id in the settings; the
engine sees only their pseudonyms, like everyone's.
"""

from __future__ import annotations

import html

from bot.engine.account import REMINDERS
from bot.engine.context import Context
from bot.engine.events import Reply
from bot.engine.menu import menu_buttons, stale_button
from bot.storage import Unit

QUEUE_SHOWN = 10


def refused(ctx: Context) -> list[Reply]:
    return [Reply(ctx.t("admin.refused"), menu_buttons(ctx))]


def stats(ctx: Context) -> list[Reply]:
    """Usage figures, read after this event's unit has committed (full-table reads must not
    hold the write lock)."""

    def read(unit: Unit) -> list[Reply]:
        usage = unit.reports.usage(ctx.now)
        return [Reply(ctx.t("admin.stats", usage=usage, counts=ctx.content.library.counts()))]

    ctx.later.append(read)
    return []


def queue(ctx: Context) -> list[Reply]:
    def read(unit: Unit) -> list[Reply]:
        groups = unit.reports.claims()
        return [Reply(ctx.t("admin.queue", groups=groups[:QUEUE_SHOWN], total=len(groups)))]

    ctx.later.append(read)
    return []


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


def broadcast(ctx: Context, text: str) -> list[Reply]:
    """Show the announcement as subscribers will see it, and ask for confirmation."""
    text = text.strip()
    if not text:
        return [Reply(ctx.t("admin.broadcast_usage"))]
    draft = ctx.unit.outbox.create_broadcast(html.escape(text), ctx.now)
    count = ctx.unit.subscriptions.subscribers(REMINDERS)
    ctx.bump()
    confirm = (
        (
            ctx.button("admin.broadcast_send", "bcast", str(draft.id), count=count),
            ctx.button("admin.broadcast_cancel", "menu"),
        ),
    )
    return [
        Reply(ctx.t("admin.broadcast_preview", count=count)),
        Reply(draft.text, confirm),
    ]


def confirm_broadcast(ctx: Context, arg: str | None) -> list[Reply]:
    if not ctx.is_admin:
        return refused(ctx)
    if arg is None or not arg.isdigit():
        return stale_button(ctx)
    queued = ctx.unit.outbox.queue_broadcast(int(arg), REMINDERS, ctx.now)
    if queued is None:
        return stale_button(ctx)
    return [Reply(ctx.t("admin.broadcast_queued", count=queued), replace=True)]
