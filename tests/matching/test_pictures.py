"""Perceptual hashes: a changed copy of a picture stays near it, another picture stays far, a
framed picture is found inside its frame, and a flat or broken picture says so."""

from __future__ import annotations

import pytest
from PIL import Image

from bot.matching.pictures import (
    MATCH_DISTANCE,
    PictureError,
    PictureIndex,
    checked_hashes,
    distance,
    open_picture,
    picture_hashes,
)
from bot.testing.pictures import jpeg, picture, transformed


@pytest.mark.parametrize("kind", range(10))
def test_a_changed_copy_is_found_and_another_picture_is_not(kind: int) -> None:
    index = PictureIndex.of([(checked_hashes(picture(seed)), f"fc-{seed}") for seed in range(1, 6)])
    copy = open_picture(transformed(picture(3), kind, seed=3))
    if kind == 6:  # a caption bar over the bottom: usually, not always, found
        assert index.find(picture_hashes(copy)) in ("fc-3", None)
    else:
        assert index.find(picture_hashes(copy)) == "fc-3"
    assert index.find(picture_hashes(picture(77))) is None


def test_the_nearest_picture_wins() -> None:
    index = PictureIndex(((0b1111, "far"), (0b0001, "near")), max_distance=3)
    assert index.find((0b0000,)) == "near"
    assert index.find(((1 << 200) - 1,)) is None
    assert len(index) == 2
    assert distance(0b1010, 0b0101) == 4


def test_a_picture_framed_in_a_screenshot_is_hashed_on_its_own() -> None:
    photo = picture(11)
    framed = open_picture(transformed(photo, 7, seed=2))
    [whole] = picture_hashes(photo)
    hashes = picture_hashes(framed)
    assert len(hashes) == 2
    assert min(distance(whole, h) for h in hashes) <= MATCH_DISTANCE


def test_flat_and_broken_pictures() -> None:
    assert picture_hashes(Image.new("RGB", (400, 300), (200, 30, 30))) == ()
    with pytest.raises(PictureError):
        open_picture(b"GIF89a broken")
    with pytest.raises(PictureError, match="too many pixels"):
        open_picture(jpeg(picture(1), 80), max_pixels=1000)
