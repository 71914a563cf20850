"""Checking a claim: answer with the matching fact-check, offer candidates, or say honestly
that there is none yet, how to check it yourself, and offer to send it to the editors.

The claim's text is stored only if its sender taps "send to the editors"; until then it waits
in memory for a few minutes. Every check is counted (tier and fact-check, no user, no text)."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup

from bot.engine.context import Context, Voice
from bot.engine.events import Button, InlineAnswer, Reply
from bot.engine.menu import menu_buttons, stale_button
from bot.library.limits import fit_label
from bot.library.schema import FactCheck
from bot.matching import Tier
from bot.texts.templates import plain_text

REASON_CHARS = 500
REASON = "reason:"  # users.awaiting: "reason:<feedback id>:<end of the wait, Unix seconds>"
REASON_WAIT = dt.timedelta(minutes=10)
MIN_CLAIM_CHARS = 4
QUOTE_CHARS = 3000  # of the claim quoted back above "send it to the editors": one message
ANSWERS = "answers"  # the subscription kind: tell me when my claim gets a fact-check


def check(ctx: Context, text: str) -> list[Reply]:
    text = text.strip()
    if sum(char.isalnum() for char in text) < MIN_CLAIM_CHARS:  # "2", "ok", "?": not a claim
        return [Reply(ctx.t("check.empty"), menu_buttons(ctx))]
    text = text[: ctx.limits.claim_chars]
    result = ctx.content.matcher.match(text, top=3, language=ctx.lang)
    library = ctx.content.library
    found = [
        fc
        for match in result.matches
        if (fc := library.factchecks.get((match.language, match.document_id))) is not None
    ]
    best = found[0].id if found and result.tier is not Tier.NONE else None
    ctx.unit.claims.record_check(ctx.lang, result.tier.value if found else "none", best, ctx.now)
    if result.tier is Tier.ANSWER and found:
        return [factcheck_reply(ctx, found[0])]
    ctx.pending.put(ctx.user.key, text, ctx.lang, ctx.now)
    if result.tier is Tier.SUGGEST and found:
        offers = [(Button(fit_label(fc.claim), ctx.payload("fc", fc.id)),) for fc in found[:3]]
        offers.append((ctx.button("check.none_of_these", "send"),))
        return [Reply(_with_quote(ctx, "check.suggest", text), tuple(offers))]
    send = (ctx.button("check.send", "send"),)
    return [Reply(_with_quote(ctx, "check.none", text), (send, *menu_buttons(ctx)))]


def _with_quote(ctx: Context, key: str, text: str) -> str:
    """A reply that offers to send `text` to the editors quotes it: the button under it is then
    a confirmation of exactly what goes."""
    quoted = text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "…"
    return ctx.t(key) + "\n\n" + ctx.t_fresh("check.quote", text=quoted)


def show(ctx: Context, factcheck_id: str | None) -> list[Reply]:
    fc = find_factcheck(ctx, factcheck_id)
    if fc is None:
        return stale_button(ctx)
    return [factcheck_reply(ctx, fc)]


def find_factcheck(ctx: Context, factcheck_id: str | None) -> FactCheck | None:
    """The fact-check `factcheck_id` in the person's language, else in any language (a
    suggestion may be in another language than the person's)."""
    library = ctx.content.library
    fc = library.factchecks.get((ctx.lang, factcheck_id or ""))
    if fc is None:
        fc = next((f for f in library.factchecks.values() if f.id == factcheck_id), None)
    return fc


def factcheck_reply(ctx: Context, fc: FactCheck) -> Reply:
    feedback = (
        (
            ctx.button("feedback.yes", "fb", f"y-{fc.id}"),
            ctx.button("feedback.no", "fb", f"n-{fc.id}"),
        ),
    )
    return Reply(render_factcheck(ctx, fc), feedback)


def render_factcheck(ctx: Voice, fc: FactCheck) -> str:
    return ctx.t(
        "check.answer",
        verdict=fc.verdict.value,
        verdict_label=Markup(ctx.t(f"verdict.{fc.verdict.value}")),  # noqa: S704 - rendered
        claim=fc.claim,
        answer=fc.answer,
        explanation=fc.explanation,
        sources=fc.sources,
        reviewed=fc.reviewed.date.isoformat() if fc.reviewed else None,
    )


