"""`civicbot content check` on good and broken libraries, as a user runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import bundled_content
from tests.conftest import FIXTURE_COUNTS


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=cwd, timeout=60
    )


def test_bundled_content_is_clean(capsys: object) -> None:
    assert main(["content", "check", str(bundled_content())]) == 0


def test_fixture_library_json(library_dir: Path, capsys: object) -> None:
    code = main(["content", "check", str(library_dir), "--json"])
    out = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert code == 0
    assert out["errors"] == []
    assert out["counts"] == FIXTURE_COUNTS
    assert out["languages"]["en"]["lessons"] == 2


def test_broken_copy_reports_each_problem_without_traceback(library_dir: Path) -> None:
    lessons = library_dir / "lessons"
    (lessons / "invalid.yaml").write_text("id: x\ntitle: [\n")
    (lessons / "bomb.yaml").write_text('a: &a ["x","x"]\nb: [*a,*a]\n')
    (lessons / "latin1.yaml").write_bytes(b"id: caf\xe9\n")
    shutil.copy(lessons / "01-basics.yaml", lessons / "copy.yaml")
    (library_dir / "factchecks" / "noid.yaml").write_text(
        (library_dir / "factchecks" / "5g-covid.yaml").read_text().replace("id: 5g-covid\n", "")
    )
    result = run_cli("content", "check", str(library_dir))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    for name in ("invalid.yaml:", "bomb.yaml:1:", "latin1.yaml:1:", "copy.yaml:1:", "noid.yaml:1:"):
        assert sum(name in line for line in lines) == 1, (name, lines)


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    result = run_cli("content", "check", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert "content folder not found" in result.stderr


def test_new_files_pass_the_check(library_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for kind in ("lesson", "quiz", "factcheck"):
        assert main(["content", "new", kind, f"my-{kind}", "--content", str(library_dir)]) == 0
    assert (library_dir / "quizzes" / "en" / "my-quiz.yaml").is_file()
    assert main(["content", "check", str(library_dir)]) == 0
    assert main(["content", "new", "lesson", "my-lesson", "--content", str(library_dir)]) == 2
    assert main(["content", "new", "lesson", "Not An Id", "--content", str(library_dir)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_show_renders_as_the_bot_does(
    library_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["content", "show", "basics", "--content", str(library_dir)]) == 0
    out = capsys.readouterr().out
    assert "(1/3)" in out and "(3/3)" in out and "Take the quiz" in out
    assert main(["content", "show", "basics-quiz", "--content", str(library_dir)]) == 0
    out = capsys.readouterr().out
    for fragment in ("Question 4 of 4", "Yes, strong feelings", "A classic sign", "4 of 4 right"):
        assert fragment in out
    assert main(["content", "show", "5g-covid", "--content", str(library_dir), "--html"]) == 0
    assert "<b>«5G mobile networks" in capsys.readouterr().out
    assert main(["content", "show", "nope", "--content", str(library_dir)]) == 1
    assert "no lesson, quiz or fact-check 'nope'" in capsys.readouterr().err
