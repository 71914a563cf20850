"""Recognising pictures already checked: perceptual hashes and the index that compares them.

A fake picture comes back resized, recompressed, cropped a little or framed in a screenshot of
a post. A perceptual hash (PDQ: 256 bits from the picture's low frequencies, the hash Meta's
ThreatExchange and Meedan use) changes little under the first three, so a near hash means the
same picture. A screenshot frame changes it a lot, so a picture is hashed twice: whole, and the
largest dense block inside it (the photo in the frame, without the text and blank around it).
Pure code: bytes in, numbers out; nothing is written anywhere.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import pdqhash
from PIL import Image

Key = TypeVar("Key")

MAX_PIXELS = 40_000_000  # a larger picture is refused before it is decoded (a pixel bomb)
HASH_SIDE = 512  # PDQ reads a 64x64 summary: hashing a smaller copy loses nothing and is fast
# Bits of 256 that may differ for two pictures to count as the same, fitted by
# bench/pictures_hash.py: 96 % of changed copies are within it, and the nearest of 5,000
# unrelated pictures was 74 bits away.
MATCH_DISTANCE = 64
MIN_QUALITY = 30  # PDQ's own measure of how much there is to hash: a flat picture has none
_DENSE = 0.6  # a row or column with this share of non-background pixels is part of a picture
_MIN_BLOCK = 0.25  # a block smaller than this share of the side is not a framed picture
CROP = 0.05  # the share of a side a forwarded copy commonly loses


class PictureError(ValueError):
    """The bytes are not a picture that can be read (broken, unknown type, too many pixels)."""


def open_picture(data: bytes, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode a picture held in memory, refusing a pixel bomb before decoding it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > max_pixels:
                raise PictureError("too many pixels")
            image.load()
    except PictureError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning) as exc:
        raise PictureError(type(exc).__name__) from exc
    return image.convert("RGB")


def picture_hashes(image: Image.Image) -> tuple[int, ...]:
    """The hashes a picture someone sent is looked up by: the whole of it and the picture
    framed inside it (when there is one); none for a picture too flat to say anything."""
    return _hashes(query_parts(image))


def checked_hashes(image: Image.Image) -> tuple[int, ...]:
    """The hashes a checked picture is indexed by: the whole of it and the crops a forwarded
    copy most often is (a PDQ hash moves far when a picture loses even a twentieth of an
    edge, so each such copy is met by a crop made here in advance)."""
    return _hashes(checked_parts(image))


def query_parts(image: Image.Image) -> list[np.ndarray]:
    pixels = _small(image)
    block = _framed_block(pixels)
    return [pixels] if block is None else [pixels, block]


def checked_parts(image: Image.Image) -> list[np.ndarray]:
    pixels = _small(image)
    height, width = pixels.shape[:2]
    dy, dx = int(height * CROP), int(width * CROP)
    return [
        pixels,
        pixels[dy : height - dy, dx : width - dx],  # every edge
        pixels[:, : width - 2 * dx],  # the right edge
        pixels[:, 2 * dx :],  # the left edge
        pixels[: height - 2 * dy],  # the bottom (a caption bar, a cropped credit line)
        pixels[2 * dy :],  # the top
    ]


def pdq(pixels: np.ndarray) -> int | None:
    """The PDQ hash of an RGB array, or None when it is too flat to hash."""
    bits, quality = pdqhash.compute(np.ascontiguousarray(pixels))
    return _to_int(bits) if quality >= MIN_QUALITY else None


def _hashes(parts: list[np.ndarray]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(h for part in parts if (h := pdq(part)) is not None))


def _small(image: Image.Image) -> np.ndarray:
    small = image.convert("RGB")
    small.thumbnail((HASH_SIDE, HASH_SIDE))
    return np.asarray(small)


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


@dataclass(frozen=True)
class PictureIndex(Generic[Key]):
    """The hashes of the pictures already checked, each with what to answer."""

    entries: tuple[tuple[int, Key], ...] = ()
    max_distance: int = MATCH_DISTANCE

    @classmethod
    def of(
        cls, entries: Iterable[tuple[tuple[int, ...], Key]], max_distance: int = MATCH_DISTANCE
    ) -> PictureIndex[Key]:
        """The index of pictures given as (their hashes, what to answer)."""
        return cls(tuple((h, key) for hashes, key in entries for h in hashes), max_distance)

    def find(self, hashes: Sequence[int]) -> Key | None:
        """What the nearest checked picture answers, if any is near enough."""
        best: tuple[int, Key] | None = None
        for wanted in hashes:
            for known, key in self.entries:
                gap = distance(wanted, known)
                if gap <= self.max_distance and (best is None or gap < best[0]):
                    best = (gap, key)
        return best[1] if best is not None else None

    def __len__(self) -> int:
        return len(self.entries)


def _to_int(bits: np.ndarray) -> int:
    return int("".join("1" if bit else "0" for bit in bits.astype(bool).tolist()), 2)


def _framed_block(pixels: np.ndarray) -> np.ndarray | None:
    """The largest block of dense rows and columns (a photo inside a screenshot), or None when
    there is none or it is (nearly) the whole picture."""
    gray = pixels.mean(axis=2)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    content = np.abs(gray - np.median(border)) > 24
    rows = _longest_run(content.mean(axis=1) >= _DENSE)
    if rows is None or rows[1] - rows[0] < _MIN_BLOCK * gray.shape[0]:
        return None
    band = content[rows[0] : rows[1]]
    cols = _longest_run(band.mean(axis=0) >= _DENSE)
    if cols is None or cols[1] - cols[0] < _MIN_BLOCK * gray.shape[1]:
        return None
    height, width = gray.shape
    if (rows[1] - rows[0]) * (cols[1] - cols[0]) > 0.92 * height * width:
        return None
    return pixels[rows[0] : rows[1], cols[0] : cols[1]]


def _longest_run(flags: np.ndarray) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    start = None
    for index, flag in enumerate([*flags.tolist(), False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            if best is None or index - start > best[1] - best[0]:
                best = (start, index)
            start = None
    return best
