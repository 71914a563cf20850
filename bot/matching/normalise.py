"""Text folding and tokenisation shared by the index and the queries.

A forwarded claim differs from the fact-check's wording in case, accents, emoji, punctuation,
digits written in another script and, in Persian and Arabic, in which of two look-alike letters a
keyboard produces. Both sides go through the same `fold`, so these differences stop mattering.
Scripts written without spaces (Chinese, Japanese, Thai, ...) are cut into overlapping character
pairs, which match well without a dictionary.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that Arabic and Persian keyboards produce differently for the same word.
_ARABIC_SCRIPT = str.maketrans(
    {
        "\u064a": "\u06cc",  # Arabic yeh -> Persian yeh
        "\u0649": "\u06cc",  # alef maksura -> Persian yeh
        "\u0643": "\u06a9",  # Arabic kaf -> keheh
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u0640": "",  # tatweel (a stretching stroke, not a letter)
        "\u200c": " ",  # zero-width non-joiner separates parts of a Persian word
        "\u200d": "",  # zero-width joiner (emoji sequences)
        "\u00ad": "",  # soft hyphen
    }
)
# An apostrophe inside a word is part of it ("don't", "O'Neill"); a possessive 's is dropped.
_POSSESSIVE = re.compile(r"(?<=\w)['’ʼ`]s\b")
_APOSTROPHE = re.compile(r"(?<=\w)['’ʼ`](?=\w)")
_THOUSANDS = re.compile(r"(?<=\d)[,\u066c](?=\d{3}\b)")
_DECIMAL = re.compile(r"(?<=\d)[.\u066b](?=\d)")
_DIGIT = re.compile(r"\d")
_DECIMAL_MARK = "\x00"  # kept through punctuation removal, turned back into "."

# Scripts written without spaces between words: Han, kana, Thai, Lao, Khmer, Myanmar.
_NO_SPACE = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
)
_UNSPACED = re.compile(f"[{_NO_SPACE}]")
_TOKEN = re.compile(rf"(?P<seq>[{_NO_SPACE}]+)|\d+(?:\.\d+)+|[^\W_{_NO_SPACE}]+")


class _FoldTable(dict[int, str]):
    """`str.translate` table built lazily: each character is classified once, then looked up."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Nd":
            folded = str(unicodedata.digit(char))
        elif category[0] in "LN" or char == _DECIMAL_MARK:
            folded = char
        elif category == "Mn":
            folded = ""
        else:
            folded = " "
        self[code] = folded
        return folded


_FOLD = _FoldTable()
_ANY_APOSTROPHE = re.compile("['’ʼ`]")


def fold(text: str) -> str:
    """Lower-case letters and digits separated by single spaces.

    NFKC, case folding, accents and other combining marks removed, any script's digits made ASCII,
    Arabic/Persian letter variants unified, punctuation, symbols and emoji turned into spaces.

    >>> fold("Ｃafé’s  ❤️ VIRAL post!!  1,000 €")
    'cafe viral post 1000'
    """
    if _DECIMAL_MARK in text:
        text = text.replace(_DECIMAL_MARK, " ")
    ascii_only = text.isascii()
    if not ascii_only:
        text = unicodedata.normalize("NFKC", text).translate(_ARABIC_SCRIPT)
    if _ANY_APOSTROPHE.search(text) is not None:
        text = _APOSTROPHE.sub("", _POSSESSIVE.sub("", text))
    if _DIGIT.search(text) is not None:
        text = _DECIMAL.sub(_DECIMAL_MARK, _THOUSANDS.sub("", text))
    if ascii_only:
        text = text.lower().translate(_FOLD)
    else:
        text = unicodedata.normalize("NFD", text.casefold()).translate(_FOLD)
        # Decomposition split some letters (ئ, ۀ) into a base that needs unifying again.
        text = unicodedata.normalize("NFC", text).translate(_ARABIC_SCRIPT)
    return " ".join(text.replace(_DECIMAL_MARK, ".").split())


def split_folded(folded: str) -> list[str]:
    """Tokens of already folded text: words, numbers, and character pairs of unspaced scripts."""
    if _UNSPACED.search(folded) is None:
        return folded.split()
    tokens: list[str] = []
    for match in _TOKEN.finditer(folded):
        piece = match.group(0)
        if match.group("seq") is None or len(piece) == 1:
            tokens.append(piece)
        else:
            tokens.extend(piece[i : i + 2] for i in range(len(piece) - 1))
    return tokens


def tokenize(text: str) -> list[str]:
    """`split_folded(fold(text))`.

    >>> tokenize("Вакцина содержит ЧИП")
    ['вакцина', 'содержит', 'чип']
    >>> tokenize("疫苗含有芯片")
    ['疫苗', '苗含', '含有', '有芯', '芯片']
    """
    return split_folded(fold(text))
