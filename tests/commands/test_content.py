"""`civicbot content check` on good and broken libraries, as a user runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import bundled_content
from tests.conftest import FIXTURE_COUNTS, make_library


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


def test_new_files_fail_the_check_until_their_placeholders_are_replaced(
    library_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind in ("lesson", "quiz", "factcheck"):
        assert main(["content", "new", kind, f"my-{kind}", "--content", str(library_dir)]) == 0
    new = library_dir / "quizzes" / "en" / "my-quiz.yaml"
    assert new.is_file()
    capsys.readouterr()
    assert main(["content", "check", str(library_dir)]) == 1
    err = capsys.readouterr().err
    assert "my-quiz.yaml:4:1: title: placeholder text from `content new`: replace the TODO" in err
    assert all(f"my-{kind}.yaml" in err for kind in ("lesson", "quiz", "factcheck"))
    for path in library_dir.rglob("my-*.yaml"):
        path.write_text(path.read_text().replace("TODO: ", ""))
    assert main(["content", "check", str(library_dir)]) == 0
    assert main(["content", "new", "lesson", "my-lesson", "--content", str(library_dir)]) == 2
    assert main(["content", "new", "lesson", "Not An Id", "--content", str(library_dir)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_json_problems_carry_the_column(
    library_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (library_dir / "lessons" / "dup.yaml").write_text("id: a\n  id: b\n")
    assert main(["content", "check", str(library_dir), "--json"]) == 1
    errors = json.loads(capsys.readouterr().out)["errors"]
    assert {k: errors[0][k] for k in ("line", "col")} == {"line": 2, "col": 5}


def test_the_reference_language_is_not_translated_from_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_library(tmp_path, {"ru": "Русский"})
    assert main(["content", "check", str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    en = next(line for line in lines if line.startswith("  en:"))
    ru = next(line for line in lines if line.startswith("  ru:"))
    assert "translated" not in en
    assert "translated from en: interface 100%" in ru


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


def test_twelve_kinds_of_problem_in_one_run(tmp_path: Path) -> None:
    """A library broken twelve ways at once: every problem is reported, none hides another."""
    root = make_library(tmp_path, {"ru": "Русский"})

    def edit(rel: str, old: str, new: str) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    (root / "lessons" / "tabbed.yaml").write_text("id: tabbed\ncards:\n\t- text: a\n")
    (root / "lessons" / "deep.yaml").write_text("id: " + "[" * 5000 + "]" * 5000 + "\n")
    (root / "lessons" / "number.yaml").write_text("language: en\nid: " + "9" * 5000 + "\n")
    edit("factchecks/5g-covid.yaml", "published: ", "published: 2026-02-30\nx_published: ")
    edit("lessons/01-basics.yaml", "topic:", "topik: x\ntopic:")
    edit("lessons/01-basics.yaml", "Outrage and fear spread faster than calm facts.", "long " * 900)
    edit("quizzes/basics-quiz.yaml", "lesson: basics", "lesson: basic")
    edit(
        "quizzes/basics-quiz.yaml",
        "        correct: true\n        feedback: Yes",
        "        feedback: Yes",
    )
    assert main(["content", "new", "lesson", "fresh", "--content", str(root)]) == 0
    edit(
        "locales/en.yaml",
        "Choose your language.",
        '"{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}"',
    )
    edit("locales/ru.yaml", "Выберите язык.", "\"{{ 'a' * 2000000000 }}\"")
    shutil.copy(root / "lessons" / "02-sift.yaml", root / "lessons" / "03-sift-again.yaml")

    started = time.monotonic()
    result = run_cli("content", "check", str(root))
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    expected = {
        "tab": "tabbed.yaml:3:1: invalid YAML: a tab character; indent with spaces",
        "nesting": "deep.yaml:1:",
        "integer": "number.yaml:2:5: id: a number of 5000 digits is too long",
        "date": "5g-covid.yaml:",
        "unknown key": "01-basics.yaml:4:1: topik: unknown key (did you mean 'topic'?)",
        "long card": "01-basics.yaml:9:5: cards[1].text: 4499 characters; a card allows 3896:",
        "broken question": "basics-quiz.yaml:6:5: questions[0]: no option is marked correct",
        "reference": "basics-quiz.yaml:4:1: lesson: no lesson 'basic' in language en (did you",
        "placeholder": "fresh.yaml:4:1: title: placeholder text from `content new`",
        "loop": "en.yaml:17:5: messages.start.choose_language: template, tried with sample "
        "values: too much work for one message: more than 100000 loop steps",
        "multiplication": "ru.yaml:16:5: messages.start.choose_language: template, tried with "
        "sample values: too much work for one message: would build 2000000000 characters",
        "duplicate": "03-sift-again.yaml:1:1: id: duplicate id 'sift' (en), first defined at",
    }
    missing = {
        kind: text for kind, text in expected.items() if not any(text in line for line in lines)
    }
    assert missing == {}, "\n".join(lines)
    assert any("deep.yaml" in line and "nested more than 32 levels deep" in line for line in lines)
    assert any(
        "5g-covid.yaml" in line and "'2026-02-30' is not a real date" in line for line in lines
    )
    assert any("x_published: unknown key" in line for line in lines)  # the same file, still read
    assert elapsed < 60
