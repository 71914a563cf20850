"""Moodle GIFT question banks as civicbot quizzes.

GIFT is the plain-text format Moodle imports and exports, so it is how most educators can hand
over an existing question bank. Questions are separated by blank lines; `$CATEGORY:` lines group
them, and each category becomes one quiz (questions before any category go into a quiz named
after the file). Multiple choice (one right answer, or weighted with several), true/false and
short answer map onto civicbot's question types; a missing-word question becomes the same type
with the gap shown as "_____". Matching, numerical, essay and description items have no
counterpart and are reported with their line, as is any question that cannot be read: the import
never stops at a bad question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from bot.library import schema
from bot.library.importers.common import (
    Entry,
    Item,
    Parsed,
    ending,
    first_problem,
    html_to_text,
    slugify,
    tidy,
    unique_id,
    with_prefix,
)
from bot.library.limits import BUTTON_CHARS, MESSAGE_CHARS

GAP = "_____"
# Escaped characters are swapped for private-use placeholders before the structure is parsed,
# so `\~` or `\{` in a text never splits it; they are turned back into the characters at the end.
_ESCAPABLE = "\\:~=#{}n"
_PLACEHOLDER = {char: chr(0xE000 + i) for i, char in enumerate(_ESCAPABLE)}
_RESTORE = str.maketrans(
    {code: ("\n" if char == "n" else char) for char, code in _PLACEHOLDER.items()}
)
# In HTML, an escaped `\n` still means a line break, so it becomes <br> before tags are read.
_RESTORE_KEEP_NEWLINE = {ord(_PLACEHOLDER["n"]): "<br>"}
_ESCAPE = re.compile(r"\\([\\:~=#{}n])")
_PRIVATE = re.compile("[\ue000-\ue007]")
_MARKDOWN = re.compile(r"\*\*|__|(?<!\w)[*_]\S|`|\[[^\]]*\]\(|^\s*#{1,6}\s", re.MULTILINE)
_FORMAT = re.compile(r"^\s*\[(html|markdown|plain|moodle)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
_TRUEFALSE = re.compile(r"^\s*(T|TRUE|F|FALSE)\s*(?:#|$)", re.IGNORECASE)
_MOODLE_PARTS = re.compile(r"^\$[a-z0-9]+\$$|^top$", re.IGNORECASE)

_SENTENCES = {
    "en": {
        "one": "The answer is: {}",
        "many": "The answers are: {}",
        "true": "The statement is true.",
        "false": "The statement is false.",
    },
    "ru": {
        "one": "Правильный ответ: {}",
        "many": "Правильные ответы: {}",
        "true": "Утверждение верно.",
        "false": "Утверждение неверно.",
    },
}


class UnsupportedError(Exception):
    """A question civicbot cannot represent, or cannot read; the message says which."""


@dataclass(frozen=True)
class Block:
    """One question's source: its text with escapes replaced, and the source line number of
    each of its lines (comment lines are left out, so they need not be consecutive)."""

    text: str
    lines: tuple[int, ...]

    @property
    def line(self) -> int:
        return self.lines[0]


@dataclass
class _Quiz:
    title: str
    questions: list[Item] = field(default_factory=list)
    question_ids: set[str] = field(default_factory=set)
    seen: int = 0  # questions met in the source, imported or not


@dataclass(frozen=True)
class Answer:
    mark: str  # "=" right, "~" wrong or weighted
    weight: float | None
    text: str
    feedback: str | None


def parse_gift(
    source: str, *, name: str = "questions", language: str = "en", id_prefix: str = ""
) -> Parsed:
    """Quizzes from a GIFT bank. `name` (usually the file name) titles the questions that come
    before any `$CATEGORY:`; `id_prefix` goes in front of every quiz id."""
    parsed = Parsed("quizzes")
    default = PurePath(name).stem or "questions"
    quizzes: dict[str, _Quiz] = {}
    current = _title_from_name(default)
    for block in blocks(source):
        text, line = block.text, block.line
        category = re.match(r"^\s*\$CATEGORY:(.*)$", text, re.IGNORECASE | re.MULTILINE)
        if category is not None:
            current = _category_title(category.group(1)) or _title_from_name(default)
            text = text[category.end() :].removeprefix("\n")
            if not text.strip():
                continue
            line = block.lines[block.text.count("\n") - text.count("\n")]
        quiz = quizzes.setdefault(current, _Quiz(current))
        quiz.seen += 1
        notes: list[str] = []
        try:
            title, question = parse_question(text, language, notes)
        except UnsupportedError as exc:
            parsed.skipped.append(Entry(str(exc), line=line))
            continue
        except Exception as exc:  # a question nobody foresaw must not stop the import
            message = f"could not read this question ({type(exc).__name__})"
            parsed.skipped.append(Entry(message, line=line))
            continue
        question = _with_id(question, title, quiz.seen, quiz.question_ids)
        problem = _problem(question)
        if problem:
            parsed.skipped.append(Entry(problem, line=line))
            continue
        quiz.questions.append(question)
        parsed.notes.extend(Entry(note, line=line) for note in notes)
    ids: set[str] = set()
    for quiz in quizzes.values():
        if not quiz.questions:
            continue
        base = with_prefix(id_prefix, slugify(quiz.title, "quiz"))
        item = {
            "id": unique_id(base, ids),
            "language": language,
            "title": quiz.title,
            "questions": quiz.questions,
        }
        problem = first_problem(schema.Quiz, item)
        if problem:  # cannot happen with valid questions, but never write an invalid file
            parsed.skipped.append(Entry(f"quiz '{quiz.title}': {problem}"))
            continue
        parsed.items.append(item)
    return parsed


def blocks(source: str) -> list[Block]:
    """The question blocks of a GIFT text: runs of lines between blank lines, with comment lines
    left out and escapes replaced by placeholders."""
    source = _PRIVATE.sub("", source.removeprefix("\ufeff"))
    found: list[Block] = []
    lines: list[str] = []
    numbers: list[int] = []
    for number, line in enumerate([*source.splitlines(), ""], start=1):
        if not line.strip():
            if lines:
                found.append(Block("\n".join(lines), tuple(numbers)))
            lines, numbers = [], []
        elif not line.lstrip().startswith("//"):
            lines.append(_ESCAPE.sub(lambda m: _PLACEHOLDER[m.group(1)], line))
            numbers.append(number)
    return found


def parse_question(text: str, language: str, notes: list[str] | None = None) -> tuple[str, Item]:
    """One question's title and content dict (without its id). Raises UnsupportedError with the
    reason when civicbot has no such question type or the question cannot be read; what could
    not be carried over exactly (answer weights civicbot's scoring cannot give, formatting) is
    added to `notes`."""
    notes = [] if notes is None else notes
    title, text = _split_title(text)
    title = _text(title, "plain")
    opening = text.find("{")
    if opening < 0:
        raise UnsupportedError("description (no answers): not a question, not imported")
    closing = text.find("}", opening)
    if closing < 0:
        raise UnsupportedError("the answers are not closed with '}'")
    before, inside, after = text[:opening], text[opening + 1 : closing], text[closing + 1 :]
    if "{" in after or "}" in after:
        raise UnsupportedError("more than one answer block in one question")
    fmt_match = _FORMAT.match(before)
    fmt = fmt_match.group(1).lower() if fmt_match else "moodle"
    if fmt_match:
        before = before[fmt_match.end() :]
    gap = bool(after.strip())
    stem = f"{before}{GAP}{after}" if gap else before
    question_text = _text(stem, fmt) or title
    if not question_text:
        raise UnsupportedError("the question has no text")
    answers, _, general = inside.partition("####")
    question: Item = {"type": "", "text": question_text}
    fallback = _fill_answers(question, answers, fmt, language, notes)
    question["explanation"] = _text(general, fmt) or fallback
    if fmt == "markdown" and _MARKDOWN.search(text):
        notes.append("Markdown formatting turned into plain text (the bot shows content as text)")
    return title, question


def _fill_answers(question: Item, answers: str, fmt: str, language: str, notes: list[str]) -> str:
    """Set the question's type and answer keys; return an explanation naming the right answer."""
    body = answers.strip()
    if not body:
        raise UnsupportedError("essay question: not supported, not imported")
    if body.startswith("#"):
        raise UnsupportedError("numerical question: not supported, not imported")
    words = _SENTENCES.get(language.split("-", 1)[0], _SENTENCES["en"])
    if _TRUEFALSE.match(body):
        return _true_false(question, body, fmt, words)
    parsed = _answers(body, fmt)
    if any("->" in answer.text for answer in parsed) and all(a.mark == "=" for a in parsed):
        raise UnsupportedError("matching question: not supported, not imported")
    if all(answer.mark == "=" for answer in parsed):
        return _short(question, parsed, words, notes)
    return _choice(question, parsed, words, notes)


def _true_false(question: Item, body: str, fmt: str, words: dict[str, str]) -> str:
    value, *feedback = body.split("#")
    if len(feedback) > 2:
        raise UnsupportedError("true/false answer with more than two feedbacks")
    answer = value.strip().upper() in ("T", "TRUE")
    question["type"] = "truefalse"
    question["answer"] = answer
    wrong = _text(feedback[0], fmt) if feedback else ""
    right = _text(feedback[1], fmt) if len(feedback) > 1 else ""
    if right:
        question["feedback_correct"] = right
    if wrong:
        question["feedback_wrong"] = wrong
    return words["true" if answer else "false"]


def _short(question: Item, answers: list[Answer], words: dict[str, str], notes: list[str]) -> str:
    full = [a for a in answers if a.weight is None or a.weight >= 100]
    usable = full or [a for a in answers if a.weight is not None and a.weight > 0]
    for answer in answers:
        if answer.weight is not None and 0 < answer.weight < 100:
            counted = "as fully right" if answer in usable else "as wrong"
            notes.append(
                f"answer {answer.text!r} gave {answer.weight:g}% in the bank; a typed answer "
                f"here is right or wrong, so it counts {counted}"
            )
    accepted = list(dict.fromkeys(a.text for a in usable if a.text))
    if not accepted:
        raise UnsupportedError("short answer without an accepted answer")
    question["type"] = "short"
    question["accepted"] = accepted
    feedback = next((a.feedback for a in usable if a.feedback), None)
    if feedback:
        question["feedback_correct"] = feedback
    return words["one"].format(ending(accepted[0]))


def _choice(question: Item, answers: list[Answer], words: dict[str, str], notes: list[str]) -> str:
    # An answer marked "=" (or weighted 100 %) is fully right; when there is one, answers with a
    # partial weight are not options to tick as well. Otherwise every positive weight is right.
    full = [a.mark == "=" or (a.weight or 0) >= 100 for a in answers]
    marks = full if any(full) else [(a.weight or 0) > 0 for a in answers]
    options: list[Item] = []
    for answer, correct in zip(answers, marks, strict=True):
        if not answer.text:
            raise UnsupportedError("an answer has no text")
        option: Item = {"text": answer.text}
        if correct:
            option["correct"] = True
        if answer.feedback:
            option["feedback"] = answer.feedback
        options.append(option)
    right = [option["text"] for option in options if option.get("correct")]
    if not right:
        raise UnsupportedError("multiple choice without a right answer")
    question["type"] = "single" if len(right) == 1 else "multiple"
    question["options"] = options
    notes.extend(_weight_notes(answers, marks))
    if len(right) == 1:
        return words["one"].format(ending(right[0]))
    return words["many"].format(ending("; ".join(right)))


def _weight_notes(answers: list[Answer], marks: list[bool]) -> list[str]:
    """What civicbot's scoring gives differently from the bank's.

    With one right answer a question is right or wrong. With several, each right option ticked
    is worth 100/n % and each wrong one ticked takes 100/n % away (never below 0), so weights of
    that shape carry over exactly; anything else is reported, answer by answer."""
    right = sum(marks)
    notes = []
    chosen = [a for a, m in zip(answers, marks, strict=True) if m]
    if right > 1 and all(a.mark == "=" and a.weight is None for a in chosen):
        notes.append(
            "several answers were fully right in the bank (any one was enough); here all of "
            "them must be ticked"
        )
    for answer, correct in zip(answers, marks, strict=True):
        if answer.weight is None:
            continue
        if right == 1:
            given = 100.0 if correct else 0.0
        else:
            given = 100 / right if correct else -100 / right
        if abs(answer.weight - given) <= 0.01:
            continue
        if right == 1 and answer.weight < 0:
            notes.append(
                f"answer {answer.text!r} took {-answer.weight:g}% away in the bank; "
                "here a wrong answer scores 0"
            )
        else:
            notes.append(
                f"answer {answer.text!r} gave {answer.weight:g}% in the bank; "
                f"here it gives {given:g}%"
            )
    return notes


def _answers(body: str, fmt: str) -> list[Answer]:
    pieces = re.split(r"([=~])", body)
    if pieces[0].strip():
        raise UnsupportedError("text before the first answer: each answer starts with '=' or '~'")
    answers: list[Answer] = []
    for mark, body_text in zip(pieces[1::2], pieces[2::2], strict=True):
        weight = None
        rest = body_text
        match = _WEIGHT.match(rest)
        if match:
            weight = float(match.group(1))
            rest = rest[match.end() :]
        text, _, feedback = rest.partition("#")
        answers.append(Answer(mark, weight, _text(text, fmt), _text(feedback, fmt) or None))
    return answers


def _text(raw: str, fmt: str) -> str:
    """Source text as plain text: HTML and Markdown converted, lines of one paragraph joined,
    escapes undone."""
    if fmt == "html":
        text = html_to_text(raw.translate(_RESTORE_KEEP_NEWLINE))
    elif fmt == "markdown":
        text = markdown_to_text(raw)
    else:
        text = " ".join(raw.split("\n"))
    return tidy(text.translate(_RESTORE))


def markdown_to_text(raw: str) -> str:
    """Markdown as the plain text the bot shows: emphasis and code marks dropped, links as
    "text (address)", headings and quotes without their marks, list items on their own lines."""
    lines = []
    for line in raw.split("\n"):
        plain = re.sub(r"^\s{0,3}(#{1,6}\s+|>\s?)", "", line)
        lines.append(re.sub(r"^\s*[-*+]\s+", "• ", plain))
    text = "\n".join(lines)
    text = re.sub(r"!?\[([^\]\n]*)\]\(([^)\s]+)\)", r"\1 (\2)", text)
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])", r"\2", text)
    text = re.sub(r"`([^`\n]+)`", r"\1", text)
    # Paragraphs (blank lines) and list items keep their breaks; other lines join.
    return re.sub(r"(?<!\n)\n(?!\n|• )", " ", text)


