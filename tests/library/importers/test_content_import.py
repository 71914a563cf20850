"""`civicbot content import gift|claimreview` as an educator runs it: what it prints, the files
it writes into a library that then passes `content check`, and its exit codes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import make_library
from tests.library.importers.helpers import FIXTURES

BANK = FIXTURES / "civics-bank.gift"
REVIEWS = FIXTURES / "claimreviews.json"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["content", "import", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_gift_into_a_library(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_library(tmp_path)
    code, out, err = run(capsys, "gift", str(BANK), "--out", str(root))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert f"wrote {root}/quizzes/en/elections.yaml (Elections, 6 questions)" in lines
    skipped = [line for line in lines if ": skipped: " in line]
    assert len(skipped) == 7
    line = next(n for n, text in enumerate(BANK.read_text().splitlines(), 1) if "::Match" in text)
    assert f"{BANK}:{line}: skipped: matching question: not supported, not imported" in skipped
    assert lines[-1] == "imported 14 questions in 3 quizzes; skipped 7 questions"
    assert main(["content", "check", str(root)]) == 0


def test_gift_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    code, _, _ = run(
        capsys, "gift", str(BANK), "--out", str(out_dir), "--language", "ru", "--id-prefix", "m"
    )
    assert code == 0
    assert (out_dir / "quizzes" / "ru" / "m-elections.yaml").is_file()
    code, _, err = run(capsys, "gift", str(BANK), "--out", str(out_dir), "--id-prefix", "Bad!")
    assert code == 2 and "--id-prefix" in err
    code, _, err = run(capsys, "gift", str(BANK), "--out", str(out_dir), "--language", "English")
    assert code == 2 and "--language" in err


def test_claimreview_into_a_library(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_library(tmp_path, {"ru": "Русский"})
    code, out, err = run(capsys, "claimreview", str(REVIEWS), "--out", str(root))
    assert code == 0 and err == ""
    assert f"wrote {root}/factchecks/ru/v-skvorechniki-vo-dvorakh-taino.yaml (false: " in out
    assert f"{REVIEWS}: item 3: skipped: no claimReviewed" in out
    assert f"{REVIEWS}: item 6: skipped: unknown rating" in out
    assert f"{REVIEWS}: item 5: note: rating 'Zany'" in out
    assert out.splitlines()[-1] == "imported 4 fact-checks; skipped 2 items"
    assert main(["content", "check", str(root)]) == 0
    # Importing again replaces the same files instead of adding copies.
    code, out, _ = run(capsys, "claimreview", str(REVIEWS), "--out", str(root))
    assert code == 0 and "was taken" not in out
    assert main(["content", "check", str(root)]) == 0


def test_a_library_without_the_language_is_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_library(tmp_path)
    (root / "locales" / "ru.yaml").unlink(missing_ok=True)
    code, out, _ = run(capsys, "claimreview", str(REVIEWS), "--out", str(root))
    assert code == 0
    assert "locales/ru.yaml does not exist yet" in out


def test_nothing_importable_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    essay = tmp_path / "essay.gift"
    essay.write_text("::E::Explain.{}\n\n::M::Match.{=a -> b =c -> d}\n", encoding="utf-8")
    code, out, _ = run(capsys, "gift", str(essay), "--out", str(tmp_path / "out"))
    assert code == 1
    assert f"{essay}:1: skipped: essay question" in out
    assert f"{essay}:3: skipped: matching question" in out
    assert out.splitlines()[-1] == "imported nothing; skipped 2 questions"
    empty = tmp_path / "empty.json"
    empty.write_text('{"@type": "WebPage"}', encoding="utf-8")
    code, out, _ = run(capsys, "claimreview", str(empty), "--out", str(tmp_path / "out"))
    assert code == 1 and "no ClaimReview found" in out
    broken = tmp_path / "broken.json"
    broken.write_text('[{"@type": "ClaimReview"}]', encoding="utf-8")
    code, out, _ = run(capsys, "claimreview", str(broken), "--out", str(tmp_path / "out"))
    assert code == 1 and "item 1: skipped: no claimReviewed" in out
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.json", None, "cannot read"),
        ("bad.json", b'{"@type": "ClaimReview",', "is not valid JSON"),
        ("latin1.json", b'{"claimReviewed": "caf\xe9"}', "is not UTF-8 text"),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, "JSON"),
    ],
)
def test_unreadable_files_exit_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes | None,
    message: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, "claimreview", str(path), "--out", str(tmp_path / "out"))
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and message in err and name in err


def test_a_folder_instead_of_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "gift", str(tmp_path), "--out", str(tmp_path / "out"))
    assert code == 2 and "cannot read" in err


def test_an_unwritable_output_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = run(capsys, "gift", str(BANK), "--out", str(blocker))
    assert code == 2 and "cannot write" in err


def test_the_installed_command(tmp_path: Path) -> None:
    shutil.copy(BANK, tmp_path / "bank.gift")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "content", "import", "gift", "bank.gift", "--out", "lib"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "bank.gift:44: skipped: matching question" in result.stdout
    assert (tmp_path / "lib" / "quizzes" / "en" / "elections.yaml").is_file()


def test_a_second_import_keeps_an_edited_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_library(tmp_path)
    assert run(capsys, "gift", str(BANK), "--out", str(root))[0] == 0
    edited = root / "quizzes" / "en" / "elections.yaml"
    untouched = root / "quizzes" / "en" / "media-literacy.yaml"
    mine = edited.read_text(encoding="utf-8").replace("title: Elections", "title: Elections 2026")
    edited.write_text(mine, encoding="utf-8")
    # Unchanged files are replaced as before; the edited one is kept, named, and the run fails.
    code, out, _ = run(capsys, "gift", str(BANK), "--out", str(root))
    assert code == 1
    assert (
        f"kept {edited}: edited since it was imported, so not replaced (--force replaces it)"
        in (out.splitlines())
    )
    assert f"wrote {untouched} " in out
    assert out.splitlines()[-1].endswith("; kept 1 edited file")
    assert edited.read_text(encoding="utf-8") == mine
    # --force replaces it, and the library still passes the check either way.
    assert main(["content", "check", str(root)]) == 0
    code, out, _ = run(capsys, "gift", str(BANK), "--out", str(root), "--force")
    assert code == 0 and "kept" not in out
    assert "title: Elections\n" in edited.read_text(encoding="utf-8")
    # A file from before fingerprints (no header) counts as edited: it is kept.
    body = edited.read_text(encoding="utf-8").split("\n", 2)[2]
    edited.write_text(body, encoding="utf-8")
    assert run(capsys, "gift", str(BANK), "--out", str(root))[0] == 1


def test_an_imported_bank_is_reached_through_quizzes_and_the_check_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_library(tmp_path)
    assert run(capsys, "gift", str(BANK), "--out", str(root))[0] == 0
    assert main(["content", "check", str(root)]) == 0
    out = capsys.readouterr().out
    assert (
        "  en: no lesson leads to 3 quizzes, so learners reach them only through /quizzes: "
        "civics-bank, elections, media-literacy"
    ) in out.splitlines()
    # A learner in the terminal chat finds the imported quizzes and takes one.
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    chat = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--content", str(root)],
        input="/start\n/quizzes\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    listed = chat.stdout.split("> /quizzes", 1)[1]
    number = next(
        line.split("]", 1)[0].lstrip("[")
        for line in listed.splitlines()
        if line.startswith("[") and "Elections" in line
    )
    chat = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--content", str(root)],
        input=f"/quizzes\n{number}\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert "Elections" in chat.stdout and "Question 1 of 6" in chat.stdout, chat.stdout
