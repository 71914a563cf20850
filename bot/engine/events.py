"""The plain events the engine speaks: what a transport hands in and what it gets back.

These are the whole contract between the engine and any transport (Telegram, the terminal,
tests). Reply text is Telegram's HTML subset (b, i, u, s, a, code, pre, blockquote), with every
piece of user or content text already escaped; a transport for another medium converts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.engine.pictures import Picture


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


class PictureProblem(StrEnum):
    """Why a picture someone sent could not be looked at."""

    TOO_BIG = "too_big"  # over the download limit: not fetched at all
    BROKEN = "broken"  # not a picture that can be decoded
    SLOW = "slow"  # reading it took longer than a picture may take


@dataclass(frozen=True)
class SeenPicture:
    """What the transport's picture reader made of a picture: the words read in it (None when
    no text reader is installed) and its perceptual hashes. The picture itself is never kept;
    this lives only as long as the event, and only the words may be stored, when the person
    sends the claim to the editors."""

    text: str | None = None
    hashes: tuple[int, ...] = ()
    problem: PictureProblem | None = None


@dataclass(frozen=True)
class Incoming:
    """One thing a user did: sent text (a command or a claim) or pressed a button.

    `user` is the pseudonymous key of the person (a keyed hash of the platform id), never the raw
    platform id. `language` is the platform's hint about the user's language, used at first contact.
    `event_id` identifies the platform event, so a re-delivered one is not handled twice.
    `picture` is a picture the person sent, as read by the transport (`text` is then its caption).
    `address` is where a later, unasked message could reach this person, sealed by the transport;
    the engine stores it only when the person opts in to such messages.
    `forwarded` marks someone else's words passed on (a forward): checked as a claim, never
    stored as the person's own (a feedback reason).
    """

    user: str
    text: str = ""
    payload: str | None = None
    language: str | None = None
    chat: ChatKind = ChatKind.PRIVATE
    event_id: str | None = None
    address: str | None = None
    bot_name: str | None = None  # the bot's username, for links that open a private chat
    forwarded: bool = False
    # In a group: its pseudonym (a keyed hash of the chat id), and whether the sender is one of
    # its administrators, for commands that act on the whole group (a class quiz). The sealed
    # `address` is then the group's, offered only with such a command.
    group: str | None = None
    chat_admin: bool = False
    picture: SeenPicture | None = None


@dataclass(frozen=True)
class Button:
    """A button: pressing it sends `payload` back as Incoming.payload (at most 64 bytes)."""

    label: str
    payload: str
    url: str | None = None  # a link button instead (payload unused): opens a private chat


@dataclass(frozen=True)
class Attachment:
    """A file made for the user: a picture (`photo`, PNG) or a document such as a data export.

    A picture arrives undrawn (`picture` set, `data` empty): the transport draws it, since it
    knows where to spend the CPU (Telegram: in a helper process, so no one else waits).
    """

    filename: str
    data: bytes
    photo: bool = False
    picture: Picture | None = None


@dataclass(frozen=True)
class Reply:
    """One message to show.

    `image` is an http(s) URL or a file path; with an image, `text` is its caption.
    `replace` asks the transport to edit the message whose button was pressed instead of sending
    a new one (lesson navigation), where the medium can.
    `notice` is a short text for the button press itself (Telegram's callback answer).
    `attachment` is a file made for the user (a progress chart, a data export); with a photo
    attachment, `text` is its caption.
    `forgotten` says the person's data has just been erased: a transport that keeps copies of
    what it showed them (the terminal's saved files) deletes those too.
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    image: str | None = None
    replace: bool = False
    notice: str | None = None
    attachment: Attachment | None = None
    forgotten: bool = False

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
