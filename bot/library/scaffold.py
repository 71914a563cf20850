"""Starting points for new content: commented files in the right shape, so an educator fills in
blanks instead of learning the format from scratch. Every blank starts with TODO, and `content
check` reports each one until it is replaced, so a half-written file cannot go out by mistake."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from bot.library.schema import ID_PATTERN

KINDS = {"lesson": "lessons", "quiz": "quizzes", "factcheck": "factchecks"}

LESSON = """\
# A lesson: short cards read one at a time on a phone. See content/README.md for every key.
id: {id}
language: {language}
title: "TODO: the lesson's title"
# One of: manipulation, verification, authoritarian-cooperation, digital-safety, institutions
topic: manipulation
# Techniques or skills it teaches (see the tag list in content/README.md).
techniques: []
# prerequisite: another-lesson-id   # optional: a lesson to take first
cards:
  - text: |-
      TODO: the first card: one idea, a few sentences.
  - text: |-
      TODO: the next card. Add as many as the lesson needs (4 to 6 work well).
    # image: images/example.png      # optional: a picture shown with this card
    # sources:                        # optional: where a reader can check this card
    #   - title: Title of the source
    #     publisher: Who published it
    #     url: https://example.org/page
"""

QUIZ = """\
# A quiz: one question at a time, with feedback. See content/README.md for every key.
id: {id}
language: {language}
title: "TODO: the quiz title"
# lesson: lesson-id                   # the lesson this quiz follows (recommended)
questions:
  - id: q1
    type: single                      # single, multiple, truefalse or short
    text: "TODO: the question?"
    techniques: []
    options:
      - text: "TODO: the right answer"
        correct: true
        feedback: "TODO: why it is right."
      - text: "TODO: a wrong answer"
        feedback: "TODO: why it is wrong."
    explanation: "TODO: what the learner should take away."
  - id: q2
    type: truefalse
    text: "TODO: a statement that is true or false."
    techniques: []
    answer: true
    feedback_correct: "TODO: said when the learner is right."
    feedback_wrong: "TODO: said when the learner is wrong."
    explanation: "TODO: what the learner should take away."
  - id: q3
    type: short
    text: "TODO: ask for a word or two the learner types."
    techniques: []
    accepted:
      - "TODO: an accepted answer"
      - "TODO: another accepted spelling"
    explanation: "TODO: what the learner should take away."
"""

FACTCHECK = """\
# A fact-check. Every source must exist: cite only what you have read. See content/README.md.
id: {id}
language: {language}
claim: "TODO: the claim as people state it"
phrasings:                            # other ways people forward the same claim
  - "TODO: another way people say it"
verdict: "false"                      # false, misleading, missing_context, unproven or true
answer: >-
  TODO: one short paragraph a person can forward back.
explanation: >-
  TODO: a few sentences on what the evidence shows.
sources:
  - title: "TODO: title of the fact-check, ruling or report"
    publisher: "TODO: who published it"
    # url: https://example.org/page   # only an address you have opened
published: {today}
reviewed: false                       # editors: civicbot content review ID --by NAME
tags: []
"""


class ScaffoldError(Exception):
    """The file cannot be written (it exists, or the id is not a valid id)."""


def scaffold(kind: str, item_id: str, root: Path, language: str, today: dt.date) -> Path:
    if not re.match(ID_PATTERN, item_id):
        raise ScaffoldError(
            f"'{item_id}' is not a valid id: a-z, 0-9, - and _, at most 40 characters"
        )
    template = {"lesson": LESSON, "quiz": QUIZ, "factcheck": FACTCHECK}[kind]
    path = root / KINDS[kind] / language / f"{item_id}.yaml"
    if path.exists():
        raise ScaffoldError(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(template.format(id=item_id, language=language, today=today.isoformat()))
    return path
