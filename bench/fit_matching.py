"""Fit the matcher's learned constants and choose its thresholds; print them as model.py holds them.

The ranker (RANK_WEIGHTS) is a listwise softmax over the first stage's 100 candidates of every
training tweet (CheckThat! 2020 and 2022 train splits), cross-entropy towards the fact-checks the
tweet repeats. TAIL_LOGIT is the 10th percentile of the mean logit at ranks 50-100 of those lists.
The confidence (boosted trees, bot/matching/confidence.json) is fitted on the reranked lists,
labelled with whether the best candidate is right. Its lists:

- every training tweet twice: with the library whole, and with its right fact-checks and any
  verbatim copies of them masked out (leave-gold-out), so that a message the library has no
  answer for must score low as well;
- on the bundled library as the chat builds it: the near-miss set's tune split (never right,
  each counted --near-miss-weight times), every own claim and phrasing (also misspelt) and the
  paraphrase set's tune split (counted --paraphrase-weight times), each once as it is and once
  with its fact-check masked out.

The thresholds are then chosen: the lowest answer threshold at which every dev split keeps an
answer precision of --min-precision and answers at most --max-absent of the tweets whose right
fact-checks are masked, and at which, on the bundled library, at most 2% of the tune near misses
of each language are answered and at least 98% of the own claims and phrasings are answered
right, none wrong; then the lowest suggest threshold at which the offered candidates hold the
right one at least half the time on the dev splits (masked tweets counting as offers without).
`--no-near-miss` fits and chooses on the benchmark alone.

    .venv/bin/python bench/fit_matching.py [--data DIR] [--sample N] [--fields] [--json] [--write]
    .venv/bin/python bench/fit_matching.py --semantic [--write]

`--semantic` fits the model for the optional sentence-embedding model (bot/matching/semantic.py,
its extra installed): the same, with its cosine as one more feature; `--write` writes the
weights, trees and chosen thresholds to bot/matching/semantic.json. About 45 minutes on one core
(encoding the two benchmark libraries; their vectors are then kept for `civicbot bench matching`).

About two minutes on one core; it says whether the trees it fitted are those shipped, and
`--write` replaces them. `--sample N` fits on the first N training tweets of each split (for a
quick check); `--fields` also searches the first stage's field weights (IndexSettings in
corpus.py) by train MAP@5 of BM25F alone, which rebuilds the index a dozen times.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from abstention import bundled, chat_matcher, near_misses, paraphrases, positives

from bot.commands.bench import gold_positions, read_claims, read_qrels, read_queries
from bot.library.catalog import Library
from bot.matching import Document, Matcher, Thresholds, Tier, boost, fit
from bot.matching import model as learned
from bot.matching.corpus import IndexSettings
from bot.matching.evaluate import Ranked, score_run
from bot.matching.features import NAMES
from bot.matching.index import Field
from bot.matching.matcher import LANGUAGE_BONUS, Ranking, tier_of
from bot.matching.semantic import Encoder, load_encoder

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "claim-matching"
DATASETS = ("ct2020", "ct2022")
GRID = [round(0.01 * step, 2) for step in range(2, 100)]


@dataclass
class Split:
    """One benchmark split against its claim pool."""

    name: str
    matcher: Matcher
    queries: list[tuple[str, str]]
    qrels: dict[str, set[str]]

    def gold(self, query_id: str) -> list[int]:
        """The positions of the query's right fact-checks and of their verbatim copies."""
        positions = _positions(self.matcher)
        return sorted({p for doc in self.qrels.get(query_id, ()) for p in positions.get(doc, ())})


_POSITIONS: dict[int, dict[str, list[int]]] = {}


def _positions(matcher: Matcher) -> dict[str, list[int]]:
    found = _POSITIONS.get(id(matcher))
    if found is None:
        found = _POSITIONS[id(matcher)] = gold_positions(matcher.documents)
    return found


def load_splits(
    data: Path,
    split: str,
    sample: int | None,
    matchers: dict[str, Matcher],
    encoder: Encoder | None = None,
) -> list[Split]:
    splits = []
    for dataset in DATASETS:
        folder = data / dataset
        if dataset not in matchers:
            documents = read_claims(str(folder / "claims.jsonl"))
            matchers[dataset] = Matcher(documents, encoder=encoder, fitted=learned.DEFAULT)
        queries = read_queries(str(folder / f"{split}.queries.jsonl"))
        qrels = read_qrels(str(folder / f"{split}.qrels.tsv"))
        queries = [(qid, text) for qid, text in queries if qrels.get(qid)]
        if sample is not None:
            queries = queries[:sample]
        splits.append(Split(f"{dataset} {split}", matchers[dataset], queries, qrels))
    return splits


