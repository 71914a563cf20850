"""Light suffix stripping, so "vaccines", "vaccinated" and "vaccine" share an index term.

Deliberately light: only inflections (plural, past, gerund, a few derivations) are removed, and
only from words long enough to survive it, because an aggressive stemmer conflates words that a
fact-check must keep apart. English rules apply to Latin-script words and Russian rules to
Cyrillic ones; other scripts pass unchanged. The same function is applied to documents and
queries, so an imperfect stem costs nothing as long as both sides get it.
"""

from __future__ import annotations

_VOWELS = frozenset("aeiouy")
_DOUBLE = frozenset(("bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"))
_EN_SUFFIXES = (
    ("ational", "ate"),
    ("fulness", "ful"),
    ("iveness", "ive"),
    ("ization", "ize"),
    ("isation", "ize"),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ments", ""),
    ("ment", ""),
    ("ness", ""),
    ("ities", ""),
    ("ity", ""),
    ("ises", "ize"),
    ("ised", "ize"),
    ("ising", "ize"),
    ("izes", "ize"),
    ("ized", "ize"),
    ("izing", "ize"),
    ("ise", "ize"),
    ("ingly", ""),
    ("edly", ""),
    ("ally", "al"),
    ("ly", ""),
)
# Russian inflectional endings, longest first: adjective, verb, noun and reflexive forms.
_RU_ENDINGS = tuple(
    sorted(
        {
            *("ившись", "ывшись", "вшись", "ающие", "яющие", "ующие", "ившие", "ывшие"),
            *("ующий", "ающий", "яющий", "иями", "ями", "ами", "ого", "его", "ому", "ему"),
            *("ыми", "ими", "ией", "ием", "иях", "ях", "ах", "ое", "ее", "ие", "ые", "ая"),
            *("яя", "ую", "юю", "ой", "ей", "ий", "ый", "ом", "ем", "ам", "ям", "ов", "ев"),
            *("ия", "ию", "ии", "ть", "ти", "ет", "ют", "ат", "ят", "ит", "ут", "ешь", "ишь"),
            *("ете", "ите", "им", "ал", "ил", "ыл", "ся", "сь", "ь", "а", "я", "о", "е"),
            *("и", "ы", "у", "ю", "й"),
        },
        key=lambda ending: (-len(ending), ending),
    )
)


def _has_vowel(stem: str) -> bool:
    return any(char in _VOWELS for char in stem)


def _undouble(stem: str) -> str:
    return stem[:-1] if stem[-2:] in _DOUBLE else stem


# Words that end in -s without being plurals: "news" is not many "new"s.
_NOT_PLURALS = frozenset({"news", "series", "species", "means", "politics", "physics"})


def stem_english(word: str) -> str:
    """A light English stemmer: plurals, -ed, -ing and common derivational endings."""
    if len(word) <= 3 or not word.isascii() or not word.isalpha() or word in _NOT_PLURALS:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "shes", "ches", "xes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    if word.endswith("eed") and len(word) > 4:
        word = word[:-1]
    elif word.endswith("ed") and len(word) > 4 and _has_vowel(word[:-2]):
        word = _undouble(word[:-2])
    elif word.endswith("ing") and len(word) > 5 and _has_vowel(word[:-3]):
        word = _undouble(word[:-3])
    for suffix, replacement in _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def stem_russian(word: str) -> str:
    """Strip one inflectional ending from a Cyrillic word, keeping a stem of 3+ letters."""
    for ending in _RU_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


_CACHE: dict[str, str] = {}
_CACHE_LIMIT = 500_000


def stem(word: str) -> str:
    """The stem of a folded token, by script: English rules for ASCII, Russian for Cyrillic.

    Memoised in a plain dict (cheaper per call than functools.lru_cache, and the index stems
    millions of tokens); concurrent callers at worst compute a stem twice.
    """
    found = _CACHE.get(word)
    if found is None:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        found = _CACHE[word] = _stem(word)
    return found


def _stem(word: str) -> str:
    if word.isascii():
        return stem_english(word) if word.isalpha() else word
    first = word[0]
    if "\u0400" <= first <= "\u04ff":
        return stem_russian(word)
    return word
