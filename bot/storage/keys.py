"""Pseudonymous user keys, and the secret keys behind them and behind sealed addresses.

The engine and the database know people only by a keyed hash. Telegram ids have at most 52
significant bits, so a plain hash is reversible by brute force; an HMAC with a key kept outside
the database is not. Keys come from the environment or, for the embedded SQLite database only,
are generated once into the data folder with owner-only permissions. A database server may be
reached from a new host whose data folder is empty: there the keys come from the environment
only, and the database keeps a one-way fingerprint of each key (bot.storage.fingerprints) so
that a host with other keys is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from bot.config import ENV_ADDRESS_KEY, ENV_SECRET_KEY

SECRET_KEY_FILE = "secret.key"  # noqa: S105 - a file name
ADDRESS_KEY_FILE = "address.key"


class SecretKeyError(Exception):
    """A key is missing or unusable; the message says how to fix it."""


def load_secret_key(
    data_dir: Path, environ: Mapping[str, str] | None = None, *, generate: bool = True
) -> bytes:
    """The key of the users' pseudonyms (HMAC); from the environment only unless `generate`."""
    key = _load_key(
        data_dir,
        environ,
        ENV_SECRET_KEY,
        SECRET_KEY_FILE,
        (lambda: secrets.token_hex(32).encode()) if generate else None,
    )
    if len(key) < 32:
        raise SecretKeyError(f"{ENV_SECRET_KEY} (or {SECRET_KEY_FILE}) must be 32+ characters")
    return key


def load_address_key(
    data_dir: Path, environ: Mapping[str, str] | None = None, *, generate: bool = True
) -> bytes:
    """The key that seals delivery addresses (a Fernet key); from the environment only unless
    `generate`."""
    make = Fernet.generate_key if generate else None
    key = _load_key(data_dir, environ, ENV_ADDRESS_KEY, ADDRESS_KEY_FILE, make)
    try:
        Fernet(key)
    except ValueError:
        raise SecretKeyError(
            f"{ENV_ADDRESS_KEY} (or {ADDRESS_KEY_FILE}) must be a Fernet key: 32 url-safe "
            "base64-encoded bytes"
        ) from None
    return key


def _load_key(
    data_dir: Path,
    environ: Mapping[str, str] | None,
    variable: str,
    filename: str,
    make: Callable[[], bytes] | None,
) -> bytes:
    env = os.environ if environ is None else environ
    from_env = env.get(variable)
    if from_env:
        return from_env.strip().encode()
    path = data_dir / filename
    if make is None:
        earlier = f"; this host's earlier one is in {path}" if path.exists() else ""
        raise SecretKeyError(
            f"{variable} is not set: with a database server every host takes the same keys "
            f"from the environment, and none is generated (set the first host's keys{earlier})"
        )
    if not path.exists():
        _create_key_file(path, make())
    return path.read_bytes().strip()


def _create_key_file(path: Path, key: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")


def fingerprint(key: bytes, name: str) -> str:
    """A one-way, keyed fingerprint of `key`: tells keys apart without revealing them."""
    return hmac.new(key, f"civicbot key fingerprint:{name}".encode(), hashlib.sha256).hexdigest()


def user_key(secret: bytes, platform: str, platform_id: int | str) -> str:
    """The stable pseudonym of one account on one platform."""
    message = f"{platform}:{platform_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


class AddressBox:
    """Seals platform chat ids so the database never holds one in the clear.

    The key is separate from the pseudonym key: the sealed address is stored only for people who
    opted in to messages, and deleted when they opt out.
    """

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @staticmethod
    def new_key() -> bytes:
        return Fernet.generate_key()

    def seal(self, address: str) -> str:
        return self._fernet.encrypt(address.encode()).decode()

    def open(self, sealed: str) -> str | None:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except (InvalidToken, ValueError):
            return None