Item = tuple[np.ndarray, np.ndarray, np.ndarray, int]


def shortlist_item(matcher: Matcher, text: str, gold: Sequence[int], masked: bool) -> Item:
    """One training list: the shortlist's features, which candidates are right, no bonus."""
    found = matcher.shortlist(text, gold if masked else ())
    right = np.isin(found.docs, np.asarray(gold, dtype=np.int64))
    relevant = len({matcher.documents[p].id for p in gold})
    return found.matrix, right, np.zeros(len(found.docs)), relevant


def collect(splits: Sequence[Split]) -> tuple[list[Item], list[Item]]:
    """Per training tweet: its full shortlist, and its shortlist with the right ones masked."""
    full: list[Item] = []
    masked: list[Item] = []
    for split in splits:
        for query_id, text in split.queries:
            gold = split.gold(query_id)
            full.append(shortlist_item(split.matcher, text, gold, masked=False))
            masked.append(shortlist_item(split.matcher, text, gold, masked=True))
    return full, masked


def confidence_rows(
    lists: fit.Lists, weights: np.ndarray, tail: float
) -> tuple[np.ndarray, np.ndarray]:
    """The confidence's inputs for every non-empty list, and whether its best candidate is right."""
    scores = fit.logits(lists, weights)
    rows = []
    labels = []
    for index in range(len(lists)):
        count = int(lists.valid[index].sum())
        if count == 0:
            continue
        logit = scores[index, :count].astype(np.float32)
        matrix = lists.features[index, :count].astype(np.float32)
        rows.append(learned.confidence_inputs(matrix, logit, tail))
        labels.append(bool(lists.gold[index, int(np.argmax(logit))]))
    return np.asarray(rows, dtype=np.float64), np.asarray(labels, dtype=bool)


def fit_model(
    full: list[Item],
    masked: list[Item],
    extra: Sequence[tuple[Item, float]] = (),
    settings: boost.Settings | None = None,
) -> learned.Model:
    """Ranker on the full lists, tail logit, then the confidence on every full and every masked
    list plus the `extra` ones (the bundled library's), each counted `weight` times."""
    width = learned.SHORTLIST
    full_lists = fit.pack(full, width)
    weights = fit.fit_ranker(full_lists)
    tail = round(fit.tail_logit(full_lists, weights), 1)
    weights = np.round(weights, 3)
    lists = [*full, *masked, *(item for item, _ in extra)]
    counts = np.asarray([1.0] * (len(full) + len(masked)) + [weight for _, weight in extra])
    kept = np.asarray([len(item[1]) > 0 for item in lists])
    inputs, labels = confidence_rows(fit.pack(lists, width), weights, tail)
    forest = boost.fit_forest(
        inputs, labels, counts[kept], tuple(learned.CONFIDENCE_INPUTS), settings
    )
    return learned.Model(
        rank={name: float(w) for name, w in zip(NAMES, weights, strict=True)},
        forest=forest,
        tail_logit=tail,
    )


TYPO_SEED = 20260
TYPO_SHARE = 0.4


def misspelt(text: str, rng: random.Random) -> str:
    """`text` as people type it in a hurry: about TYPO_SHARE of its words of five letters or more
    lose, double or swap a letter (forwarded claims are often misspelt; the confidence must not
    take a misspelt repeat of a claim for a message about something else)."""
    words = text.split(" ")
    for index, word in enumerate(words):
        if len(word) < 5 or not word.isalpha() or rng.random() >= TYPO_SHARE:
            continue
        at = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(3)
        if kind == 0:
            words[index] = word[:at] + word[at + 1 :]
        elif kind == 1:
            words[index] = word[:at] + word[at] + word[at:]
        else:
            words[index] = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    return " ".join(words)


