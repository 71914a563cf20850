"""A person's rights over their data, and their opt-ins: /mydata, /forget, /remind.

/mydata hands over everything stored about the person; /forget erases it after a confirmation,
in one transaction; /remind turns daily review reminders on or off (the delivery address is
stored only while they are on).
"""

from __future__ import annotations

import datetime as dt

from bot.engine.context import Context
from bot.engine.events import Attachment, Reply
from bot.engine.menu import menu_buttons, stale_button

REMINDERS = "reminders"
REMINDER_GAP = dt.timedelta(days=1)
UNASKED_KINDS = ("reminder", "broadcast")  # what a reminders subscription brings


def mydata(ctx: Context) -> list[Reply]:
    data = ctx.unit.privacy.export_json(ctx.user)
    export = Attachment("civicbot-my-data.json", data)
    return [Reply(ctx.t("account.mydata"), menu_buttons(ctx), attachment=export)]


def forget(ctx: Context) -> list[Reply]:
    ctx.bump()
    confirm = (
        (ctx.button("account.forget_yes", "erase"), ctx.button("account.forget_no", "menu")),
    )
    return [Reply(ctx.t("account.forget_ask"), confirm)]


def erase(ctx: Context) -> list[Reply]:
    ctx.pending.drop(ctx.user.key)
    text = ctx.t("account.forgotten")  # rendered before the language choice is erased too
    ctx.unit.privacy.erase(ctx.user)
    return [Reply(text, replace=True, forgotten=True)]


def remind(ctx: Context, arg: str | None) -> list[Reply]:
    current = ctx.unit.subscriptions.subscription(ctx.user, REMINDERS)
    if arg == "off" or (arg is None and current is not None):
        ctx.unit.subscriptions.unsubscribe(ctx.user, REMINDERS)
        ctx.unit.outbox.cancel_pending(ctx.user, UNASKED_KINDS)
        return [Reply(ctx.t("account.reminders_off"), menu_buttons(ctx))]
    if arg not in (None, "on"):
        return stale_button(ctx)
    if ctx.incoming.address is None:
        return [Reply(ctx.t("account.reminders_unavailable"), menu_buttons(ctx))]
    ctx.unit.subscriptions.subscribe(
        ctx.user, REMINDERS, ctx.incoming.address, ctx.lang, ctx.now, ctx.now + REMINDER_GAP
    )
    return [Reply(ctx.t("account.reminders_on"), menu_buttons(ctx))]
