"""Reading claims in screenshots: does the matcher find the same fact-checks from the words
Tesseract reads as from the text itself?

English: the CheckThat! dev tweets (ct2020 and ct2022, in ../shared/data/claim-matching/) are
drawn as phone screenshots of a post (bot/testing/pictures.py: five fonts, light and dark
themes, JPEG quality 60-90), read back with the bot's own reader (`read_picture`, Tesseract
eng+rus as the bot runs it), and ranked by the same Matcher as the tweets' own text: MAP@5 of
both, and their ratio. Russian: each bundled Russian fact-check's claim drawn likewise and sent
through the chat's matcher (language ru): the share answered (tier ANSWER) with the right
fact-check. Also the time to read one screenshot (decode, hashes and OCR; p50/p95), one
process, in this process.

    .venv/bin/python bench/pictures_ocr.py [--sample N] [--json]

`--sample N` reads the first N judged tweets of each split (a full run reads about 400
screenshots, a few minutes on two cores).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from abstention import bundled, chat_matcher

from bot.commands.bench import read_claims, read_qrels, read_queries
from bot.matching import Matcher, Tier
from bot.matching.evaluate import Ranked, score_run
from bot.matching.matcher import tier_of
from bot.testing.pictures import screenshot
from bot.transports.drawing.reading import find_tesseract, read_picture

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "claim-matching"
DATASETS = ("ct2020", "ct2022")


class Reader:
    """The bot's reader, timed."""

    def __init__(self) -> None:
        tesseract = find_tesseract()
        if tesseract is None:
            raise SystemExit("Tesseract is not installed (apt-get install tesseract-ocr-eng)")
        self.tesseract = tesseract
        self.seconds: list[float] = []

    def read(self, text: str, seed: int) -> str:
        picture = screenshot(text, seed)
        started = time.perf_counter()
        seen = read_picture(picture, self.tesseract)
        self.seconds.append(time.perf_counter() - started)
        return seen.text or ""


def ranked(matcher: Matcher, text: str) -> Ranked:
    """The ranking MAP@5 is taken from (as `civicbot bench`), and whether the bot answers."""
    ranking = matcher.rank(text)
    ids = list(dict.fromkeys(matcher.documents[p].id for p in ranking.docs))
    return Ranked(ids, answered=tier_of(ranking, matcher.limits(ranking)) is Tier.ANSWER)


def english(reader: Reader, data: Path, sample: int | None) -> dict[str, object]:
    figures: dict[str, object] = {}
    for dataset in DATASETS:
        folder = data / dataset
        matcher = Matcher(read_claims(str(folder / "claims.jsonl")))
        qrels = read_qrels(str(folder / "dev.qrels.tsv"))
        queries = [(q, t) for q, t in read_queries(str(folder / "dev.queries.jsonl")) if qrels[q]]
        queries = queries[:sample] if sample else queries
        own: dict[str, Ranked] = {}
        read: dict[str, Ranked] = {}
        for number, (query_id, text) in enumerate(queries):
            own[query_id] = ranked(matcher, text)
            read[query_id] = ranked(matcher, reader.read(text, number))
        judged = {q: qrels[q] for q, _ in queries}
        text_run, shot_run = score_run(own, judged), score_run(read, judged)
        text_map, shot_map = text_run["map@5"], shot_run["map@5"]
        figures[dataset] = {
            "queries": len(queries),
            "map@5_text": text_map,
            "map@5_screenshot": shot_map,
            "ratio": shot_map / text_map if text_map else 0.0,
            "answered_text": text_run["answer_coverage"],
            "answered_screenshot": shot_run["answer_coverage"],
            "answer_precision_screenshot": shot_run["answer_precision"],
        }
    return figures


def russian(reader: Reader) -> dict[str, object]:
    library = bundled()
    matcher = chat_matcher(library)
    checks = [fc for (language, _), fc in library.factchecks.items() if language == "ru"]
    right = 0
    missed = []
    for number, fc in enumerate(checks):
        result = matcher.match(reader.read(fc.claim, number), top=3, language="ru")
        if result.tier is Tier.ANSWER and result.matches[0].document_id == fc.id:
            right += 1
        else:
            missed.append(fc.id)
    return {"claims": len(checks), "answered_right": right / len(checks), "missed": missed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--sample", type=int, default=None, help="tweets per split")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    reader = Reader()
    result: dict[str, object] = {"english": english(reader, args.data, args.sample)}
    result["russian"] = russian(reader)
    seconds = sorted(reader.seconds)
    result["read_seconds_p50"] = statistics.median(seconds)
    result["read_seconds_p95"] = seconds[int(0.95 * (len(seconds) - 1))]
    result["load_average"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for dataset, figures in result["english"].items():  # type: ignore[attr-defined]
        print(
            f"{dataset} dev, {figures['queries']} tweets: MAP@5 text {figures['map@5_text']:.3f}, "
            f"screenshots {figures['map@5_screenshot']:.3f} "
            f"(ratio {figures['ratio']:.3f}); answered {figures['answered_text']:.1%} of "
            f"tweets, {figures['answered_screenshot']:.1%} of screenshots "
            f"({figures['answer_precision_screenshot']:.1%} of those right)"
        )
    ru = result["russian"]
    assert isinstance(ru, dict)
    print(
        f"ru bundled claims: {ru['claims']} screenshots, answered with the right fact-check "
        f"{ru['answered_right']:.1%}; missed: {', '.join(ru['missed']) or 'none'}"
    )
    print(
        f"reading one screenshot: p50 {result['read_seconds_p50']:.2f} s, "
        f"p95 {result['read_seconds_p95']:.2f} s "
        f"(one process; load average {result['load_average']:.1f} on 2 cores)"
    )


if __name__ == "__main__":
    main()