def feedback(ctx: Context, arg: str | None) -> list[Reply]:
    vote, _, factcheck_id = (arg or "").partition("-")
    fc = find_factcheck(ctx, factcheck_id)
    if vote not in ("y", "n") or fc is None:
        return stale_button(ctx)
    row = ctx.unit.claims.add_feedback(ctx.user, fc.id, fc.language, vote == "y", ctx.now)
    if vote == "y":
        return [Reply(ctx.t("feedback.thanks"), notice=ctx.label("feedback.thanks"))]
    until = int((ctx.now + REASON_WAIT).timestamp())
    ctx.user.awaiting = f"{REASON}{row.id}:{until}"
    skip = ((ctx.button("feedback.skip", "menu"),),)
    minutes = int(REASON_WAIT.total_seconds() // 60)
    return [Reply(ctx.t("feedback.ask_reason", minutes=minutes), skip)]


def awaited_reason(ctx: Context) -> int | None:
    """The feedback whose reason the person was asked for, while the wait lasts: the next text
    only, within REASON_WAIT of the 👎 (any button or command ends it earlier)."""
    awaiting = ctx.user.awaiting or ""
    if not awaiting.startswith(REASON):
        return None
    feedback_id, _, until = awaiting.removeprefix(REASON).partition(":")
    if not (feedback_id.isdigit() and until.isdigit()):
        return None  # an older wait without an end: over
    if ctx.now.timestamp() > int(until):
        return None
    return int(feedback_id)


def reason(ctx: Context, feedback_id: int, text: str) -> list[Reply]:
    row = ctx.unit.claims.feedback(ctx.user, feedback_id)
    stored = text.strip()[:REASON_CHARS]
    if row is None or not stored:
        return [Reply(ctx.t("feedback.thanks"), menu_buttons(ctx))]
    row.reason = stored
    delete = (ctx.button("feedback.delete_reason", "unreason", str(row.id)),)
    shown = ctx.t_fresh("feedback.reason_stored", reason=stored)
    return [Reply(shown, (delete, *menu_buttons(ctx)))]


def delete_reason(ctx: Context, arg: str | None) -> list[Reply]:
    """Take back a stored reason; the 👎 itself stays."""
    row = ctx.unit.claims.feedback(ctx.user, int(arg)) if arg and arg.isdigit() else None
    if row is None:
        return stale_button(ctx)
    row.reason = None
    return [Reply(ctx.t("feedback.reason_deleted"), menu_buttons(ctx))]


def send_to_editors(ctx: Context) -> list[Reply]:
    key, pending, now = ctx.user.key, ctx.pending, ctx.now
    taken = pending.take(key, now)
    if taken is None:
        return [Reply(ctx.t("check.send_again"), menu_buttons(ctx))]
    text, language = taken
    # Taken at once, so a second tap on another worker cannot queue it twice; put back if this
    # event's unit of work rolls back, so the claim is not lost either.
    ctx.undo.append(lambda: pending.put(key, text, language, now))
    since = ctx.now - dt.timedelta(days=1)
    if ctx.unit.claims.claims_queued_since(ctx.user, since) >= ctx.limits.queued_claims_per_day:
        return [Reply(ctx.t("check.queue_full"), menu_buttons(ctx))]
    ctx.unit.claims.queue_claim(ctx.user, language, text, ctx.now)
    if ctx.incoming.address is None:
        return [Reply(ctx.t("check.sent"), menu_buttons(ctx))]
    ctx.bump()
    ask = (
        (
            ctx.button("check.notify_yes", "notify", "y"),
            ctx.button("check.notify_no", "notify", "n"),
        ),
    )
    return [Reply(ctx.t("check.sent") + "\n\n" + ctx.t("check.notify_ask"), ask)]


def notify_choice(ctx: Context, arg: str | None) -> list[Reply]:
    if arg == "y" and ctx.incoming.address is not None:
        ctx.unit.subscriptions.subscribe(
            ctx.user, ANSWERS, ctx.incoming.address, ctx.lang, ctx.now, None
        )
        return [Reply(ctx.t("check.notify_on"), menu_buttons(ctx))]
    if arg in ("y", "n"):
        return [Reply(ctx.t("check.notify_off"), menu_buttons(ctx))]
    return stale_button(ctx)


def inline(ctx: Voice, text: str) -> list[InlineAnswer]:
    """Fact-checks to drop into any chat via inline mode (`@bot claim`)."""
    result = ctx.content.matcher.match(text[:1000], top=5, language=ctx.lang)
    if result.tier is Tier.NONE:
        return []
    answers = []
    for match in result.matches:
        fc = ctx.content.library.factchecks.get((match.language, match.document_id))
        if fc is None:
            continue
        # The claim we checked comes first, and the verdict is said to be about that claim:
        # a bare "False" above someone's message would read as a verdict on it.
        verdict = Markup(ctx.t(f"verdict.{fc.verdict.value}"))  # noqa: S704 - rendered
        described = ctx.t("check.inline_description", verdict_label=verdict, answer=fc.answer)
        answers.append(
            InlineAnswer(
                id=f"{fc.language}:{fc.id}",
                title=fc.claim[:200],
                description=plain_text(described)[:200],
                text=render_factcheck(ctx, fc),
            )
        )
    return answers
