"""Unmatched claims waiting for their sender's decision: in memory, or in Redis for workers."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bot.storage.pending import (
    REDIS_PREFIX,
    TTL,
    MemoryPending,
    PendingClaims,
    RedisPending,
    pending_store,
    persistence,
)
from bot.testing.services import REDIS_URL, redis_problem, unavailable

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SECRET = b"p" * 40


def redis_or_skip() -> RedisPending:
    problem = redis_problem()
    if problem:
        unavailable(problem)
    return RedisPending(REDIS_URL, SECRET)


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> PendingClaims:
    return MemoryPending() if request.param == "memory" else redis_or_skip()


def test_put_take_once(store: PendingClaims) -> None:
    user = uuid.uuid4().hex
    store.put(user, "a claim", "en", NOW)
    assert store.take(user, NOW) == ("a claim", "en")
    assert store.take(user, NOW) is None
    store.put(user, "another", "ru", NOW)
    store.drop(user)
    assert store.take(user, NOW) is None


def test_memory_entries_expire() -> None:
    store = MemoryPending()
    store.put("u", "old claim", "en", NOW)
    assert store.take("u", NOW + TTL + dt.timedelta(seconds=1)) is None


def test_two_workers_share_through_redis() -> None:
    first, second = redis_or_skip(), RedisPending(REDIS_URL, SECRET)
    user = uuid.uuid4().hex
    first.put(user, "seen by worker one", "en", NOW)
    assert second.take(user, NOW) == ("seen by worker one", "en")


def test_redis_holds_neither_the_text_nor_the_pseudonym() -> None:
    store = redis_or_skip()
    user = uuid.uuid4().hex
    store.put(user, "the mayor hides a bunker under Lenina 12", "ru", NOW)
    client = redis.Redis.from_url(REDIS_URL)
    try:
        names = [name.decode() for name in client.scan_iter(match=f"{REDIS_PREFIX}*")]
        assert not [name for name in names if user in name]
        raw = client.get(store.name(user))
        assert isinstance(raw, bytes)
        assert b"Lenina" not in raw and b"mayor" not in raw
        # Not the JSON it seals: a Fernet token is base64, which has no quotes (a bare "ru"
        # turns up in one token in twenty by chance).
        assert b'"language"' not in raw and b'"ru"' not in raw and raw.startswith(b"gAAAAA")
        # Another secret key neither finds it nor could read it.
        assert RedisPending(REDIS_URL, b"q" * 40).take(user, NOW) is None
        assert store.take(user, NOW) == ("the mayor hides a bunker under Lenina 12", "ru")
    finally:
        client.close()


def test_the_persistence_settings_that_keep_claims_on_disk() -> None:
    assert persistence({"save": "", "appendonly": "no"}) == []
    assert persistence({"save": "3600 1 300 100", "appendonly": "no"}) == ["save"]
    assert persistence({"save": "", "appendonly": "yes"}) == ["appendonly"]


def test_the_test_redis_is_warned_about_only_if_it_saves(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = redis_or_skip()
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    answers = [client.config_get("save"), client.config_get("appendonly")]
    client.close()
    saving = persistence({str(k): str(v) for a in answers for k, v in a.items()})  # usually []
    with caplog.at_level(logging.WARNING, logger="bot.storage.pending"):
        assert store.warn_if_persistent() is bool(saving)
    assert len(caplog.records) == (1 if saving else 0)


@pytest.fixture
def saving_redis(tmp_path: Path) -> Iterator[str]:
    """A throwaway real Redis on a free loopback port, saving snapshots to disk."""
    server = shutil.which("redis-server")
    if server is None:
        unavailable("redis-server is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    options = ["--bind", "127.0.0.1", "--save", "3600 1", "--appendonly", "no"]
    process = subprocess.Popen(
        [server, "--port", str(port), *options, "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while redis_problem(url) and time.monotonic() < deadline:
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def test_a_redis_that_saves_to_disk_is_warned_about_in_one_line(
    saving_redis: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.storage.pending"):
        pending_store(saving_redis, SECRET)
    assert len(caplog.records) == 1
    line = caplog.records[0].getMessage()
    assert "save" in line and "\n" not in line and SECRET.decode() not in line
