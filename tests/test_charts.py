"""The progress picture: its size, and the same figures drawn only once."""

from __future__ import annotations

from bot.engine.pictures import ChartData, RecallBar
from bot.engine.progress import CHART_LABELS
from bot.transports.drawing.charts import progress_png
from tests.engine.test_learning import png_size

LABELS = tuple((name, name.replace("_", " ")) for name in CHART_LABELS)


def _data(mastery: float) -> ChartData:
    return ChartData(
        mastery=(RecallBar("emotional language", mastery, f"{mastery:.0%}"),),
        weekly=(0, 2, 5),
        assessment=(("before", 1.5),),
    )


def test_the_same_figures_are_drawn_once_and_others_anew() -> None:
    first = progress_png(_data(0.5), LABELS)
    assert png_size(first) == (800, 900)
    assert progress_png(_data(0.5), LABELS) is first
    other = progress_png(_data(0.75), LABELS)
    assert other is not first and other != first
    relabelled = progress_png(_data(0.5), (*LABELS[1:], ("title", "Progress")))
    assert relabelled != first
