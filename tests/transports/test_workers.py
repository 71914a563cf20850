"""Several webhook workers on one port and one PostgreSQL database, as `civicbot run --webhook
--workers 2` starts them: every update is answered once, a killed worker is started again, and
SIGTERM stops them all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bot.config import ENV_ADDRESS_KEY, ENV_SECRET_KEY, ENV_TOKEN, ENV_WEBHOOK_SECRET
from bot.storage import db
from bot.storage.keys import AddressBox
from bot.testing.fakebotapi import TOKEN, FakeBotApi, Person, text_message
from bot.testing.harness import WEBHOOK_SECRET, free_port
from bot.transports.telegram import SECRET_HEADER
from bot.transports.workers import restart_pause
from tests.transports.test_telegram_run import ROOT

PEOPLE = [Person(1_000_000 + n, f"P{n}", "en") for n in range(12)]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in out.split()]


def _post(port: int, update: dict[str, object]) -> int:
    headers = {"Content-Type": "application/json", SECRET_HEADER: WEBHOOK_SECRET}
    for _ in range(50):  # a restarting worker may not be listening yet: try again
        try:
            return httpx.post(
                f"http://127.0.0.1:{port}/hook",
                content=json.dumps(update),
                headers=headers,
                timeout=30,
            ).status_code
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("no worker answered")


def test_two_workers_answer_every_update_once(
    fake_api: FakeBotApi, tmp_path: Path, postgres_url: str
) -> None:
    db.upgrade(db.open_engine(postgres_url))
    port = free_port()
    config = tmp_path / "civicbot.yaml"
    config.write_text(
        f"telegram:\n  base_url: {fake_api.base_url}\n  base_file_url: {fake_api.base_file_url}\n"
        f"  webhook:\n    port: {port}\n    path: /hook\n    url: https://bot.example.org/hook\n"
        f"database:\n  url: '{postgres_url}'\n",
        encoding="utf-8",
    )
    for person in PEOPLE:
        fake_api.add_chat(person.chat())
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        ENV_TOKEN: TOKEN,
        ENV_WEBHOOK_SECRET: WEBHOOK_SECRET,
        # A database server: keys come from the environment only.
        ENV_SECRET_KEY: "w" * 40,
        ENV_ADDRESS_KEY: AddressBox.new_key().decode(),
    }
    command = [
        sys.executable,
        "-m",
        "bot",
        "run",
        "--webhook",
        "--workers",
        "2",
        "--config",
        str(config),
    ]
    parent = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        fake_api.wait_for("setWebhook", timeout=30)
        deadline = time.monotonic() + 30
        while len(_children(parent.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        updates = [
            {"update_id": 500 + n, "message": text_message(person, "/help")}
            for n, person in enumerate(PEOPLE)
        ]
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(lambda u: _post(port, u), updates)) == {200}
        # Telegram re-sending updates that were already answered changes nothing.
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(lambda u: _post(port, u), updates[:4])) == {200}
        fake_api.wait_for("sendMessage", len(PEOPLE))
        os.kill(_children(parent.pid)[0], signal.SIGKILL)
        later = [
            {"update_id": 600 + n, "message": text_message(person, "/menu")}
            for n, person in enumerate(PEOPLE)
        ]
        for update in later:
            assert _post(port, update) == 200
        fake_api.wait_for("sendMessage", 2 * len(PEOPLE))
        time.sleep(0.5)
        assert len(fake_api.calls("sendMessage")) == 2 * len(PEOPLE)
        chats = sorted(c.params["chat_id"] for c in fake_api.calls("sendMessage"))
        assert chats == sorted([p.id for p in PEOPLE] * 2)
        assert len(fake_api.calls("setWebhook")) == 1
    finally:
        parent.send_signal(signal.SIGTERM)
        try:
            _, err = parent.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            parent.kill()
            raise
    assert parent.returncode == 0, err
    assert "Traceback" not in err


def test_a_worker_that_keeps_dying_is_restarted_ever_more_slowly() -> None:
    pauses = []
    pause = None
    for _ in range(8):  # dies a second after each start
        pause = restart_pause(pause, ran_for=1.0)
        pauses.append(pause)
    assert pauses == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert restart_pause(60.0, ran_for=3600.0) == 1.0  # it had been healthy: quick again
