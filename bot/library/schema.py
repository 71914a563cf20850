"""The content format as typed models.

Educators write YAML; these models are the contract that YAML is checked against. Every model
forbids unknown keys, so a misspelled key is an error with its location instead of being silently
ignored. Ids are short slugs because they travel inside Telegram button payloads (64 bytes).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from typing_extensions import TypeAliasType

# Ids become part of callback payloads and database keys, so keep them short and plain.
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s<>\"]+$", max_length=2000)]


class Strict(BaseModel):
    """Base for every content model: unknown keys are errors, values are not coerced loosely."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class SourceLink(Strict):
    """A reference shown under a lesson card or a fact-check."""

    title: Text
    publisher: Text | None = None
    url: Url | None = None
    date: dt.date | None = None


class Review(Strict):
    """An editor's review of an item: who, when, and a fingerprint of the text they read
    (written by `civicbot content review`). When the item changes, the fingerprint no longer
    matches and the item counts as unreviewed again."""

    by: Text
    date: dt.date
    fingerprint: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]


def _review(value: object) -> object:
    if isinstance(value, dt.date):
        raise ValueError(
            "a date alone cannot tell whether the text changed since; record reviews with "
            "`civicbot content review ID --by NAME`"
        )
    return value


Reviewed = Annotated[Review | Literal[False], BeforeValidator(_review)]


class Card(Strict):
    """One screen of a lesson: short text, optionally a picture and sources."""

    text: Text
    image: Text | None = None
    sources: tuple[SourceLink, ...] = ()


class Lesson(Strict):
    id: Id
    language: LanguageCode
    title: Text
    topic: Tag
    techniques: tuple[Tag, ...] = ()
    prerequisite: Id | None = None
    cards: tuple[Card, ...] = Field(min_length=1)
    reviewed: Reviewed = False


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUEFALSE = "truefalse"
    SHORT = "short"


class Option(Strict):
    text: Text
    correct: bool = False
    feedback: Text | None = None


class Question(Strict):
    """A quiz question. Which keys apply depends on `type`; the validator enforces that."""

    id: Id
    type: QuestionType
    text: Text
    explanation: Text
    techniques: tuple[Tag, ...] = ()
    options: tuple[Option, ...] = ()
    answer: bool | None = None
    accepted: tuple[Text, ...] = ()
    feedback_correct: Text | None = None
    feedback_wrong: Text | None = None

    @model_validator(mode="after")
    def _fits_type(self) -> Question:
        kind = self.type
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            if len(self.options) < 2:
                raise ValueError(f"a {kind} question needs at least 2 options")
            if len(self.options) > 10:
                raise ValueError(f"a {kind} question has at most 10 options")
            correct = sum(option.correct for option in self.options)
            if correct == 0:
                raise ValueError("no option is marked correct: true")
            if kind is QuestionType.SINGLE and correct > 1:
                raise ValueError("a single question has exactly one correct option (use multiple)")
            if self.answer is not None or self.accepted:
                raise ValueError(f"'answer' and 'accepted' do not apply to a {kind} question")
        elif kind is QuestionType.TRUEFALSE:
            if self.answer is None:
                raise ValueError("a truefalse question needs 'answer: true' or 'answer: false'")
            if self.options or self.accepted:
                raise ValueError("'options' and 'accepted' do not apply to a truefalse question")
        else:
            if not self.accepted:
                raise ValueError("a short question needs at least one 'accepted' answer")
            if self.options or self.answer is not None:
                raise ValueError("'options' and 'answer' do not apply to a short question")
        return self

    @property
    def correct_indexes(self) -> frozenset[int]:
        return frozenset(i for i, option in enumerate(self.options) if option.correct)


class Quiz(Strict):
    id: Id
    language: LanguageCode
    title: Text
    lesson: Id | None = None
    tags: tuple[Tag, ...] = ()
    questions: tuple[Question, ...] = Field(min_length=1)
    reviewed: Reviewed = False


