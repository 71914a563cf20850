"""The composition root: what it builds from settings."""

from __future__ import annotations

import pytest

from bot.app import load_keys, open_database
from bot.config import ENV_ADDRESS_KEY, ENV_SECRET_KEY, Settings, data_dir
from bot.service.threads import ENGINE_THREADS
from bot.storage.keys import SecretKeyError


@pytest.mark.postgres
def test_the_postgresql_pool_holds_a_connection_per_engine_thread(postgres_url: str) -> None:
    """A worker runs ENGINE_THREADS engine threads and the jobs; a smaller pool would make
    threads open and close connections under load."""
    from bot.storage import db

    db.upgrade(db.open_engine(postgres_url))
    engine = open_database(Settings.model_validate({"database": {"url": postgres_url}}))
    try:
        assert engine.pool.size() == ENGINE_THREADS + 1  # type: ignore[attr-defined]
    finally:
        engine.dispose()
    chosen = Settings.model_validate({"database": {"url": postgres_url, "pool_size": 3}})
    engine = open_database(chosen)
    try:
        assert engine.pool.size() == 3  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_keys_are_never_generated_for_a_database_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (ENV_SECRET_KEY, ENV_ADDRESS_KEY):
        monkeypatch.delenv(name, raising=False)
    server = Settings.model_validate({"database": {"url": "postgresql://civicbot@db:5432/x"}})
    with pytest.raises(SecretKeyError) as raised:
        load_keys(server)
    assert ENV_SECRET_KEY in str(raised.value) and "\n" not in str(raised.value)
    monkeypatch.setenv(ENV_SECRET_KEY, "k" * 40)
    with pytest.raises(SecretKeyError) as raised:
        load_keys(server)
    assert ENV_ADDRESS_KEY in str(raised.value)
    assert not list(data_dir().glob("*.key"))
    # The embedded SQLite database, which no other host reaches, makes its keys once.
    monkeypatch.delenv(ENV_SECRET_KEY)
    embedded = load_keys(Settings())
    assert embedded == load_keys(Settings())
    assert sorted(p.name for p in data_dir().glob("*.key")) == ["address.key", "secret.key"]


def test_a_key_file_made_earlier_is_named_but_not_used_for_a_database_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV_SECRET_KEY, raising=False)
    load_keys(Settings())  # an earlier start on SQLite made the files
    server = Settings.model_validate({"database": {"url": "postgresql://civicbot@db:5432/x"}})
    with pytest.raises(SecretKeyError) as raised:
        load_keys(server)
    assert str(data_dir() / "secret.key") in str(raised.value)
