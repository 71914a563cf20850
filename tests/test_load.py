"""The load and broadcast benchmarks (bench/load.py, bench/broadcast.py), shortened with
--quick, as acceptance tests of issue 8: under load through the webhook nothing is lost,
doubled or reordered and the database holds exactly what the simulated users did, on SQLite
and on PostgreSQL with one and two workers; and a broadcast across a worker killed midway
reaches nobody twice and never passes limits.outgoing_per_second in any 1-second window.

They start real bot processes and take about a minute together: run them with
`.venv/bin/pytest -m slow tests/test_load.py`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.testing.postgres import postgres_problem
from bot.testing.services import unavailable

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _bench(script: str, tmp_path: Path, *extra: str) -> dict[str, Any]:
    problem = postgres_problem()
    if problem:
        unavailable(problem)
    out = tmp_path / "figures.json"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--quick", "--json", str(out), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.exists(), completed.stdout + completed.stderr
    figures: dict[str, Any] = json.loads(out.read_text())
    print(completed.stdout)
    return figures


def test_load_nothing_lost_doubled_or_reordered(tmp_path: Path) -> None:
    figures = _bench("load.py", tmp_path, "--ceiling-seconds", "0")
    setups = {setup["setup"]: setup for setup in figures["setups"]}
    assert sorted(setups) == ["a", "b", "c", "d"]
    for key, setup in setups.items():
        where = f"({key}) {setup['label']}"
        assert setup["lost"] == 0, where
        assert setup["duplicated"] == 0, where
        assert setup["order_violations"] == 0, where
        assert setup["error_kinds"]["undelivered"] == 0, where
        assert setup["exit_code"] == 0, where
        assert setup["log"]["tracebacks"] == 0, where
    for key in "bcd":
        setup = setups[key]
        where = f"({key}) {setup['label']}: database {setup['database']}"
        assert setup["database"] == setup["expected"], f"{where}, expected {setup['expected']}"
        assert setup["database_ok"], where
        assert setup["redelivery_replies"] == 0, where
        for kind in ("stale_replies", "send_again_replies", "apologies", "missing_buttons"):
            assert setup["error_kinds"][kind] == 0, f"{where}: {kind}"
    for key, setup in setups.items():
        assert setup["updates"] == figures["users"] * figures["interactions"], key


def test_broadcast_survives_a_killed_worker_without_doubling(tmp_path: Path) -> None:
    figures = _bench("broadcast.py", tmp_path)
    assert figures["problems"] == []
    assert figures["subscribed"] == figures["subscribers"]
    assert figures["queued"] == figures["subscribers"]
    assert figures["restarted"]
    assert figures["got_twice"] == 0
    assert figures["strays"] == 0
    assert figures["got_once"] + figures["got_none"] == figures["subscribers"]
    # Only rows the killed worker had claimed (marked `sending`) may have gone unsent.
    assert figures["got_none"] <= figures["outbox"].get("sending", 0)
    assert figures["max_per_window"] <= figures["rate"]