class Verdict(StrEnum):
    """The fixed verdict scale, from worst to best supported."""

    FALSE = "false"
    MISLEADING = "misleading"
    MISSING_CONTEXT = "missing_context"
    UNPROVEN = "unproven"
    TRUE = "true"


def _verdict_word(value: object) -> object:
    """YAML reads an unquoted `false` or `true` as a yes/no value; they are verdict words here."""
    return str(value).lower() if isinstance(value, bool) else value


Region = Literal[
    "russia", "belarus", "ukraine", "central-asia", "caucasus", "iran", "china", "hong-kong"
]


class FactCheck(Strict):
    id: Id
    language: LanguageCode
    claim: Text
    phrasings: tuple[Text, ...] = ()
    urls: tuple[Url, ...] = ()
    verdict: Annotated[Verdict, BeforeValidator(_verdict_word)]
    answer: Text
    explanation: Text
    sources: tuple[SourceLink, ...] = Field(min_length=1)
    published: dt.date
    reviewed: Reviewed = False
    # Who made the claim and when, and the rating as the original fact-checker worded it
    # ("Pants on Fire"), where known: kept so nothing an imported fact-check said is lost.
    claimant: Text | None = None
    claim_date: dt.date | None = None
    rating: Text | None = None
    tags: tuple[Tag, ...] = ()
    lesson: Id | None = None
    # Where the claim is about, from the regions this library is written for; empty for others.
    # The library's balance (how much of it serves those regions) is measured from this.
    regions: tuple[Region, ...] = ()
    # The checked pictures themselves (paths inside the content folder, as a card's `image`):
    # a forwarded copy of one is answered with this fact-check.
    images: tuple[Text, ...] = ()


class Headline(Strict):
    """A headline to rate for reliability, true (accurate) or false, in an assessment form."""

    id: Id
    text: Text
    accurate: bool
    techniques: tuple[Tag, ...] = ()
    source: SourceLink | None = None
    # How the headline is worded, independent of its truth: plain wire copy or loaded, emotive
    # wording. Recording it lets a form cross style with truth, so tone alone gives no answer.
    style: Literal["neutral", "emotive"] | None = None


class AssessmentForm(Strict):
    id: Id
    headlines: tuple[Headline, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _balanced(self) -> AssessmentForm:
        accurate = sum(headline.accurate for headline in self.headlines)
        if accurate * 2 != len(self.headlines):
            raise ValueError(
                f"{accurate} accurate and {len(self.headlines) - accurate} false headlines; "
                "a form needs as many of each"
            )
        return self


class Assessment(Strict):
    """Parallel forms of true and false headlines: one before learning, one after, and
    optionally a delayed follow-up `followup_days` after the second."""

    id: Id
    language: LanguageCode
    title: Text
    intro: Text
    forms: tuple[AssessmentForm, ...] = Field(min_length=2, max_length=3)
    followup_days: int = Field(default=30, ge=1, le=365)
    reviewed: Reviewed = False

    @model_validator(mode="after")
    def _parallel(self) -> Assessment:
        sizes = {len(form.headlines) for form in self.forms}
        if len(sizes) > 1:
            raise ValueError("parallel forms need the same number of headlines")
        ids = [form.id for form in self.forms]
        if len(set(ids)) != len(ids):
            raise ValueError("form ids must differ")
        return self


class LocaleInfo(Strict):
    name: Text
    direction: Literal["ltr", "rtl"] = "ltr"


MessageTree = TypeAliasType("MessageTree", "dict[Tag, str | MessageTree]")


class Locale(Strict):
    """Every sentence the bot itself says in one language, as Jinja2 templates keyed by name."""

    language: LanguageCode
    info: LocaleInfo
    messages: MessageTree

    def flat(self) -> dict[str, str]:
        """The message tree as `group.name` keys, the form templates are looked up by."""
        out: dict[str, str] = {}

        def walk(prefix: str, tree: dict[str, object]) -> None:
            for key, value in tree.items():
                name = f"{prefix}{key}"
                if isinstance(value, dict):
                    walk(f"{name}.", value)
                else:
                    out[name] = str(value)

        walk("", dict(self.messages))
        return out
