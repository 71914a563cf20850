"""Starting points for new content: commented files that already pass `content check`, so an
educator fills in blanks instead of learning the format from scratch."""

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
title: Write the lesson's title here
# One of: manipulation, verification, authoritarian-cooperation, digital-safety, institutions
topic: manipulation
# Techniques or skills it teaches (see the tag list in content/README.md).
techniques: []
# prerequisite: another-lesson-id   # optional: a lesson to take first
cards:
  - text: |-
      Write the first card here: one idea, a few sentences.
  - text: |-
      Write the next card. Add as many as the lesson needs (4 to 6 work well).
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
title: Write the quiz title here
# lesson: lesson-id                   # the lesson this quiz follows (recommended)
questions:
  - id: q1
    type: single                      # single, multiple, truefalse or short
    text: Write the question here?
    techniques: []
    options:
      - text: The right answer
        correct: true
        feedback: Why it is right.
      - text: A wrong answer
        feedback: Why it is wrong.
    explanation: What the learner should take away.
  - id: q2
    type: truefalse
    text: Write a statement that is true or false.
    techniques: []
    answer: true
    feedback_correct: Said when the learner is right.
    feedback_wrong: Said when the learner is wrong.
    explanation: What the learner should take away.
  - id: q3
    type: short
    text: Ask for a word or two the learner types.
    techniques: []
    accepted: [answer, another accepted spelling]
    explanation: What the learner should take away.
"""

FACTCHECK = """\
# A fact-check. Every source must exist: cite only what you have read. See content/README.md.
id: {id}
language: {language}
claim: Write the claim as people state it
phrasings:                            # other ways people forward the same claim
  - another way people say it
verdict: "false"                      # false, misleading, missing_context, unproven or true
answer: >-
  One short paragraph a person can forward back.
explanation: >-
  A few sentences on what the evidence shows.
sources:
  - title: Title of the fact-check, ruling or report
    publisher: Who published it
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
