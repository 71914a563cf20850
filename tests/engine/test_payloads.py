from __future__ import annotations

import pytest

from bot.engine.payloads import Payload, decode


@pytest.mark.parametrize(
    "payload",
    [
        Payload("menu"),
        Payload("lesson", None, "a" * 40),
        Payload("pick", 123456789, "3"),
        Payload("done", 7),
        Payload("fc", None, "z" * 40),
    ],
)
def test_round_trip_within_64_bytes(payload: Payload) -> None:
    data = payload.encode()
    assert len(data.encode()) <= 64
    assert decode(data) == payload


@pytest.mark.parametrize(
    "data",
    [
        "",
        "nope",
        "pick",
        "pick:x:1",
        "pick:1:2:3",
        "menu:a:b",
        "lesson:../x",
        "lesson:A",
        "pick:1:" + "9" * 49,
        "fc:" + "a" * 70,
        "pick:1234567890:1",
        "lesson:\u0000",
    ],
)
def test_forged_payloads_are_refused(data: str) -> None:
    assert decode(data) is None
