"""Pictures: drawn from the engine's picture specs, away from the conversation."""

from __future__ import annotations

from dataclasses import replace

from bot.engine.events import Attachment, Reply
from bot.engine.pictures import Picture, ProgressPicture


def draw(picture: Picture) -> bytes:
    """The PNG for a picture spec. A module-level function, so a helper process can run it."""
    from bot.transports.drawing.charts import progress_png

    if isinstance(picture, ProgressPicture):
        return progress_png(picture.data, picture.labels)
    raise TypeError(f"no drawing for {type(picture).__name__}")


def undrawn(replies: list[Reply]) -> bool:
    """True when some reply carries a picture still to be drawn."""
    return any(r.attachment is not None and r.attachment.picture is not None for r in replies)


def drawn_attachment(made: Attachment) -> Attachment:
    if made.picture is None:
        return made
    return Attachment(made.filename, draw(made.picture), made.photo)


def drawn(replies: list[Reply]) -> list[Reply]:
    """The replies with every picture drawn, in this thread (the terminal, tests)."""
    if not undrawn(replies):
        return replies
    return [
        replace(r, attachment=drawn_attachment(r.attachment)) if r.attachment is not None else r
        for r in replies
    ]
