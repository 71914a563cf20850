"""The instruction-count benchmark (bench/instructions.py): reading callgrind's totals, the
digest of the bot's calls, the timer jobs held off, a clear error without valgrind, and (slow:
`.venv/bin/pytest -m slow tests/test_instructions.py`, about two minutes) a tiny run that
counts instructions and loses no reply."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.testing.services import redis_problem, unavailable

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "instructions.py"

sys.path.insert(0, str(ROOT / "bench"))
try:
    from instructionsbench.callgrind import (
        Calls,
        parse_totals,
        total_instructions,
        valgrind_problem,
    )
    from instructionsbench.quiet import quiet_jobs_env
finally:
    sys.path.remove(str(ROOT / "bench"))

CALLGRIND_OUT = """\
# callgrind format
version: 1
creator: callgrind-3.19.0
pid: 4242
cmd:  python -m bot run --webhook
part: 1

desc: I1 cache:
positions: line
events: Ir
summary: 0

fl=(1) ???
fn=(1) 0x0000000000001040
0 3

totals: 1681967331
"""


def test_callgrind_totals_are_read() -> None:
    assert parse_totals(CALLGRIND_OUT) == 1_681_967_331
    assert parse_totals("events: Ir\nsummary: 345\n") == 345
    assert parse_totals("events: Ir Dr\ntotals: 12 7\n") == 12
    assert parse_totals("# callgrind format\nevents: Ir\n") == 0


def test_every_dump_is_added_up(tmp_path: Path) -> None:
    out = tmp_path / "callgrind.out"
    out.write_text("events: Ir\ntotals: 5\n")  # written at exit, instrumentation off
    (tmp_path / "callgrind.out.1").write_text("events: Ir\ntotals: 1000\n")
    (tmp_path / "callgrind.out.2").write_text("events: Ir\nsummary: 20\n")
    (tmp_path / "other.out").write_text("totals: 99999\n")
    assert total_instructions(out) == 1025


def test_the_digest_follows_behaviour_not_message_ids() -> None:
    def calls(message_id: int, text: str) -> Calls:
        found = Calls()
        found.add(7, "sendMessage", {"chat_id": 7, "text": "Hi"}, 200)
        found.add(7, "editMessageText", {"message_id": message_id, "text": text}, 200)
        found.add(7, "answerCallbackQuery", {"callback_query_id": str(message_id)}, 200)
        return found

    same = calls(11, "Card 2")
    assert same.count == 3
    assert same.digest == calls(99, "Card 2").digest
    assert same.digest != calls(11, "Card 3").digest
    reordered = Calls(list(reversed(same.lines)))
    assert reordered.digest != same.digest


def test_the_timer_jobs_are_held_off(tmp_path: Path) -> None:
    env = {**os.environ, **quiet_jobs_env(tmp_path)}
    env["PYTHONPATH"] += os.pathsep + str(ROOT)
    show = (
        "import inspect, bot.service.service as s, bot.service.classroom as c;"
        "from bot.service import watch_content as w;"
        "print(s.OUTBOX_IDLE, s.REMINDERS_EVERY, c.EVERY,"
        " inspect.signature(w).parameters['every'].default)"
    )
    held = subprocess.run(
        [sys.executable, "-c", show], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert held.stdout.split() == ["3600.0"] * 4, held.stderr
    env.pop("CIVICBOT_BENCH_QUIET_JOBS")
    normal = subprocess.run(
        [sys.executable, "-c", show], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert "3600.0" not in normal.stdout.split(), normal.stderr


def test_without_valgrind_it_says_so_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}
    ran = subprocess.run(
        [sys.executable, str(SCRIPT), "--measure", "1"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 2
    assert ran.stdout == ""
    assert ran.stderr.count("\n") == 1
    assert "valgrind" in ran.stderr


@pytest.mark.slow
def test_a_tiny_run_counts_instructions_and_loses_nothing(tmp_path: Path) -> None:
    problem = valgrind_problem() or redis_problem()
    if problem:
        unavailable(problem)
    out = tmp_path / "figures.json"
    scratch = tmp_path / "scratch"  # where its temporary folder goes, removed afterwards
    scratch.mkdir()
    tiny = ["--warm", "1", "--measure", "1", "--interactions", "5", "--redis-db", "12"]
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), *tiny, "--json", str(out)],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(scratch)},
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert out.exists(), completed.stdout + completed.stderr
    print(completed.stdout)
    figures: dict[str, Any] = json.loads(out.read_text())
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert figures["instructions_per_update"] > 0
    assert figures["updates"] == 5
    assert figures["verdict"]["lost"] == 0
    assert figures["verdict"]["errors"] == 0
    assert figures["calls"] >= figures["updates"]
    assert "instructions per update: " in completed.stdout
    assert list(scratch.iterdir()) == []