def _split_title(text: str) -> tuple[str, str]:
    stripped = text.lstrip()
    if not stripped.startswith("::"):
        return "", text
    end = stripped.find("::", 2)
    if end < 0:
        raise UnsupportedError("the title is not closed with '::'")
    return stripped[2:end], stripped[end + 2 :]


def _with_id(question: Item, title: str, number: int, taken: set[str]) -> Item:
    """The question with an id: made from its title, which stays put when questions are added
    or reordered in the bank, else its position among the quiz's questions in the source (`q3`),
    skipped ones included, so fixing a skipped question later does not renumber the others."""
    ident = unique_id(slugify(title, f"q{number}") if title else f"q{number}", taken)
    return {"id": ident, **question}


def _problem(question: Item) -> str | None:
    for option in question.get("options", ()):
        if len(option["text"]) > BUTTON_CHARS:
            return f"an answer is longer than {BUTTON_CHARS} characters (a button label)"
    for key in ("text", "explanation"):
        if len(question.get(key, "")) > MESSAGE_CHARS // 2:
            return f"the question's {key} is longer than {MESSAGE_CHARS // 2} characters"
    problem = first_problem(schema.Question, question)
    return f"not a valid question: {problem}" if problem else None


def _category_title(path: str) -> str:
    """The last named part of a category path like `$course$/top/Civics/Elections`."""
    parts = [tidy(p.translate(_RESTORE)) for p in re.split(r"(?<!/)/(?!/)", path.strip())]
    named = [p.replace("//", "/") for p in parts if p and not _MOODLE_PARTS.match(p)]
    return named[-1] if named else ""


def _title_from_name(stem: str) -> str:
    words = " ".join(re.split(r"[-_.\s]+", stem)).strip()
    return words[:1].upper() + words[1:] if words else "Questions"
