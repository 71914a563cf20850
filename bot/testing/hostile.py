"""Hostile input for the engine and the Telegram renderer, shared by the property tests and the
reliability benchmark: strings that have broken chat bots and web apps before, and a check that
every outgoing message is still valid Telegram HTML within Telegram's limits."""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.events import Reply
from bot.library.limits import CALLBACK_ANSWER_CHARS, CALLBACK_DATA_BYTES
from bot.testing.fakebotapi.html_check import CAPTION_LIMIT, MESSAGE_LIMIT, html_problems
from bot.transports.telegram._html import split_html, visible_length

NAUGHTY = [
    "",
    " ",
    "\n\n\n",
    "<b>bold</b>",
    "</b></i></a>",
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
    "&lt;&amp;&gt; &nbsp; &#0; &#x110000;",
    "{{ 7*7 }} {% for x in range(9) %}{{x}}{% endfor %}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "' OR 1=1; DROP TABLE users; --",
    "\u0000\u0001\u0002\u001f\u007f",
    "\u202etxt.exe\u202c",
    "\u200b\u200c\u200d\u2060\ufeff",
    "\u05d0\u05d1\u05d2 abc \u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "Z\u0351\u0360\u0357\u0350\u0346a\u0352\u0357l\u034d\u0351go\u0303\u0347",
    "👩‍👩‍👧‍👦🏳️‍🌈🇺🇦" * 20,
    "\ud83d",  # a lone surrogate
    "/start@" + "x" * 300,
    "/" * 500,
    "/check",
    "/check " + "claim " * 1000,
    "a" * 10_000,
    "ы" * 5000 + " <" * 500,
    "%s %d %n {0} ${x}",
    "../../../../etc/passwd",
    "null",
    "True",
    "1e308",
    "-1",
    "99999999999999999999",
    "http://exa mple.com/<script>",
    "https://www.example.org/path?utm_source=x&fbclid=y#frag",
    "— Name (@handle) March 7, 2022",
    "Forwarded from Channel\n\n5G towers cause COVID-19",
    "شبکه‌های ۵G ویروس کرونا را منتشر می‌کنند",
    "新型冠状病毒 5G 传播",
    "\t\r\n\x0b\x0c",
]

PAYLOADS = [
    "",
    ":",
    "::::",
    "pick",
    "pick:",
    "pick::",
    "pick:-1:0",
    "pick:0:-1",
    "pick:1:99999999999999999999",
    "lesson:../../x",
    "lesson:" + "a" * 60,
    "fc:<b>",
    "lang:zz",
    "rate:1:8",
    "erase:0",
    "bcast:1:1",
    "menu:extra:parts",
    "\u0000" * 64,
    "x" * 64,
    "é" * 40,
]


def reply_problems(replies: Sequence[Reply]) -> list[str]:
    """What would make Telegram refuse a reply, or break the 64-byte button rule."""
    problems: list[str] = []
    for reply in replies:
        limit = CAPTION_LIMIT if (reply.image or reply.attachment) else MESSAGE_LIMIT
        text = reply.text
        if (reply.image or reply.attachment) and visible_length(text) > CAPTION_LIMIT:
            limit = MESSAGE_LIMIT  # sent as a photo, then the text as messages
        for piece in split_html(text, limit) if text.strip() else []:
            problems += html_problems(piece, limit)
        for button in reply.flat_buttons:
            size = len(button.payload.encode())
            if not 1 <= size <= CALLBACK_DATA_BYTES:
                problems.append(f"callback data of {size} bytes")
            if not button.label.strip():
                problems.append("a button without a label")
        if reply.notice is not None and len(reply.notice) > CALLBACK_ANSWER_CHARS:
            problems.append("a callback answer over 200 characters")
    return problems