@dataclass
class Bundled:
    """The bundled library as the chat matches it, with the messages measured against it."""

    matcher: Matcher
    library: Library

    def item(self, text: str, language: str, right: str | None, masked: bool) -> Item:
        """A list for one message in `language`: the candidates with fact-check id `right` are
        right, or masked out of the library when `masked`."""
        documents = self.matcher.documents
        gold = [p for p, doc in enumerate(documents) if doc.id == right]
        found = self.matcher.shortlist(text, gold if masked else ())
        ids = [documents[int(p)].id for p in found.docs]
        same = [documents[int(p)].language == language for p in found.docs]
        is_right = np.asarray([doc == right and not masked for doc in ids], dtype=bool)
        bonus = LANGUAGE_BONUS * np.asarray(same, dtype=np.float64)
        return found.matrix, is_right, bonus, int(right is not None and not masked)

    def items(self, near_miss_weight: float, paraphrase_weight: float) -> list[tuple[Item, float]]:
        """Near misses of the tune split (never right; each counted `near_miss_weight` times:
        they are few, and the chat meets far more of them than of benchmark tweets), every own
        claim and phrasing, each also misspelt (see `misspelt`), and every tune paraphrase
        (counted `paraphrase_weight` times), once with its fact-check in the library and once
        masked out. With the sentence model, only the messages it reads: the others are
        ranked by the lexical model (Matcher.rank)."""
        found = [
            (e.text, self.item(e.text, e.language, None, masked=False), near_miss_weight)
            for e in near_misses()
            if e.split == "tune"
        ]
        typos = random.Random(TYPO_SEED)
        for text, language, fc_id in positives(self.library):
            for said in (text, misspelt(text, typos)):
                found.append((said, self.item(said, language, fc_id, masked=False), 1.0))
                found.append((said, self.item(said, language, fc_id, masked=True), 1.0))
        for e in paraphrases():
            if e.split == "tune":
                right = self.item(e.text, e.language, e.near, False)
                found.append((e.text, right, paraphrase_weight))
                found.append((e.text, self.item(e.text, e.language, e.near, True), 1.0))
        semantic = self.matcher.corpus.encoder is not None
        return [(item, w) for text, item, w in found if not semantic or self.matcher.reads(text)]

    def rankings(self, fitted: learned.Model) -> list[tuple[str, Ranking, str | None]]:
        """(group, ranking, right id) for every near miss and every own claim and phrasing."""
        matcher = copy.copy(self.matcher)
        matcher.model = fitted
        found: list[tuple[str, Ranking, str | None]] = [
            (f"near_miss {e.language} {e.split}", matcher.rank(e.text, e.language), None)
            for e in near_misses()
        ]
        for text, language, fc_id in positives(self.library):
            found.append(("bundled", matcher.rank(text, language), fc_id))
        for e in paraphrases():
            found.append(
                (f"paraphrase {e.language} {e.split}", matcher.rank(e.text, e.language), e.near)
            )
        return found


def judged(ranking: Ranking, limits: Thresholds) -> Tier:
    """The tier the chat gives: a message the sentence model cannot read was ranked by the
    lexical model, and its thresholds (as chosen for it) judge it."""
    return tier_of(ranking, Thresholds() if ranking.fallback else limits)


def answered(
    rows: Sequence[tuple[str, Ranking, str | None]],
    documents: Sequence[Document],
    limits: Thresholds,
) -> dict[str, float]:
    """Near misses answered per language and split; own texts answered right and wrong."""
    figures: dict[str, list[bool]] = {}
    for group, ranking, right in rows:
        answer = judged(ranking, limits) is Tier.ANSWER
        if right is None:
            figures.setdefault(group, []).append(answer)
            continue
        best = documents[ranking.docs[0]].id if ranking.docs else None
        figures.setdefault(f"{group} right", []).append(answer and best == right)
        figures.setdefault(f"{group} wrong", []).append(answer and best != right)
    return {key: sum(flags) / len(flags) for key, flags in sorted(figures.items())}


@dataclass
class Outcome:
    """One dev tweet ranked with the library as it is, and with its right ones masked."""

    ranked: list[str]
    gold: set[str]
    present: Ranking
    absent: Ranking


def evaluate(split: Split, fitted: learned.Model) -> list[Outcome]:
    matcher = copy.copy(split.matcher)
    matcher.model = fitted
    ids = [doc.id for doc in matcher.documents]
    outcomes = []
    for query_id, text in split.queries:
        gold = split.gold(query_id)
        present = matcher.rank(text)
        ranked = list(dict.fromkeys(ids[p] for p in present.docs))
        outcomes.append(
            Outcome(ranked, split.qrels[query_id], present, matcher.rank(text, without=gold))
        )
    return outcomes


