"""Refusing to serve a database with other keys than the ones it was first used with.

A host started without the keys would otherwise make new ones and serve the same database:
every person would become a stranger, `/mydata` and `/forget` would no longer reach their rows
and sealed addresses would become unreadable. The first start records a keyed one-way
fingerprint of each key (never the key); every later start compares.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from bot.storage.keys import SecretKeyError, fingerprint
from bot.storage.tables import KeyFingerprint


class KeyMismatchError(SecretKeyError):
    """A key differs from the one the database was first used with."""


def check_key_fingerprints(engine: Engine, keys: Mapping[str, tuple[str, bytes]]) -> None:
    """Record the fingerprints of `keys` (name -> (variable, key)) on first use; raise
    KeyMismatchError naming the variable when a recorded one differs."""
    for _ in range(2):  # a second try reads what a worker starting at the same time recorded
        try:
            _check(engine, keys)
        except IntegrityError:
            continue
        return
    _check(engine, keys)


def _check(engine: Engine, keys: Mapping[str, tuple[str, bytes]]) -> None:
    with engine.begin() as connection:
        rows = connection.execute(select(KeyFingerprint.name, KeyFingerprint.fingerprint))
        stored = {row.name: row.fingerprint for row in rows}
        for name, (variable, key) in keys.items():
            mine = fingerprint(key, name)
            if name not in stored:
                connection.execute(insert(KeyFingerprint).values(name=name, fingerprint=mine))
            elif stored[name] != mine:
                raise KeyMismatchError(
                    f"{variable} is not the key this database was first used with: start with "
                    "the same key as the first host (with another one nobody's data is reachable)"
                )
