"""The HTML report renders in a real headless browser with its charts visible."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

from bot.engine.engine import Engine
from bot.reports import build
from bot.reports.html import render_html
from bot.testing.services import CHROMIUM, CHROMIUM_FLAGS, unavailable
from tests.conftest import Clock

BLUE = (0x2A, 0x7A, 0xB9)
GREEN = (0x3F, 0x9B, 0x4F)


def screenshot(html: str, folder: Path) -> Image.Image:
    page = folder / "report.html"
    page.write_text(html, encoding="utf-8")
    shot = folder / "shot.png"
    if CHROMIUM is None:
        unavailable("needs Debian's chromium (apt-get install chromium)")
    subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            "--hide-scrollbars",
            f"--user-data-dir={folder / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,1400",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return Image.open(shot).convert("RGB")


def count_colour(image: Image.Image, colour: tuple[int, int, int]) -> int:
    colours = image.getcolors(maxcolors=image.width * image.height) or []
    return next((n for n, c in colours if c == colour), 0)


def test_usage_report_charts_are_visible(activity: Engine, clock: Clock, tmp_path: Path) -> None:
    with activity.store.unit() as unit:
        report = build("usage", unit.reports, activity.content.library, clock())
    html = render_html(report.kind, report.tables, report.charts, clock())
    image = screenshot(html, tmp_path)
    assert image.size == (1200, 1400)
    # Today's bar of checks per day and the tier bars are drawn in their colours.
    assert count_colour(image, BLUE) > 500
    assert count_colour(image, GREEN) > 500


def test_questions_report_flags_rows(activity: Engine, clock: Clock, tmp_path: Path) -> None:
    with activity.store.unit() as unit:
        report = build("questions", unit.reports, activity.content.library, clock())
    html = render_html(report.kind, report.tables, report.charts, clock())
    assert "<svg" in html and 'class="flagged"' in html
    image = screenshot(html, tmp_path)
    assert count_colour(image, BLUE) > 500


def test_html_escapes_what_people_sent(activity: Engine, clock: Clock) -> None:
    with activity.store.unit() as unit:
        report = build("claims", unit.reports, activity.content.library, clock())
    report.tables[0] = type(report.tables[0])(
        "Claims", ("claim",), (("<script>alert(1)</script>",),)
    )
    html = render_html("claims", report.tables, report.charts, clock())
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_html_explains_measures_and_dashes_missing_figures(engine: Engine, clock: Clock) -> None:
    with engine.store.unit(write=False) as unit:
        report = build("questions", unit.reports, engine.content.library, clock())
    html = render_html(report.kind, report.tables, report.charts, clock())
    assert '<td class="num">—</td>' in html
    assert "<li>facility %: the share of the available points" in html
