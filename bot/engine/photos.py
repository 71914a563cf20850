"""Checking a picture someone sent: a picture already checked is answered by its fact-check;
otherwise the words read in it, with its caption, are checked like any message.

The picture itself never reaches the engine, only what the transport read from it (words and
hashes). The hashes are dropped with the event; the words are kept only as a claim's text is,
when the person sends it to the editors.
"""

from __future__ import annotations

import re

from bot.engine import factcheck
from bot.engine.context import Context
from bot.engine.events import Reply, SeenPicture
from bot.engine.menu import menu_buttons

_CHECK_COMMAND = re.compile(r"^/check(@\w+)?\b", re.IGNORECASE)


def check_picture(ctx: Context, picture: SeenPicture, caption: str) -> list[Reply]:
    caption = _CHECK_COMMAND.sub("", caption.strip()).strip()
    if picture.problem is not None:
        if caption:  # the picture could not be looked at, but its caption can
            return factcheck.check(ctx, caption)
        return [Reply(ctx.t(f"picture.{picture.problem.value}"), menu_buttons(ctx))]
    known = ctx.content.pictures.find(picture.hashes)
    fc = factcheck.find_factcheck(ctx, known[1]) if known is not None else None
    if fc is not None:
        ctx.unit.claims.record_check(ctx.lang, "answer", fc.id, ctx.now)
        return [factcheck.factcheck_reply(ctx, fc)]
    if picture.text is None and not caption:
        return [Reply(ctx.t("picture.no_reader"), menu_buttons(ctx))]
    words = "\n".join(part for part in (caption, picture.text or "") if part)
    if sum(char.isalnum() for char in words) < factcheck.MIN_CLAIM_CHARS:
        ctx.unit.claims.record_check(ctx.lang, "none", None, ctx.now)
        return [Reply(ctx.t("picture.no_match"), menu_buttons(ctx))]
    return factcheck.check(ctx, words)
