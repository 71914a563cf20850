"""`civicbot web`: a port already taken ends with one clear line, not a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.cli import main


def test_a_taken_port_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "civicbot.yaml"
        config.write_text(f"web:\n  port: {port}\n", encoding="utf-8")
        code = main(["web", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"civicbot web: cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err


def test_a_wrong_setting_names_its_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "civicbot.yaml"
    config.write_text("web:\n  port: 99999\n", encoding="utf-8")
    assert main(["web", "--config", str(config)]) == 2
    assert "web.port" in capsys.readouterr().err
