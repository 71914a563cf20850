"""`civicbot match` and `civicbot bench matching` as a user runs them: output, JSON, exit codes,
and one clear line (never a traceback) for mistakes the user can make."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.matching.semantic import load_encoder
from bot.testing.services import require_sentence_model
from tests.library.test_documents import make_content

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CLAIMS = str(FIXTURES / "claims.jsonl")
QUERIES = str(FIXTURES / "queries.jsonl")
QRELS = str(FIXTURES / "qrels.tsv")


def test_match_prints_tier_and_ranked_matches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = str(make_content(tmp_path))
    code = main(
        [
            "match",
            "BREAKING: China bought the Eiffel Tower for 3 billion euros!!",
            "--content",
            content,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0].split(" (")[0] in {"tier: answer", "tier: suggest"}
    assert "confidence 0." in out.splitlines()[0]
    assert "en/eiffel-sold" in out.splitlines()[1]


def test_match_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = str(make_content(tmp_path))
    text = "Forwarded from X\nВакцины от COVID-19 содержат микрочипы для слежки 😱"
    assert main(["match", text, "--content", content, "--top", "2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["tier"] in {"answer", "suggest"}
    assert doc["matches"][0]["id"] == "vaccine-chip"
    assert doc["matches"][0]["language"] == "ru"
    assert len(doc["matches"]) <= 2
    assert set(doc["matches"][0]) == {"id", "language", "score", "claim"}
    assert doc["confidence"] == doc["matches"][0]["score"]


def test_match_unrelated_text_says_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = str(make_content(tmp_path))
    assert main(["match", "see you at lunch tomorrow", "--content", content, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tier"] == "none"


def test_match_broken_content_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = make_content(tmp_path)
    (content / "factchecks" / "broken.yaml").write_text("id: broken\nlanguage: en\n")
    assert main(["match", "anything", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert "broken.yaml" in err
    assert "Traceback" not in err


def test_match_missing_content_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", "anything", "--content", str(tmp_path / "nowhere")]) == 1
    assert "not found" in capsys.readouterr().err


def test_match_rejects_a_bad_top(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["match", "anything", "--top", "0"])
    assert exit_info.value.code == 2
    assert "--top" in capsys.readouterr().err


def test_bench_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["bench", "matching", "--claims", CLAIMS, "--queries", QUERIES, "--qrels", QRELS])
    out = capsys.readouterr().out
    assert code == 0
    assert "claims 6, queries 5 (5 judged)" in out
    assert "MAP@5 1.0000" in out
    assert "p95" in out


def test_bench_json_last_line(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["bench", "matching", "--claims", CLAIMS, "--queries", QUERIES, "--qrels", QRELS]
    assert main([*args, "--json"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    summary = json.loads(last)
    assert set(summary) == {
        "map@5",
        "mrr",
        "p@1",
        "r@5",
        "answer_precision",
        "answer_coverage",
        "absent_answered",
        "absent_suggested",
        "absent_answered_ids",
        "index_s",
        "p50_ms",
        "p95_ms",
    }
    assert summary["map@5"] == 1.0
    assert summary["r@5"] == 1.0
    assert 0.0 <= summary["answer_coverage"] <= 1.0
    # With its own claim masked, no query of the fixture repeats another claim.
    assert summary["absent_answered"] == 0.0
    assert summary["p95_ms"] >= summary["p50_ms"] > 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "claims.jsonl",
            '{"id": "a", "text": "x"}\n{not json}\n',
            "claims.jsonl:2: not valid JSON",
        ),
        ("claims.jsonl", '{"id": "a"}\n', "claims.jsonl:1: missing or empty 'text'"),
        ("claims.jsonl", "[1, 2]\n", "claims.jsonl:1: expected a JSON object"),
        ("qrels.tsv", "q1 0 c1\n", "qrels.tsv:1: expected 'query_id 0 claim_id relevance'"),
        ("qrels.tsv", "q1 0 c1 yes\n", "qrels.tsv:1: relevance is not a number"),
    ],
)
def test_bench_bad_input_is_one_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str,
    message: str,
) -> None:
    files = {"claims.jsonl": CLAIMS, "queries.jsonl": QUERIES, "qrels.tsv": QRELS}
    broken = tmp_path / name
    broken.write_text(content, encoding="utf-8")
    files[name] = str(broken)
    args = ["bench", "matching", "--claims", files["claims.jsonl"]]
    args += ["--queries", files["queries.jsonl"], "--qrels", files["qrels.tsv"]]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_bench_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nope.jsonl")
    assert (
        main(["bench", "matching", "--claims", missing, "--queries", QUERIES, "--qrels", QRELS])
        == 2
    )
    err = capsys.readouterr().err
    assert err.strip() == f"civicbot: {missing}: file not found"


def counted_encodings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The model, loaded, with every call of its `encode` counted (texts per call), and no
    library read from its store."""
    loaded = require_sentence_model()
    monkeypatch.setattr(loaded, "store", None)
    model = type(loaded)
    calls: list[int] = []
    encode = model.encode

    def counting(self: Any, texts: Sequence[str]) -> Any:
        calls.append(len(texts))
        return encode(self, texts)

    monkeypatch.setattr(model, "encode", counting)
    return calls


def test_bench_with_the_sentence_model(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = counted_encodings(monkeypatch)
    args = ["bench", "matching", "--claims", CLAIMS, "--queries", QUERIES, "--qrels", QRELS]
    assert main([*args, "--json", "--semantic"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["map@5"] == 1.0
    assert summary["absent_answered"] == 0.0
    claims = sum(1 for line in Path(CLAIMS).read_text("utf-8").splitlines() if line.strip())
    assert calls[0] >= claims  # the library, then the queries one by one
    assert len(calls) > 1
    assert set(calls[1:]) == {1}


def test_bench_without_the_sentence_model_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    load_encoder.cache_clear()
    for name in ("torch", "sentence_transformers"):
        monkeypatch.setitem(sys.modules, name, None)
    args = ["bench", "matching", "--claims", CLAIMS, "--queries", QUERIES, "--qrels", QRELS]
    try:
        assert main([*args, "--semantic"]) == 2
    finally:
        load_encoder.cache_clear()
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is not installed (torch)" in err
    assert ".[semantic]" in err


def test_match_with_the_sentence_model_in_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = counted_encodings(monkeypatch)
    config = tmp_path / "config.yaml"
    config.write_text("matching:\n  semantic: true\n", encoding="utf-8")
    content = str(make_content(tmp_path))
    text = "BREAKING: China bought the Eiffel Tower for 3 billion euros!!"
    code = main(["match", text, "--content", content, "--json", "--config", str(config)])
    assert code == 0
    found = json.loads(capsys.readouterr().out)
    assert found["matches"][0]["id"] == "eiffel-sold"
    assert calls[-1] == 1  # the message, after the library
