"""Checking a claim: answer with the matching fact-check, offer candidates, or say honestly
that there is none yet and how to check it yourself."""

from __future__ import annotations

from bot.engine.context import Context, Voice
from bot.engine.events import Button, InlineAnswer, Reply
from bot.engine.menu import menu_buttons, stale_button
from bot.library.schema import FactCheck
from bot.limits import fit_label
from bot.matching import Tier

MAX_CLAIM_CHARS = 4000


def check(ctx: Context, text: str) -> list[Reply]:
    text = text.strip()
    if not text:
        return [Reply(ctx.t("check.empty"), menu_buttons(ctx))]
    result = ctx.content.matcher.match(text[:MAX_CLAIM_CHARS], top=3, language=ctx.lang)
    library = ctx.content.library
    found = [
        fc
        for match in result.matches
        if (fc := library.factchecks.get((match.language, match.document_id))) is not None
    ]
    if result.tier is Tier.ANSWER and found:
        return [factcheck_reply(ctx, found[0])]
    if result.tier is Tier.SUGGEST and found:
        rows = tuple((Button(fit_label(fc.claim), ctx.payload("fc", fc.id)),) for fc in found[:3])
        return [Reply(ctx.t("check.suggest"), rows)]
    return [Reply(ctx.t("check.none"), menu_buttons(ctx))]


def show(ctx: Context, factcheck_id: str | None) -> list[Reply]:
    library = ctx.content.library
    fc = library.factchecks.get((ctx.lang, factcheck_id or ""))
    if fc is None:  # a suggestion may be in another language than the user's
        fc = next((f for f in library.factchecks.values() if f.id == factcheck_id), None)
    if fc is None:
        return stale_button(ctx)
    return [factcheck_reply(ctx, fc)]


def factcheck_reply(ctx: Context, fc: FactCheck) -> Reply:
    return Reply(render_factcheck(ctx, fc))


def render_factcheck(ctx: Voice, fc: FactCheck) -> str:
    return ctx.t(
        "check.answer",
        verdict=fc.verdict.value,
        verdict_label=ctx.t(f"verdict.{fc.verdict.value}"),
        claim=fc.claim,
        answer=fc.answer,
        explanation=fc.explanation,
        sources=fc.sources,
        reviewed=fc.reviewed,
    )


def inline(ctx: Voice, text: str) -> list[InlineAnswer]:
    """Fact-checks to drop into any chat via inline mode (`@bot claim`)."""
    result = ctx.content.matcher.match(text[:MAX_CLAIM_CHARS], top=5, language=ctx.lang)
    if result.tier is Tier.NONE:
        return []
    answers = []
    for match in result.matches:
        fc = ctx.content.library.factchecks.get((match.language, match.document_id))
        if fc is None:
            continue
        verdict = ctx.label(f"verdict.{fc.verdict.value}")
        answers.append(
            InlineAnswer(
                id=f"{fc.language}:{fc.id}",
                title=f"{verdict}: {fc.claim}"[:200],
                description=fc.answer[:200],
                text=render_factcheck(ctx, fc),
            )
        )
    return answers
