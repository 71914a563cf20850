"""bench/semantic_cost.py: one run loads the bundled library and times its messages, and the
report is the median of fresh processes' figures."""

from __future__ import annotations

import json

import pytest

from tests.matching.bench_script import load


def test_one_run_loads_the_library_and_matches_the_english_near_misses() -> None:
    figures = load("semantic_cost").one_run(semantic=False)
    assert figures["messages"] >= 150  # the English near-miss set
    assert 0 < figures["load_s"] < 120
    assert 0 < figures["message_ms_p50"] < 1000
    assert figures["peak_mb"] > 10


def test_the_report_is_the_median_of_fresh_processes(capsys: pytest.CaptureFixture[str]) -> None:
    assert load("semantic_cost").main(["--runs", "1", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) == {"load_s", "message_ms_p50", "messages", "peak_mb"}
