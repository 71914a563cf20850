"""Button payloads: a verb, the user's button tag for stateful verbs, and short arguments.

Stateful verbs (turn a card, answer a question) carry the `seq` the user had when the button was
shown; any other value is stale or forged and is refused without changing anything. Stateless
verbs (open the menu, open a lesson by id) are safe to press at any time and carry no tag.
Everything fits Telegram's 64-byte callback_data limit because content ids are at most 40 chars.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.library.limits import CALLBACK_DATA_BYTES

STATEFUL = frozenset(
    {"next", "back", "pick", "tick", "done", "cont", "retry", "rate", "erase", "notify", "bcast"}
)
STATELESS = frozenset(
    {
        "menu",
        "lessons",
        "lesson",
        "quiz",
        "lang",
        "fc",
        "progress",
        "help",
        "review",
        "test",
        "send",
        "fb",
        "forget",
        "remind",
        "mydata",
    }
)
_ARG = re.compile(r"^[a-z0-9_-]{1,48}$")


@dataclass(frozen=True)
class Payload:
    verb: str
    seq: int | None = None
    arg: str | None = None

    def encode(self) -> str:
        parts = [self.verb]
        if self.verb in STATEFUL:
            parts.append(str(self.seq))
        if self.arg is not None:
            parts.append(self.arg)
        data = ":".join(parts)
        if len(data.encode()) > CALLBACK_DATA_BYTES:
            raise ValueError(f"payload too long: {data!r}")
        return data


def decode(data: str) -> Payload | None:
    """The payload in `data`, or None when it is not one this bot could have made."""
    if len(data.encode("utf-8", "replace")) > CALLBACK_DATA_BYTES:
        return None
    parts = data.split(":")
    verb = parts[0]
    if verb in STATEFUL:
        seq = parts[1] if len(parts) > 1 else ""
        # ASCII digits only: str.isdigit() also accepts "²" and "١", which int() refuses.
        if len(parts) not in (2, 3) or not (seq.isascii() and seq.isdigit()) or len(seq) > 9:
            return None
        arg = parts[2] if len(parts) == 3 else None
        if arg is not None and not _ARG.match(arg):
            return None
        return Payload(verb, int(parts[1]), arg)
    if verb in STATELESS:
        if len(parts) > 2:
            return None
        arg = parts[1] if len(parts) == 2 else None
        if arg is not None and not _ARG.match(arg):
            return None
        return Payload(verb, None, arg)
    return None
