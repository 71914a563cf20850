"""The plain events the engine speaks: what a transport hands in and what it gets back.

These are the whole contract between the engine and any transport (Telegram, the terminal,
tests). Reply text is Telegram's HTML subset (b, i, u, s, a, code, pre, blockquote), with every
piece of user or content text already escaped; a transport for another medium converts it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


@dataclass(frozen=True)
class Incoming:
    """One thing a user did: sent text (a command or a claim) or pressed a button.

    `user` is the pseudonymous key of the person (a keyed hash of the platform id), never the raw
    platform id. `language` is the platform's hint about the user's language, used at first contact.
    `event_id` identifies the platform event, so a re-delivered one is not handled twice.
    `address` is where a later, unasked message could reach this person, sealed by the transport;
    the engine stores it only when the person opts in to such messages.
    """

    user: str
    text: str = ""
    payload: str | None = None
    language: str | None = None
    chat: ChatKind = ChatKind.PRIVATE
    event_id: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Button:
    """A button: pressing it sends `payload` back as Incoming.payload (at most 64 bytes)."""

    label: str
    payload: str


@dataclass(frozen=True)
class Attachment:
    """A file made for the user: a picture (`photo`, PNG) or a document such as a data export."""

    filename: str
    data: bytes
    photo: bool = False
    # Drawn by the transport, when set: a picture takes a tenth of a second of CPU, and the
    # transport knows where to spend it (Telegram: in a helper process, so no one else waits).
    # It must pickle (a module-level function with plain arguments); `data` is empty until then.
    draw: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)

    def drawn(self) -> Attachment:
        """This attachment with its data made, here and now."""
        if self.draw is None:
            return self
        return Attachment(self.filename, self.draw(), self.photo)


def undrawn(replies: list[Reply]) -> bool:
    """True when some reply carries an attachment still to be drawn."""
    return any(r.attachment is not None and r.attachment.draw is not None for r in replies)


def drawn(replies: list[Reply]) -> list[Reply]:
    """The replies with every attachment drawn, in this thread."""
    if not undrawn(replies):
        return replies
    return [
        replace(r, attachment=r.attachment.drawn()) if r.attachment is not None else r
        for r in replies
    ]


@dataclass(frozen=True)
class Reply:
    """One message to show.

    `image` is an http(s) URL or a file path; with an image, `text` is its caption.
    `replace` asks the transport to edit the message whose button was pressed instead of sending
    a new one (lesson navigation), where the medium can.
    `notice` is a short text for the button press itself (Telegram's callback answer).
    `attachment` is a file made for the user (a progress chart, a data export); with a photo
    attachment, `text` is its caption.
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    image: str | None = None
    replace: bool = False
    notice: str | None = None
    attachment: Attachment | None = None

    @property
    def flat_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]


@dataclass(frozen=True)
class InlineAnswer:
    """One result for inline mode (`@bot claim` in any chat): a fact-check to drop into a chat."""

    id: str
    title: str
    description: str
    text: str
