"""Pictures made for tests and benchmarks (no real person's image anywhere): screenshots of a
post with a claim's text, distinct "checked" pictures, unrelated photos, and the ways a
forwarded copy of a picture gets changed on its way."""

from __future__ import annotations

import io
import random
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")
FONT_NAMES = (
    "DejaVuSans.ttf",
    "LiberationSans-Regular.ttf",
    "DejaVuSerif.ttf",
    "LiberationSerif-Regular.ttf",
    "DejaVuSansCondensed.ttf",
)
PHONE = (720, 1280)  # a phone screenshot, as Telegram's largest photo size keeps it


def fonts() -> list[Path]:
    """The fonts with Latin and Cyrillic letters found here (Debian: fonts-dejavu-core,
    fonts-liberation)."""
    found = []
    for name in FONT_NAMES:
        for folder in FONT_DIRS:
            if (Path(folder) / name).is_file():
                found.append(Path(folder) / name)
    return found


def jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def screenshot(text: str, seed: int, *, author: str = "Civic Reader") -> bytes:
    """A phone screenshot of a post saying `text`: font, size, theme and JPEG quality vary
    with `seed` (several fonts, light and dark, quality 60-90)."""
    rng = random.Random(seed)
    available = fonts()
    font_path = available[seed % len(available)]
    dark = rng.random() < 0.5
    background, ink, faint = (
        ((21, 32, 43), (235, 238, 240), (136, 153, 166))
        if dark
        else ((255, 255, 255), (20, 23, 26), (101, 119, 134))
    )
    size = rng.choice((26, 28, 30, 32))
    image = Image.new("RGB", PHONE, background)
    draw = ImageDraw.Draw(image)
    small = ImageFont.truetype(str(font_path), 22)
    body = ImageFont.truetype(str(font_path), size)
    draw.rectangle((0, 0, PHONE[0], 48), fill=faint)  # the phone's status bar
    draw.text((24, 12), "12:0" + str(seed % 10), font=small, fill=background)
    draw.ellipse((24, 80, 96, 152), fill=faint)  # the avatar
    draw.text((112, 88), author, font=small, fill=ink)
    draw.text((112, 120), "@reader · 2h", font=small, fill=faint)
    width = max(18, int((PHONE[0] - 60) / (size * 0.55)))
    y = 180
    for line in textwrap.wrap(text, width)[:28]:
        draw.text((30, y), line, font=body, fill=ink)
        y += int(size * 1.35)
    draw.text((30, y + 30), "♡ 1.2K   ⟲ 340   💬 87"[:12], font=small, fill=faint)
    return jpeg(image, rng.randint(60, 90))


def picture(seed: int, side: int = 640) -> Image.Image:
    """A distinct synthetic picture: a gradient sky, shapes and texture, all from `seed`."""
    rng = random.Random(seed)
    width, height = side, int(side * rng.choice((0.66, 0.75, 1.0, 1.33)))
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    top = [rng.randrange(256) for _ in range(3)]
    bottom = [rng.randrange(256) for _ in range(3)]
    for y in range(height):
        mix = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a * (1 - mix) + b * mix) for a, b in zip(top, bottom, strict=True)),
        )
    for _ in range(rng.randint(6, 16)):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1, y1 = x0 + rng.randint(20, width // 2), y0 + rng.randint(20, height // 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
    return image.filter(ImageFilter.GaussianBlur(rng.choice((0, 1, 2))))


def transformed(image: Image.Image, kind: int, seed: int = 0) -> bytes:
    """One of ten changes a forwarded copy goes through, as the JPEG that arrives."""
    rng = random.Random(seed * 31 + kind)
    width, height = image.size
    if kind == 0:  # resized down, recompressed
        return jpeg(image.resize((width // 2, height // 2)), 70)
    if kind == 1:  # recompressed hard
        return jpeg(image, 35)
    if kind == 2:  # cropped a little at every edge
        dx, dy = int(width * 0.05), int(height * 0.05)
        return jpeg(image.crop((dx, dy, width - dx, height - dy)), 80)
    if kind == 3:  # cropped at one side
        return jpeg(image.crop((0, 0, int(width * 0.92), height)), 80)
    if kind == 4:  # brighter, more contrast
        brighter = ImageEnhance.Brightness(image).enhance(1.2)
        return jpeg(ImageEnhance.Contrast(brighter).enhance(1.2), 80)
    if kind == 5:  # grey
        return jpeg(image.convert("L"), 80)
    if kind == 6:  # a caption bar printed over the bottom
        marked = image.copy()
        draw = ImageDraw.Draw(marked)
        draw.rectangle((0, int(height * 0.88), width, height), fill=(0, 0, 0))
        draw.text((10, int(height * 0.9)), "SHARE BEFORE IT IS DELETED", fill=(255, 255, 255))
        return jpeg(marked, 80)
    if kind == 7:  # framed in a screenshot of a post
        return _framed(image, rng)
    if kind == 8:  # enlarged and blurred a little
        big = image.resize((int(width * 1.5), int(height * 1.5))).filter(ImageFilter.BLUR)
        return jpeg(big, 75)
    # kind 9: a white border added (a "meme" frame)
    bordered = Image.new("RGB", (width + 60, height + 60), (255, 255, 255))
    bordered.paste(image, (30, 30))
    return jpeg(bordered, 80)


def _framed(image: Image.Image, rng: random.Random) -> bytes:
    frame = Image.new("RGB", PHONE, (255, 255, 255) if rng.random() < 0.5 else (21, 32, 43))
    draw = ImageDraw.Draw(frame)
    draw.rectangle((0, 0, PHONE[0], 48), fill=(120, 120, 120))
    for line in range(4):
        right = rng.randint(300, 690)
        draw.rectangle((30, 150 + line * 40, right, 170 + line * 40), fill=(128, 128, 128))
    inner = image.copy()
    inner.thumbnail((PHONE[0] - 40, 800))
    frame.paste(inner, (20, 330))
    return jpeg(frame, rng.randint(60, 90))
