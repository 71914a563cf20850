"""The reliability benchmark's quick run (bench/reliability.py --quick) as a test.

Hostile input through the engine and the Telegram renderer, the real transport under injected
429s, 500s, dropped connections and answers lost after the call was performed, and `python -m
bot run` killed with SIGKILL mid-run: no crash, no message Telegram would refuse, no press on
someone else's button answered with more than a notice or changing anything, no reply lost or
sent twice, no second over the outgoing limit, no acknowledged answer missing or stored twice,
and every interrupted quiz can be continued.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "reliability.py"
MUST_BE_ZERO = [
    "hostile.crashes",
    "hostile.invalid",
    "hostile.replayed_answered",
    "hostile.foreign_acted",
    "faults.script_errors",
    "faults.lost",
    "faults.duplicated",
    "faults.crashes",
    "faults.answers_missing",
    "faults.answers_duplicated",
    "faults.over_limit",
    "kill.script_errors",
    "kill.missing",
    "kill.duplicated",
    "kill.not_continued",
    "kill.unanswered",
    "kill.errors",
    "kill.exit",
]


@pytest.mark.slow
def test_quick_reliability_run(tmp_path: Path) -> None:
    figures_file = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", str(figures_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = (done.stdout + done.stderr)[-6000:]
    assert figures_file.exists(), output
    data: dict[str, Any] = json.loads(figures_file.read_text(encoding="utf-8"))
    figures: dict[str, int] = data["figures"]
    assert figures["hostile.tried"] >= 1000
    assert figures["hostile.foreign"] > 0
    assert figures["faults.sent"] > 0
    assert figures["faults.processed"] == figures["faults.sent"]
    assert figures["faults.injected_answer_drop"] > 0
    assert figures["kill.acknowledged"] > 0
    bad = {key: figures[key] for key in MUST_BE_ZERO if figures[key] != 0}
    assert not bad, f"{bad}\n{output}"
    assert done.returncode == 0, output
