"""`civicbot db upgrade` and `civicbot db purge` against a configured database."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import db


def config_for(tmp_path: Path, url: str) -> str:
    path = tmp_path / "settings.yaml"
    path.write_text(f"database:\n  url: '{url}'\n")
    return str(path)


def test_upgrade_then_purge(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_for(tmp_path, database_url)
    assert main(["db", "purge", "--config", config]) == 2
    assert "db upgrade" in capsys.readouterr().err
    assert main(["db", "upgrade", "--config", config]) == 0
    assert "database at revision" in capsys.readouterr().out
    assert main(["db", "upgrade", "--config", config]) == 0
    assert "already current" in capsys.readouterr().out
    assert db.is_current(db.open_engine(database_url))
    assert main(["db", "purge", "--config", config]) == 0
    assert "deleted 0 rows" in capsys.readouterr().out


def test_bad_config_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("databse:\n  url: x\n")
    assert main(["db", "upgrade", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "databse: unknown setting" in err and "Traceback" not in err
