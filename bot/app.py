"""Assembling a running bot from settings: content, database, engine. The CLI calls this; nothing
is built at import time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine as DbEngine
from sqlalchemy.engine import make_url

from bot.config import ENV_ADDRESS_KEY, ENV_SECRET_KEY, Settings, data_dir
from bot.engine.content import Content
from bot.engine.engine import Engine
from bot.library.loader import load_library_or_raise
from bot.matching.semantic import SemanticModelError, load_encoder
from bot.service import Service
from bot.service.threads import ENGINE_THREADS
from bot.storage import db
from bot.storage.fingerprints import check_key_fingerprints
from bot.storage.keys import AddressBox, load_address_key, load_secret_key, user_key
from bot.storage.pending import pending_store
from bot.storage.retention import retention_of
from bot.storage.unit import Store


class StartupError(Exception):
    """The bot cannot start; the message says what to do."""


@dataclass(frozen=True)
class Keys:
    """The secret keys: of the pseudonyms (HMAC) and of the sealed addresses (Fernet)."""

    secret: bytes
    address: bytes


def load_keys(settings: Settings) -> Keys:
    """The keys from the environment; generated into the data folder only for the embedded
    SQLite database, which no other host can reach."""
    generate = _embedded(settings.database_url())
    return Keys(
        load_secret_key(data_dir(), generate=generate),
        load_address_key(data_dir(), generate=generate),
    )


def _embedded(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def load_content(
    settings: Settings, path: Path | None = None, sentence_model: bool = True
) -> Content:
    """Load and check the library (ContentError lists every problem) and build its index.

    `sentence_model=False` leaves the optional sentence model out even when the settings turn
    it on: for commands that read the library but match nothing (it costs seconds and about
    half a gigabyte of memory)."""
    root = path or settings.content_path()
    library = load_library_or_raise(root, str(root))
    default = settings.locale.default
    if default not in library.locales:
        raise StartupError(
            f"locale.default is '{default}' but {root} has no locales/{default}.yaml"
        )
    encoder = None
    if settings.matching.semantic and sentence_model:
        try:
            encoder = load_encoder()
        except SemanticModelError as exc:
            raise StartupError(f"matching.semantic is on, but {exc}") from exc
    matching = settings.matching
    return Content.build(
        library, default, matching.thresholds, encoder, matching.fallback_thresholds
    )


def open_database(settings: Settings, keys: Keys | None = None) -> DbEngine:
    """Open the database; the embedded SQLite one is created and upgraded on first start.

    With `keys`, the database must have been first used with the same keys (their fingerprints
    are recorded on first use): otherwise KeyMismatchError says which key differs.
    """
    url = settings.database_url()
    pool = settings.database
    options = (
        {}
        if make_url(url).get_backend_name() == "sqlite"
        else {
            "pool_size": pool.pool_size or ENGINE_THREADS + 1,
            "max_overflow": pool.max_overflow,
            "pool_timeout": pool.pool_timeout,
        }
    )
    engine = db.open_engine(url, **options)
    if make_url(url).get_backend_name() == "sqlite":
        if not db.is_current(engine):
            db.upgrade(engine)
    elif not db.is_current(engine):
        raise StartupError("the database schema is not up to date: run `civicbot db upgrade`")
    if keys is not None:
        try:
            check_key_fingerprints(
                engine,
                {
                    "secret": (ENV_SECRET_KEY, keys.secret),
                    "address": (ENV_ADDRESS_KEY, keys.address),
                },
            )
        except Exception:
            engine.dispose()
            raise
    return engine


def check_keys(settings: Settings, keys: Keys) -> None:
    """Refuse keys the database was not first used with, before any worker starts."""
    open_database(settings, keys).dispose()


def build_engine(
    settings: Settings,
    keys: Keys,
    content_path: Path | None = None,
    *,
    rate_limited: bool = True,
    admins: frozenset[str] = frozenset(),
) -> Engine:
    """The engine for these settings, serving `content_path` (default: the configured library).

    `admins` are the pseudonyms allowed /stats, /reload and /queue. The terminal chat, with one
    local person, is not rate-limited (a piped script may send hundreds of lines at once).
    """
    database = open_database(settings, keys)  # first: wrong keys are refused at once
    try:
        content = load_content(settings, content_path)
    except Exception:
        database.dispose()
        raise
    limits = settings.limits
    if not rate_limited:
        limits = limits.model_copy(update={"burst": 10**9})
    return Engine(
        Store(database),
        content,
        limits=limits,
        admins=admins,
        reloader=lambda: load_content(settings, content_path),
        pending=pending_store(settings.redis.url, keys.secret),
    )


def telegram_admins(settings: Settings, secret: bytes) -> frozenset[str]:
    """Pseudonyms of the Telegram accounts listed in telegram.admins."""
    return frozenset(user_key(secret, "telegram", uid) for uid in settings.telegram.admins)


def build_service(
    settings: Settings,
    engine: Engine,
    address_key: bytes | None,
    content_path: Path | None = None,
) -> Service:
    """The running bot's jobs for `engine`; without an address key nothing can be sent."""
    box = AddressBox(address_key) if address_key else None
    root = content_path or settings.content_path()
    return Service(engine, engine.store, box, retention_of(settings), content_root=root)
