"""Seeded hostile input: texts in many scripts and at every length, markup and template
injection, binary-looking text, noisy claims, commands with junk, and forged button payloads.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from bot.engine.verbs import BUTTONS, COMMANDS
from bot.library.catalog import Library
from bot.testing.hostile import NAUGHTY

# Code point ranges: scripts written left to right and right to left, combining marks, invisible
# and bidi controls, private use, astral planes, controls and (rarely) lone surrogates.
SCRIPTS: list[tuple[int, int]] = [
    (0x0021, 0x007E),  # ASCII
    (0x00A0, 0x024F),  # Latin-1 and extended
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x04FF),  # Cyrillic
    (0x0530, 0x058F),  # Armenian
    (0x0590, 0x05FF),  # Hebrew
    (0x0600, 0x06FF),  # Arabic
    (0x0700, 0x074F),  # Syriac
    (0x0900, 0x097F),  # Devanagari
    (0x0980, 0x09FF),  # Bengali
    (0x0B80, 0x0BFF),  # Tamil
    (0x0E00, 0x0E7F),  # Thai
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x10A0, 0x10FF),  # Georgian
    (0x1200, 0x137F),  # Ethiopic
    (0x1780, 0x17FF),  # Khmer
    (0x1800, 0x18AF),  # Mongolian
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x4E00, 0x9FFF),  # CJK
    (0xAC00, 0xD7A3),  # Hangul
    (0x0300, 0x036F),  # combining marks
    (0x2000, 0x206F),  # spaces, zero-width and bidi controls
    (0x2100, 0x22FF),  # letterlike, arrows, maths
    (0x2460, 0x24FF),  # enclosed digits (isdigit() but not int())
    (0x2500, 0x25FF),  # box drawing
    (0xE000, 0xF8FF),  # private use
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFFF0, 0xFFFF),  # specials, non-characters
    (0x1F300, 0x1FAFF),  # emoji
    (0x1D400, 0x1D7FF),  # mathematical alphanumerics
    (0x20000, 0x2A6DF),  # CJK extension B
    (0xE0000, 0xE007F),  # tags
    (0x0000, 0x001F),  # C0 controls
    (0x007F, 0x009F),  # C1 controls
]
SURROGATES = (0xD800, 0xDFFF)
DIGITS = "0123456789²³¹①⑨٠١٢۳߀०১๑１９⁰₉"
MARKUP = [
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    "<a href='x'>",
    '<a href="javascript:alert(1)">',
    "</a>",
    "<pre>",
    "<code class='language-x'>",
    "<tg-spoiler>",
    "<blockquote expandable>",
    "&",
    "&amp;",
    "&lt;",
    "&#0;",
    "&#x1F600;",
    "&nbsp;",
    "&bogus;",
    "<",
    ">",
    '"',
    "'",
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "${x}",
    "%s",
    "\\",
]
LANGUAGES: list[str | None] = [
    None,
    "en",
    "ru",
    "en",
    "ru",
    "xx",
    "",
    "<b>",
    "en-US",
    "zh-hans",
    "ru_RU",
    "a" * 100,
    "\u0000",
    "ar",
    "fa",
    "uk",
]
VERBS = sorted(BUTTONS)


class Generator:
    """Seeded hostile texts, payloads and languages."""

    def __init__(self, rng: random.Random, library: Library) -> None:
        self.rng = rng
        self.claims = [fc.claim for fc in library.factchecks.values()]
        self.answers = [
            answer
            for quiz in library.quizzes.values()
            for question in quiz.questions
            for answer in question.accepted
        ]

    def length(self) -> int:
        bucket = self.rng.choices([8, 64, 512, 4096, 16384], [15, 35, 25, 15, 10])[0]
        return self.rng.randint(0, bucket)

    def char(self, scripts: Sequence[tuple[int, int]]) -> str:
        if self.rng.random() < 0.001:
            return chr(self.rng.randint(*SURROGATES))
        low, high = self.rng.choice(scripts)
        return chr(self.rng.randint(low, high))

    def unicode(self, length: int) -> str:
        scripts = self.rng.sample(SCRIPTS, self.rng.randint(1, 3))
        out: list[str] = []
        size = 0
        while size < length:
            word = "".join(self.char(scripts) for _ in range(self.rng.randint(1, 12)))
            out.append(word)
            out.append(self.rng.choice([" ", " ", " ", "\n", "\t", ", ", ". ", "\u200f", ""]))
            size += len(word) + 1
        return "".join(out)[:length]

    def markup(self, length: int) -> str:
        pieces: list[str] = []
        while sum(map(len, pieces)) < length:
            if self.rng.random() < 0.5:
                pieces.append(self.rng.choice(MARKUP))
            else:
                pieces.append(self.unicode(self.rng.randint(1, 20)))
        return "".join(pieces)[: max(length, 1)]

    def binary(self, length: int) -> str:
        if self.rng.random() < 0.5:
            return bytes(self.rng.randrange(256) for _ in range(length)).decode("latin-1")
        raw = bytes(self.rng.randrange(256) for _ in range(length))
        return raw.decode("utf-8", errors="surrogateescape")

    def claim(self) -> str:
        claim = self.rng.choice(self.claims)
        words = claim.split()
        for _ in range(self.rng.randint(0, 4)):
            at = self.rng.randrange(len(words) + 1)
            words.insert(at, self.rng.choice([*NAUGHTY[:20], *MARKUP, self.unicode(8)]))
        text = " ".join(words)
        if self.rng.random() < 0.3:
            text = "Forwarded from Channel\n\n" + text + " https://t.co/x?utm_source=tg"
        if self.rng.random() < 0.2:
            text = text * self.rng.randint(2, 40)
        return text

    def command(self) -> str:
        name = self.rng.choice([*COMMANDS, self.unicode(6), "", "START"])
        suffix = self.rng.choice(["", "", "@civic_test_bot", "@" + self.unicode(10)])
        rest = self.rng.choice(["", " ", " on", " off", " " + self.text(depth=1)])
        return "/" + name + suffix + rest

    def text(self, depth: int = 0) -> str:
        kind = self.rng.choices(
            ["naughty", "unicode", "mixed", "markup", "binary", "claim", "command", "answer"],
            [20, 25, 15, 10, 5, 12, 10 if depth == 0 else 0, 3],
        )[0]
        if kind == "naughty":
            return self.rng.choice(NAUGHTY)
        if kind == "unicode":
            return self.unicode(self.length())
        if kind == "mixed":
            parts = [self.rng.choice(NAUGHTY) for _ in range(self.rng.randint(1, 4))]
            parts.append(self.unicode(self.length() // 4))
            self.rng.shuffle(parts)
            return self.rng.choice(["", " ", "\n"]).join(parts)
        if kind == "markup":
            return self.markup(self.length())
        if kind == "binary":
            return self.binary(self.length() // 4)
        if kind == "claim":
            return self.claim()
        if kind == "answer":
            return self.rng.choice(self.answers) + self.rng.choice(["", " ", "!", " <b>"])
        return self.command()

    def forged(self, valid: Sequence[str]) -> str:
        """A payload this bot could not have made, most often a close copy of one it did."""
        if not valid or self.rng.random() < 0.2:
            verb = self.rng.choice([*VERBS, "", "PICK", "pick ", self.unicode(4)])
            parts = [verb, *(self.forged_part() for _ in range(self.rng.randint(0, 3)))]
            return ":".join(parts)
        parts = self.rng.choice(valid).split(":")
        at = self.rng.randrange(len(parts))
        choice = self.rng.random()
        if choice < 0.4:
            parts[at] = self.forged_part()
        elif choice < 0.55:
            parts.append(self.forged_part())
        elif choice < 0.7 and len(parts) > 1:
            parts.pop(at)
        elif choice < 0.85:
            parts[0] = self.rng.choice(VERBS)
        else:
            parts[at] = parts[at] + self.rng.choice(["\u0000", " ", "é", "\u200b", "9" * 20])
        return ":".join(parts)

    def forged_part(self) -> str:
        return self.rng.choice(
            [
                str(self.rng.randint(-3, 12)),
                str(self.rng.randint(0, 10**12)),
                "".join(self.rng.choice(DIGITS) for _ in range(self.rng.randint(1, 3))),
                self.rng.choice(["", "-1", "+1", " 1", "1.0", "1e3", "0x1", "00", "NaN"]),
                self.unicode(self.rng.randint(1, 10)),
                "a" * self.rng.randint(40, 70),
                "../../" + self.unicode(4),
                self.rng.choice(["y-x", "n-x", "on", "off", "en", "ru", "zz", "q1", "ok"]),
            ]
        )

    def language(self) -> str | None:
        return self.rng.choice(LANGUAGES)
