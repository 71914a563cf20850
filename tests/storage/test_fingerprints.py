"""The database remembers which keys it was first used with, and refuses any other."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from bot.config import ENV_ADDRESS_KEY, ENV_SECRET_KEY
from bot.storage.fingerprints import KeyMismatchError, check_key_fingerprints
from bot.storage.keys import AddressBox
from bot.storage.tables import KeyFingerprint

SECRET = b"s" * 40
ADDRESS = AddressBox.new_key()


def keys(secret: bytes = SECRET, address: bytes = ADDRESS) -> dict[str, tuple[str, bytes]]:
    return {"secret": (ENV_SECRET_KEY, secret), "address": (ENV_ADDRESS_KEY, address)}


def stored(db_engine: Engine) -> dict[str, str]:
    with db_engine.connect() as connection:
        rows = connection.execute(select(KeyFingerprint.name, KeyFingerprint.fingerprint))
        return {row.name: row.fingerprint for row in rows}


def test_first_use_records_fingerprints_never_the_keys(db_engine: Engine) -> None:
    check_key_fingerprints(db_engine, keys())
    prints = stored(db_engine)
    assert set(prints) == {"secret", "address"}
    assert prints["secret"] != prints["address"]
    for value in prints.values():
        assert len(value) == 64
        assert SECRET.decode() not in value and ADDRESS.decode() not in value
    check_key_fingerprints(db_engine, keys())  # the same keys again: accepted, nothing added
    assert stored(db_engine) == prints


@pytest.mark.parametrize(
    ("changed", "variable"),
    [
        ({"secret": b"t" * 40}, ENV_SECRET_KEY),
        ({"address": AddressBox.new_key()}, ENV_ADDRESS_KEY),
    ],
)
def test_another_key_is_refused_naming_its_variable(
    db_engine: Engine, changed: dict[str, bytes], variable: str
) -> None:
    check_key_fingerprints(db_engine, keys())
    before = stored(db_engine)
    with pytest.raises(KeyMismatchError) as raised:
        check_key_fingerprints(db_engine, keys(**changed))
    message = str(raised.value)
    assert variable in message and "\n" not in message
    assert stored(db_engine) == before