def summary(outcomes: Sequence[Outcome], limits: Thresholds) -> dict[str, float]:
    """The figures `civicbot bench matching` prints for these outcomes and thresholds."""
    results = {
        str(n): Ranked(o.ranked, judged(o.present, limits) is Tier.ANSWER)
        for n, o in enumerate(outcomes)
    }
    scores = score_run(results, {str(n): o.gold for n, o in enumerate(outcomes)}, k=5)
    absent = [judged(o.absent, limits) for o in outcomes]
    scores["absent_answered"] = sum(t is Tier.ANSWER for t in absent) / max(len(absent), 1)
    scores["absent_suggested"] = sum(t is Tier.SUGGEST for t in absent) / max(len(absent), 1)
    return scores


def offered_precision(outcomes: Sequence[Outcome], limits: Thresholds) -> float:
    """Of the lists offered as candidates (present and masked alike), the share holding a right
    one among the first three; 1.0 when none is offered."""
    offered = hits = 0
    for o in outcomes:
        if judged(o.present, limits) is Tier.SUGGEST:
            offered += 1
            hits += bool(o.gold.intersection(o.ranked[:3]))
        if judged(o.absent, limits) is Tier.SUGGEST:
            offered += 1
    return hits / offered if offered else 1.0


def choose_thresholds(
    dev: dict[str, list[Outcome]],
    bundled_ok: Callable[[float], bool] | None,
    min_precision: float,
    max_absent: float,
) -> Thresholds:
    """The lowest answer threshold meeting the targets on every split (else the most precise),
    then the lowest suggest threshold whose offers hold a right candidate half the time.
    `bundled_ok` says whether an answer threshold meets the targets on the bundled library."""
    answer = GRID[-1]
    for value in GRID:
        limits = Thresholds(answer=value, suggest=value)
        figures = [summary(outcomes, limits) for outcomes in dev.values()]
        if all(
            f["answer_precision"] >= min_precision and f["absent_answered"] <= max_absent
            for f in figures
        ) and (bundled_ok is None or bundled_ok(value)):
            answer = value
            break
    suggest = answer
    for value in GRID:
        if value >= answer:
            break
        limits = Thresholds(answer=answer, suggest=value)
        everything = [o for outcomes in dev.values() for o in outcomes]
        if offered_precision(everything, limits) >= 0.5:
            suggest = value
            break
    return Thresholds(answer=answer, suggest=suggest)


def search_fields(data: Path, sample: int | None) -> IndexSettings:
    """First-stage field weights with the best train MAP@5 of BM25F alone."""
    best = IndexSettings()
    best_score = -1.0
    for title in (0.8, 1.0, 1.2, 1.5):
        for answer in (0.3, 0.6, 1.0):
            settings = IndexSettings(title=Field(title, 0.75), answer=Field(answer, 0.75))
            scores = []
            for dataset in DATASETS:
                folder = data / dataset
                documents: list[Document] = read_claims(str(folder / "claims.jsonl"))
                matcher = Matcher(documents, settings=settings)
                split = load_splits(data, "train", sample, {dataset: matcher})
                lists = fit.pack(collect([s for s in split if s.matcher is matcher])[0], 100)
                scores.append(fit.mean_average_precision(lists, fit.first_stage_order(lists)))
            score = float(np.mean(scores))
            print(f"  fields title {title} answer {answer}: BM25F train MAP@5 {score:.4f}")
            if score > best_score:
                best, best_score = settings, score
    return best


