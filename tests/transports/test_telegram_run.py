"""`civicbot run`: one clear line and exit code 2 for an operator's mistake, and, as a real
process against the fake Bot API, the issue's whole acceptance path ending with SIGTERM."""

from __future__ import annotations

import gc
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.commands import run as run_command
from bot.config import ENV_ADDRESS_KEY, ENV_SECRET_KEY, ENV_TOKEN, ENV_WEBHOOK_SECRET
from bot.testing.fakebotapi import (
    TOKEN,
    Call,
    FakeBotApi,
    Group,
    Person,
    callback_query,
    inline_query,
    text_message,
)

ROOT = Path(__file__).resolve().parents[2]
ANA = Person(918_273_645_546)
BORIS = Person(123_987_654)
SECRET_WORDS = "Grandma says the moon landing was staged in a studio"


def _config(tmp_path: Path, fake: FakeBotApi, extra: str = "") -> Path:
    path = tmp_path / "civicbot.yaml"
    path.write_text(
        f"telegram:\n  base_url: {fake.base_url}\n  base_file_url: {fake.base_file_url}\n"
        f"{extra}database:\n  url: sqlite:///{tmp_path / 'civicbot.sqlite3'}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """`civicbot run` installs its log handler on the root logger; take it away afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


@pytest.fixture(autouse=True)
def _earlier_garbage_collected(capsys: pytest.CaptureFixture[str]) -> None:
    """Objects an earlier test on this worker left behind may report themselves when they are
    collected (aiohttp's "Unclosed connector"); collect them first, so stderr holds only what
    this test's command wrote."""
    gc.collect()
    capsys.readouterr()


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_missing_token(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(ENV_TOKEN, raising=False)
    assert main(["run"]) == 2
    assert ENV_TOKEN in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    "secret", ["", "a", "x" * 31, "has spaces but is long enough to pass", "x" * 257]
)
def test_bad_webhook_secret(
    secret: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV_TOKEN, TOKEN)
    monkeypatch.setenv(ENV_WEBHOOK_SECRET, secret)
    assert main(["run", "--webhook"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert ENV_WEBHOOK_SECRET in line and TOKEN not in line and "32-256" in line


def test_webhook_needs_its_public_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV_TOKEN, TOKEN)
    monkeypatch.setenv(ENV_WEBHOOK_SECRET, "good_secret_" + "x" * 32)
    assert main(["run", "--webhook"]) == 2
    assert "telegram.webhook.url" in _one_line(capsys.readouterr().err)


@pytest.mark.usefixtures("restore_logging")
def test_rejected_token(
    tmp_path: Path,
    fake_api: FakeBotApi,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wrong = "654321:AAH-this-token-was-revoked-long-ago"
    monkeypatch.setenv(ENV_TOKEN, wrong)
    assert main(["run", "--config", str(_config(tmp_path, fake_api))]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "rejected the token" in line and ENV_TOKEN in line
    assert wrong not in line
    assert [call.method for call in fake_api.calls()] == ["getMe"]


@pytest.mark.usefixtures("restore_logging")
def test_a_socks_proxy_is_refused_with_one_line(
    tmp_path: Path,
    fake_api: FakeBotApi,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(ENV_TOKEN, TOKEN)
    for name in ("NO_PROXY", "no_proxy", "http_proxy", "HTTP_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALL_PROXY", "socks5://user:hunter2@127.0.0.1:1080")
    assert main(["run", "--config", str(_config(tmp_path, fake_api))]) == run_command.EXIT_START
    line = _one_line(capsys.readouterr().err)
    assert "socks5" in line and "HTTP proxies" in line and "hunter2" not in line
    assert fake_api.calls() == []


def test_run_serves_the_acceptance_path_and_stops_on_sigterm(
    tmp_path: Path, fake_api: FakeBotApi
) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        ENV_TOKEN: TOKEN,
    }
    command = [sys.executable, "-m", "bot", "run", "--config", str(_config(tmp_path, fake_api))]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _drive(fake_api)
    finally:
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            out, err = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, err
    assert time.monotonic() - started < 20
    for leaked in (TOKEN, SECRET_WORDS, "Traceback", str(ANA.id), str(BORIS.id), "moon"):
        assert leaked not in err + out, f"{leaked!r} in the output:\n{err}"
    database = b"".join(p.read_bytes() for p in tmp_path.glob("civicbot.sqlite3*"))
    assert database, "the bot stored its state"
    assert str(ANA.id).encode() not in database and str(BORIS.id).encode() not in database
    # No names, usernames, or the text of a claim nobody chose to send to the editors.
    for private in (ANA.first_name, ANA.last_name, ANA.username, SECRET_WORDS, "moon landing"):
        assert private.encode() not in database, private
    key = tmp_path / "data" / "civicbot" / "secret.key"
    assert key.stat().st_mode & 0o777 == 0o600


def _answers(query: dict[str, Any]) -> Callable[[Call], bool]:
    return lambda call: bool(call.params.get("callback_query_id") == query["id"])


def _drive(fake: FakeBotApi) -> None:
    fake.wait_for("getUpdates", answered=False, timeout=30)
    fake.push_message(text_message(ANA, "/start"))
    welcome = fake.wait_for("sendMessage", where=lambda call: "reply_markup" in call.params)[0]
    rows = welcome.params["reply_markup"]["inline_keyboard"]
    shown = fake.message(ANA.id, welcome.result["message_id"])

    fake.wait_idle()
    before = len(fake.calls("sendMessage")) + len(fake.calls("editMessageText"))
    press = callback_query(ANA, rows[0][0]["callback_data"], shown)
    fake.push_callback(press)
    fake.wait_for("answerCallbackQuery", where=_answers(press))
    fake.wait_idle()
    assert len(fake.calls("sendMessage")) + len(fake.calls("editMessageText")) > before

    forged = callback_query(ANA, "pick:424242:9", shown)
    fake.push_callback(forged)
    fake.wait_for("answerCallbackQuery", where=_answers(forged))

    family = Group()
    fake.push_message(text_message(BORIS, SECRET_WORDS, group=family))
    fake.push_message(text_message(ANA, SECRET_WORDS))
    fake.push_inline(inline_query(BORIS, "moon landing staged"))
    fake.wait_for("answerInlineQuery")
    fake.wait_idle()
    assert not [c for c in fake.calls("sendMessage") if c.params["chat_id"] == family.id]


def test_a_short_webhook_secret_stops_before_any_bot_api_call(
    tmp_path: Path,
    fake_api: FakeBotApi,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(ENV_TOKEN, TOKEN)
    monkeypatch.setenv(ENV_WEBHOOK_SECRET, "a")
    hook = "  webhook:\n    url: https://bot.example.org/hook\n"
    config = _config(tmp_path, fake_api).read_text().replace("telegram:\n", "telegram:\n" + hook)
    (tmp_path / "civicbot.yaml").write_text(config)
    assert main(["run", "--webhook", "--config", str(tmp_path / "civicbot.yaml")]) == 2
    assert ENV_WEBHOOK_SECRET in _one_line(capsys.readouterr().err)
    assert fake_api.calls() == []


@pytest.mark.postgres
def test_another_secret_key_on_the_same_postgresql_database_stops_before_any_bot_api_call(
    tmp_path: Path, fake_api: FakeBotApi, postgres_url: str
) -> None:
    """A second host started without the first one's key would serve everybody as strangers:
    it stops with one line naming the key, before it calls Telegram, and generates nothing."""
    from bot.storage import db
    from bot.storage.keys import AddressBox

    db.upgrade(db.open_engine(postgres_url))
    config = tmp_path / "civicbot.yaml"
    config.write_text(
        f"telegram:\n  base_url: {fake_api.base_url}\n  base_file_url: {fake_api.base_file_url}\n"
        f"database:\n  url: '{postgres_url}'\n",
        encoding="utf-8",
    )
    first_key, other_key = "first-host-key-" + "a" * 32, "second-host-key-" + "b" * 32
    address_key = AddressBox.new_key().decode()

    def host(name: str, secret: str | None) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path / name),
            "XDG_DATA_HOME": str(tmp_path / name / "data"),
            ENV_TOKEN: TOKEN,
            ENV_ADDRESS_KEY: address_key,
        }
        return env | ({ENV_SECRET_KEY: secret} if secret else {})

    command = [sys.executable, "-m", "bot", "run", "--config", str(config)]
    first = subprocess.Popen(command, cwd=ROOT, env=host("first", first_key), text=True)
    try:
        fake_api.wait_for("getUpdates", answered=False, timeout=60)
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(30)
    assert first.returncode == 0
    calls = len(fake_api.calls())

    def civicbot(what: str, name: str, secret: str | None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", what, "--config", str(config)],
            cwd=ROOT,
            env=host(name, secret),
            input="/start\n",
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    for what, name, secret in (
        ("run", "second", other_key),
        ("chat", "second", other_key),
        ("run", "third", None),
    ):
        done = civicbot(what, name, secret)
        assert done.returncode != 0, (what, done.stdout)
        line = _one_line(done.stderr)
        assert ENV_SECRET_KEY in line and other_key not in line and first_key not in line
        assert not list((tmp_path / name).rglob("*.key"))  # nothing generated
    assert len(fake_api.calls()) == calls
    # The first host's key still opens the database.
    again = civicbot("chat", "first", first_key)
    assert again.returncode == 0 and "Welcome" in again.stdout, again.stderr
