"""Reading the buttons of a message the bot sent, as a client sees them at the Bot API.

The benchmarks and the transport tests press buttons by verb and argument, not by the exact
payload (which carries the person's step tag and owner tag), and judge order by the step tag of
stateful buttons. The payload format and which verbs are stateful come from the bot itself
(`bot.engine.payloads`, `bot.engine.verbs`), so these helpers follow any change to either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bot.engine.payloads import Payload, decode
from bot.engine.verbs import BUTTONS


def keyboard_data(markup: Any) -> tuple[str, ...]:
    """The callback data of every button of a reply_markup (a dict, or its JSON as sent)."""
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            return ()
    if not isinstance(markup, dict):
        return ()
    return tuple(
        str(button["callback_data"])
        for row in markup.get("inline_keyboard", [])
        for button in row
        if isinstance(button, dict) and "callback_data" in button
    )


def verb_of(data: str) -> str:
    """The verb a payload names (the text before the first colon, valid or not)."""
    return data.split(":", 1)[0]


def is_stateful(data: str) -> bool:
    """True for a payload whose verb is tied to the step it was shown at."""
    verb = BUTTONS.get(verb_of(data))
    return verb is not None and verb.stateful


def step_tag(data: str) -> int | None:
    """The step tag of a stateful button's payload; None for any other."""
    payload = decode(data)
    if payload is None or not is_stateful(data):
        return None
    return payload.seq


def find_button(payloads: Iterable[str], verb: str, arg: str | None = None) -> str | None:
    """The first payload pressing `verb` (with argument `arg`, when given), or None."""
    for data in payloads:
        payload = decode(data)
        if payload is not None and payload.verb == verb and (arg is None or payload.arg == arg):
            return data
    return None


def with_owner(data: str, who: str) -> str | None:
    """The same payload made out to another person's owner tag; None for an invalid one."""
    payload = decode(data)
    if payload is None:
        return None
    return Payload(payload.verb, payload.seq, who, payload.arg).encode()
