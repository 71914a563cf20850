"""`civicbot chat` as a newcomer runs it: piped input, a transcript, progress kept between runs,
nothing written to the current folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from bot.config import bundled_content


def chat(
    lines: list[str], cwd: Path, env: dict[str, str], *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", *extra],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def first_factcheck_claim() -> str:
    folder = bundled_content() / "factchecks"
    path = sorted(folder.rglob("*.yaml"))[0]
    return str(yaml.safe_load(path.read_text(encoding="utf-8"))["claim"])


def test_two_runs_share_progress_and_leave_cwd_alone(tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "LANG": "C.UTF-8"}
    # /start, choose English (the first language), open Lessons, open the first lesson.
    first = chat(["/start", "1", "1", "1"], work, env)
    assert first.returncode == 0, first.stderr
    assert "Welcome" in first.stdout and "Choose your language" in first.stdout
    assert "[1] English" in first.stdout and "Русский" in first.stdout
    assert "(1/" in first.stdout  # the first lesson's first card
    # Walk through the first lesson to its end: "1" is Next on the first card, "2" after it.
    second = chat(["/lessons", "1", "1", *["2"] * 8, "/progress"], work, env)
    assert second.returncode == 0, second.stderr
    assert "Lessons finished: 1 of" in second.stdout
    third = chat(["/progress"], work, env)
    assert "Lessons finished: 1 of" in third.stdout
    assert list(work.iterdir()) == []
    assert (tmp_path / "data" / "civicbot" / "civicbot.sqlite3").is_file()
    key = tmp_path / "data" / "civicbot" / "secret.key"
    assert key.stat().st_mode & 0o777 == 0o600


def test_claims_and_nonsense(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    claim = first_factcheck_claim()
    result = chat([claim, "qwxz plorb vintage teapot festival"], tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert "We have checked a claim like this" in result.stdout
    assert "no fact-check for this yet" in result.stdout


def test_draft_library_and_broken_library(tmp_path: Path, library_dir: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    result = chat(["/lessons"], tmp_path, env, "--content", str(library_dir))
    assert "Spotting emotional language" in result.stdout
    (library_dir / "lessons" / "bad.yaml").write_text("id: [\n")
    broken = chat(["/start"], tmp_path, env, "--content", str(library_dir))
    assert broken.returncode == 1
    assert "bad.yaml:" in broken.stderr and "Traceback" not in broken.stderr


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    chat_process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    )
    assert chat_process.stdout is not None and chat_process.stdin is not None
    chat_process.stdout.close()  # like `civicbot chat | head -1` after its line
    _, err = chat_process.communicate(b"/help\n" * 50, timeout=60)
    assert b"Traceback" not in err
