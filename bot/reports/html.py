"""The HTML report: the same tables with bar charts drawn as inline SVG (no scripts, works
offline and in any browser)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.reports.layout import Table

TEMPLATE = "report.html.j2"


def render_html(kind: str, tables: list[Table], charts: dict[str, Any], made: dt.datetime) -> str:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template(TEMPLATE)
    return template.render(
        kind=kind, tables=tables, charts=charts, made=made.strftime("%Y-%m-%d %H:%M UTC")
    )
