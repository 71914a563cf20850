from __future__ import annotations

import pytest

from bot.engine.payloads import Payload, decode, owner_tag

WHO = owner_tag("a" * 64)


@pytest.mark.parametrize(
    "payload",
    [
        Payload("menu", 0, WHO),
        Payload("lesson", 123456789, WHO, "a" * 40),
        Payload("pick", 123456789, WHO, "3"),
        Payload("done", 7, WHO),
        Payload("fc", 0, WHO, "z" * 40),
    ],
)
def test_round_trip_within_64_bytes(payload: Payload) -> None:
    data = payload.encode()
    assert len(data.encode()) <= 64
    assert decode(data) == payload


def test_the_owner_tag_tells_people_apart_and_hides_the_key() -> None:
    assert owner_tag("a" * 64) == owner_tag("a" * 64)
    assert owner_tag("a" * 64) != owner_tag("b" * 64)
    assert "aaaa" not in owner_tag("a" * 64)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "nope",
        "pick",
        "menu:0",
        f"pick:x:{WHO}:1",
        f"pick:1:{WHO}:2:3",
        "menu:0:zzzzzz",
        f"lesson:0:{WHO}:../x",
        f"lesson:0:{WHO}:A",
        f"pick:1:{WHO}:" + "9" * 49,
        f"fc:0:{WHO}:" + "a" * 70,
        f"pick:1234567890:{WHO}:1",
        f"lesson:0:{WHO}:\u0000",
        f"PICK:1:{WHO}",
    ],
)
def test_forged_payloads_are_refused(data: str) -> None:
    assert decode(data) is None
