"""The services tests need besides the code: PostgreSQL, Redis, Chromium, the optional sentence
model. On a developer's
machine a missing one skips the tests that need it, with the reason; under CI (`CI=true`) it
fails them, so a green run never hides a check that did not happen."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest

from bot.matching.semantic import INSTALL, Encoder, available, load_encoder

REDIS_URL = os.environ.get("CIVICBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Headless Chromium with nothing of its own going on: no network of its own, no first-run pages.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(problem: str) -> NoReturn:
    """Skip (on a developer's machine) or fail (under CI) a test whose service is missing."""
    if under_ci():
        pytest.fail(f"{problem} (CI=true: a missing service fails the run)", pytrace=False)
    pytest.skip(problem)


def require_sentence_model() -> Encoder:
    """The optional sentence-embedding model, loaded; skipped or failed (see `unavailable`)
    when its extra is not installed."""
    if not available():
        unavailable(f"the sentence-embedding model is not installed: {INSTALL}")
    return load_encoder()


def redis_problem(url: str = REDIS_URL) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis not reachable at {url}: {type(exc).__name__}"
    return None
