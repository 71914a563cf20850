"""How often the bot answers messages the library has no fact-check for, on the bundled library.

Two sets, both against the bundled library as the chat builds it (bot.engine.content):

- the near-miss set (tests/matching/fixtures/near_miss/*.jsonl): true news, chat and claims the
  library does not hold, on the same people, places and numbers as its fact-checks. Reported per
  language and split (`tune` is used by bench/fit_matching.py, `held` never is). Each message is
  matched in its own language, as the chat does for a user of that language.
- the bundled fact-checks' own claims and phrasings, matched in the fact-check's language: the
  share answered with the right fact-check, and the number answered with a wrong one;
- paraphrases (tests/matching/fixtures/paraphrases/*.jsonl): each bundled claim retold as people
  forward it, one per fact-check and language; the shares answered right, answered wrong and
  offered, per language and split.

    .venv/bin/python bench/abstention.py [--content DIR] [--json] [--show] [--semantic]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import bundled_content, load_settings
from bot.library.catalog import Library
from bot.library.documents import documents_from_library
from bot.library.loader import load_library
from bot.matching import Matcher, Tier
from bot.matching.model import Model
from bot.matching.semantic import Encoder, load_encoder

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "matching" / "fixtures"
NEAR_MISS = FIXTURES / "near_miss"
PARAPHRASES = FIXTURES / "paraphrases"


@dataclass(frozen=True)
class Example:
    text: str
    language: str
    near: str
    split: str


def _examples(folder: Path, near_key: str) -> list[Example]:
    """The JSON lines of every file in `folder`; `near_key` names the fact-check's field."""
    examples = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                near = record[near_key]
                examples.append(Example(record["text"], record["language"], near, record["split"]))
    return examples


def near_misses(folder: Path = NEAR_MISS) -> list[Example]:
    return _examples(folder, "near")


def paraphrases(folder: Path = PARAPHRASES) -> list[Example]:
    """Messages that repeat a bundled claim in other words (`near` is the fact-check's id)."""
    return _examples(folder, "factcheck")


def positives(library: Library) -> Iterator[tuple[str, str, str]]:
    """(text, language, fact-check id) for every bundled claim and phrasing."""
    for fc in library.factchecks.values():
        for text in (fc.claim, *fc.phrasings):
            yield text, fc.language, fc.id


def bundled(content: Path | None = None) -> Library:
    loaded = load_library(content or bundled_content())
    if not loaded.ok:
        raise SystemExit("\n".join(str(p) for p in loaded.problems))
    return loaded.library


def chat_matcher(
    library: Library, encoder: Encoder | None = None, fitted: Model | None = None
) -> Matcher:
    """The matcher the chat builds for this library (bot.engine.content.Content.build), with
    the sentence-embedding model when `encoder` is given; `fitted` replaces its model (for
    bench/fit_matching.py, which fits one)."""
    matching = load_settings(None).matching.model_copy(update={"semantic": encoder is not None})
    return Matcher(
        documents_from_library(library),
        matching.thresholds,
        fitted=fitted,
        encoder=encoder,
        fallback=matching.fallback_thresholds,
    )


def rates(matcher: Matcher, library: Library, show: bool = False) -> dict[str, float]:
    figures: dict[str, float] = {}
    groups: dict[str, list[Tier]] = {}
    for example in near_misses():
        result = matcher.match(example.text, top=3, language=example.language)
        for key in (example.language, f"{example.language} {example.split}"):
            groups.setdefault(key, []).append(result.tier)
        if show and result.tier is not Tier.NONE and result.best is not None:
            best = result.best
            print(f"  {result.tier.value:7} {best.score:.3f} {best.document_id}: {example.text}")
    for key, tiers in sorted(groups.items()):
        figures[f"near_miss {key} answered"] = _share(tiers, Tier.ANSWER)
        figures[f"near_miss {key} suggested"] = _share(tiers, Tier.SUGGEST)
    right = wrong = total = 0
    for text, language, fc_id in positives(library):
        result = matcher.match(text, top=3, language=language)
        total += 1
        if result.tier is Tier.ANSWER and result.best is not None:
            if result.best.document_id == fc_id:
                right += 1
            else:
                wrong += 1
                if show:
                    print(f"  WRONG {result.best.document_id} for {fc_id}: {text}")
        elif show:
            print(f"  missed {result.tier.value} {fc_id}: {text}")
    figures["bundled answered right"] = right / total if total else 1.0
    figures["bundled answered wrong"] = float(wrong)
    figures["bundled texts"] = float(total)
    outcomes: dict[str, list[str]] = {}
    for example in paraphrases():
        result = matcher.match(example.text, top=3, language=example.language)
        found_id = result.best.document_id if result.best is not None else None
        if result.tier is Tier.ANSWER:
            outcome = "right" if found_id == example.near else "wrong"
        else:
            outcome = result.tier.value
        outcomes.setdefault(f"{example.language} {example.split}", []).append(outcome)
        if show and outcome != "right":
            print(f"  paraphrase {outcome} ({found_id}) for {example.near}: {example.text}")
    for key, found in sorted(outcomes.items()):
        for outcome in ("right", "wrong", "suggest"):
            share = sum(1 for o in found if o == outcome) / len(found)
            figures[f"paraphrase {key} {outcome}"] = share
    return figures


def _share(tiers: Sequence[Tier], tier: Tier) -> float:
    return sum(1 for t in tiers if t is tier) / len(tiers) if tiers else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Answered rates on near misses and own claims.")
    parser.add_argument("--content", type=Path, default=None, help="content folder")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--show", action="store_true", help="list every answered near miss")
    parser.add_argument(
        "--semantic", action="store_true", help="with the sentence-embedding model (its extra)"
    )
    args = parser.parse_args(argv)
    library = bundled(args.content)
    encoder = load_encoder() if args.semantic else None
    figures = rates(chat_matcher(library, encoder), library, show=args.show)
    if args.json:
        print(json.dumps({k: round(v, 4) for k, v in figures.items()}))
        return 0
    for key, value in figures.items():
        print(f"{key}: {value:.4f}" if value < 1.5 else f"{key}: {value:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
