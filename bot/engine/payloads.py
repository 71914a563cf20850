"""Button payloads: a verb, the person's button tag, whose button it is, and a short argument.

Every payload is `verb:seq:who[:arg]`. `seq` is the tag the person had when the button was
shown; for a stateful verb (turn a card, answer a question) any other value is stale, and the
press changes nothing. `who` is a short keyed tag of the person the button was made for: in a
group everybody sees everybody's buttons, and a press by anyone else is refused before any work
is done. Which verbs exist and which are stateful is the verb table's business (`verbs.py`);
this module only reads and writes the format, within Telegram's 64-byte callback_data limit
(content ids are at most 40 characters).
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

from bot.library.limits import CALLBACK_DATA_BYTES

_VERB = re.compile(r"^[a-z]{1,12}$")
_WHO = re.compile(r"^[0-9a-f]{6}$")
_ARG = re.compile(r"^[a-z0-9_-]{1,48}$")


@functools.lru_cache(maxsize=4096)
def owner_tag(user_key: str) -> str:
    """The short tag that binds a button to the person (pseudonym) it was made for.

    24 bits: enough that a stranger's press in the same group matches by chance once in
    sixteen million, short enough to leave room for a content id in 64 bytes.
    """
    return hashlib.sha256(b"button-owner:" + user_key.encode()).hexdigest()[:6]


@dataclass(frozen=True)
class Payload:
    verb: str
    seq: int
    who: str
    arg: str | None = None

    def encode(self) -> str:
        parts = [self.verb, str(self.seq), self.who]
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
    if len(parts) not in (3, 4):
        return None
    verb, seq, who = parts[0], parts[1], parts[2]
    arg = parts[3] if len(parts) == 4 else None
    # ASCII digits only: str.isdigit() also accepts "²" and "١", which int() refuses.
    if not _VERB.match(verb) or not (seq.isascii() and seq.isdigit()) or len(seq) > 9:
        return None
    if not _WHO.match(who) or (arg is not None and not _ARG.match(arg)):
        return None
    return Payload(verb, int(seq), who, arg)
