"""The CLEF CheckThat! English claim-retrieval benchmark: quality targets on the dev splits.

Slow (builds two 10k+ indexes and ranks ~400 tweets): run with `pytest -m slow`. Skipped when the
shared benchmark data is not on this machine; the tweets are third-party content and are never
copied into the repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "claim-matching"
# Plain BM25 over claim + title on the same splits (the benchmark README), and the required gain.
BASELINE = {"ct2020": 0.750, "ct2022": 0.843}
GAIN = 0.03
# The answer tier trades coverage for staying quiet when the library lacks the fact-check: at
# most 5% of the tweets are answered once their right fact-checks are masked out. The coverage
# floors are what that leaves on each split (0.41 and 0.63 when set), less a little slack.
MAX_ABSENT_ANSWERED = 0.05
MIN_COVERAGE = {"ct2020": 0.38, "ct2022": 0.6}


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["ct2020", "ct2022"])
def test_dev_split_beats_bm25_answers_precisely_and_abstains(
    dataset: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = DATA / dataset
    if not (folder / "dev.queries.jsonl").is_file():
        pytest.skip(f"benchmark data not found at {folder}")
    args = ["bench", "matching", "--claims", str(folder / "claims.jsonl")]
    args += ["--queries", str(folder / "dev.queries.jsonl")]
    args += ["--qrels", str(folder / "dev.qrels.tsv"), "--json"]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["map@5"] >= BASELINE[dataset] + GAIN
    assert summary["answer_precision"] >= 0.96
    assert summary["answer_coverage"] >= MIN_COVERAGE[dataset]
    assert summary["absent_answered"] <= MAX_ABSENT_ANSWERED