def constants(fitted: learned.Model, limits: Thresholds) -> str:
    """The fitted constants, as model.py and types.Thresholds spell them (the trees go to
    model.FOREST_FILE)."""
    lines = ["RANK_WEIGHTS: dict[str, float] = {"]
    lines += [f'    "{name}": {fitted.rank[name] + 0.0:.3f},' for name in NAMES]
    lines += ["}", f"TAIL_LOGIT = {fitted.tail_logit:.1f}"]
    lines += [f"# Thresholds(answer={limits.answer:g}, suggest={limits.suggest:g})"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DATA, help="the claim-matching data folder")
    parser.add_argument("--sample", type=int, default=None, help="training tweets per split")
    parser.add_argument("--fields", action="store_true", help="also search the field weights")
    parser.add_argument("--min-precision", type=float, default=0.96, help="answer precision")
    parser.add_argument("--max-absent", type=float, default=0.05, help="answered when masked")
    parser.add_argument(
        "--no-near-miss",
        dest="near_miss",
        action="store_false",
        help="fit and choose on the benchmark alone (without the bundled library's lists)",
    )
    parser.add_argument(
        "--near-miss-weight", type=float, default=10.0, help="weight of a tune near miss"
    )
    parser.add_argument(
        "--paraphrase-weight", type=float, default=5.0, help="weight of a tune paraphrase"
    )
    parser.add_argument(
        "--semantic",
        action="store_true",
        help=f"fit the model with the sentence embeddings (writes {learned.SEMANTIC_FILE.name})",
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument(
        "--write",
        action="store_true",
        help=f"write the fitted trees to {learned.FOREST_FILE.name} (with --semantic: the "
        f"whole model to {learned.SEMANTIC_FILE.name})",
    )
    args = parser.parse_args(argv)
    if args.fields:
        print("first stage:", search_fields(args.data, args.sample))
    encoder = load_encoder() if args.semantic else None
    target = learned.SEMANTIC_FILE if args.semantic else learned.FOREST_FILE
    matchers: dict[str, Matcher] = {}
    train = load_splits(args.data, "train", args.sample, matchers, encoder)
    full, masked = collect(train)
    library = bundled(None)
    own = Bundled(chat_matcher(library, encoder, learned.DEFAULT), library)
    extra = own.items(args.near_miss_weight, args.paraphrase_weight) if args.near_miss else []
    fitted = fit_model(full, masked, extra)
    dev_splits = load_splits(args.data, "dev", None, matchers, encoder)
    dev = {split.name: evaluate(split, fitted) for split in dev_splits}
    rows = own.rankings(fitted)
    documents = own.matcher.documents

    def bundled_ok(value: float) -> bool:
        figures = answered(rows, documents, Thresholds(answer=value, suggest=value))
        near = [v for k, v in figures.items() if k.startswith("near_miss") and k.endswith("tune")]
        fine = figures["bundled right"] >= 0.98 and figures["bundled wrong"] == 0
        return fine and all(v <= 0.02 for v in near)

    limits = choose_thresholds(
        dev, bundled_ok if args.near_miss else None, args.min_precision, args.max_absent
    )
    print(constants(fitted, limits))
    trees = learned.dumps_semantic(fitted, limits) if args.semantic else fitted.forest.dumps()
    shipped = target.read_text(encoding="utf-8") if target.exists() else ""
    print(f"{target.name}: {'as shipped' if trees == shipped else 'differs'}")
    if args.write:
        target.write_text(trees, encoding="utf-8")
        print(f"wrote {target}")
    current, current_limits = learned.DEFAULT, Thresholds()
    shipped_name = learned.SEMANTIC_FILE.name if args.semantic else "model.py"
    if args.semantic and shipped:
        current, current_limits = learned.load_semantic(target)
    today = {split.name: evaluate(split, current) for split in dev_splits}
    report: dict[str, dict[str, float]] = {}
    for label, runs, chosen in (
        (f"{shipped_name} as it stands", today, current_limits),
        ("fitted, today's thresholds", dev, Thresholds()),
        ("fitted, chosen thresholds", dev, limits),
    ):
        print(f"{label} (answer {chosen.answer:g}, suggest {chosen.suggest:g}):")
        for name, outcomes in runs.items():
            figures = {k: round(v, 4) for k, v in summary(outcomes, chosen).items()}
            report[f"{label}: {name}"] = figures
            print(
                f"  {name}: MAP@5 {figures['map@5']:.4f}  precision "
                f"{figures['answer_precision']:.4f}  coverage {figures['answer_coverage']:.4f}  "
                f"absent answered {figures['absent_answered']:.4f}  offered "
                f"{figures['absent_suggested']:.4f}"
            )
    for label, chosen_model, chosen in (
        (f"{shipped_name} as it stands", current, current_limits),
        ("fitted, chosen thresholds", fitted, limits),
    ):
        figures = answered(own.rankings(chosen_model), documents, chosen)
        report[f"{label}: bundled"] = {k: round(v, 4) for k, v in figures.items()}
        print(f"{label}, bundled library:")
        print("  " + "  ".join(f"{k} {v:.4f}" for k, v in figures.items()))
    if args.json:
        print(json.dumps({"dev": report, "answer": limits.answer, "suggest": limits.suggest}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
