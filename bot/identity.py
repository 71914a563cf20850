"""Pseudonymous user keys: the engine and the database know people only by a keyed hash.

Telegram ids have at most 52 significant bits, so a plain hash is reversible by brute force; an
HMAC with a key kept outside the database is not. The key comes from $CIVICBOT_SECRET_KEY or, for
the embedded default, is generated once into the data folder with owner-only permissions.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from bot.config import ENV_SECRET_KEY

KEY_FILE = "secret.key"


class SecretKeyError(Exception):
    """The secret key is missing or unusable; the message says how to fix it."""


def load_secret_key(data_dir: Path, environ: Mapping[str, str] | None = None) -> bytes:
    env = os.environ if environ is None else environ
    from_env = env.get(ENV_SECRET_KEY)
    if from_env:
        if len(from_env) < 32:
            raise SecretKeyError(f"{ENV_SECRET_KEY} must be at least 32 characters")
        return from_env.encode()
    path = data_dir / KEY_FILE
    if not path.exists():
        _create_key_file(path)
    key = path.read_bytes().strip()
    if len(key) < 32:
        raise SecretKeyError(f"{path}: the secret key is too short; delete the file to make anew")
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")


def user_key(secret: bytes, platform: str, platform_id: int | str) -> str:
    """The stable pseudonym of one account on one platform."""
    message = f"{platform}:{platform_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()
