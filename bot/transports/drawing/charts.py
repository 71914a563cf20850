"""The progress picture: mastery per technique, recent activity, and before/after assessment.

Drawn with matplotlib's Agg backend (no display needed) into PNG bytes. Every word on the
picture comes from the locale, passed in as `labels`; this module only draws.
"""

from __future__ import annotations

import functools
import io
import textwrap
from typing import TYPE_CHECKING

from bot.engine.pictures import ChartData, Labels

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


# Drawing takes about a tenth of a second; the same figures (every newcomer's empty picture, a
# learner asking twice) are drawn once. The cache holds figures and labels, nothing personal.
CACHED_CHARTS = 64


# An axis label longer than this is wrapped onto more lines: a long label on a short panel's
# vertical axis would otherwise run past the panel into the one above.
AXIS_LABEL_CHARS = 22


@functools.lru_cache(maxsize=CACHED_CHARTS)
def progress_png(data: ChartData, label_pairs: Labels) -> bytes:
    out = io.BytesIO()
    progress_figure(data, label_pairs).savefig(out, format="png", pil_kwargs={"compress_level": 1})
    return out.getvalue()


def progress_figure(data: ChartData, label_pairs: Labels) -> Figure:
    """The picture as a matplotlib figure (tests measure where its words land)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    labels = dict(label_pairs)

    figure = Figure(figsize=(8, 9), dpi=100, layout="constrained")
    figure.suptitle(labels["title"], fontsize=15, fontweight="bold")
    top, middle, bottom = figure.subplots(3, 1, height_ratios=[3, 2, 2])

    if data.mastery:
        _recall(top, data)
    else:
        _empty(top, labels["empty"])
    top.set_title(labels["mastery"], loc="left")
    top.set_xlabel(labels["mastery_axis"])

    weeks = list(range(1, len(data.weekly) + 1))
    middle.bar(weeks, list(data.weekly), color="#4caf50")
    middle.set_xticks(weeks, [labels["week_now"] if w == len(weeks) else "" for w in weeks])
    middle.set_title(labels["activity"], loc="left")
    middle.set_ylabel(_wrapped(labels["activity_axis"]))
    if not any(data.weekly):
        _empty(middle, labels["activity_empty"])

    if data.assessment:
        names = [name for name, _ in data.assessment]
        values = [value for _, value in data.assessment]
        bars = bottom.bar(names, values, color=["#9e9e9e", "#ff9800", "#795548"][: len(values)])
        bottom.axhline(0, color="black", linewidth=0.8)
        bottom.set_ylim(min(-1.0, *values) - 1.0, max(6.0, *values) + 1.0)  # room for labels
        bottom.bar_label(bars, fmt="%.1f")
    else:
        _empty(bottom, labels["assessment_empty"])
    bottom.set_title(labels["assessment"], loc="left")
    bottom.set_ylabel(_wrapped(labels["assessment_axis"]))
    return figure


def _recall(axes: Axes, data: ChartData) -> None:
    """A bar per technique with evidence; a technique with too few answers gets its note and
    no bar, so the picture never shows a figure the answers do not support."""
    names = [bar.label for bar in data.mastery]
    values = [0.0 if bar.value is None else bar.value * 100 for bar in data.mastery]
    axes.barh(names, values, color="#2a7ab9")
    axes.set_xlim(0, 100)
    axes.invert_yaxis()
    for y, bar in enumerate(data.mastery):
        if bar.value is None:
            axes.text(1, y, bar.note, va="center", fontsize=9, style="italic", color="#555555")
        else:
            axes.text(min(bar.value * 100 + 1, 88), y, bar.note, va="center", fontsize=9)


def _wrapped(text: str) -> str:
    return textwrap.fill(text, AXIS_LABEL_CHARS, break_long_words=False)


def _empty(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", wrap=True, transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])
