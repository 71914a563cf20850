"""The progress picture: its size, and the same figures drawn only once."""

from __future__ import annotations

import html

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from bot.config import bundled_content
from bot.engine.pictures import ChartData, RecallBar
from bot.engine.progress import CHART_LABELS
from bot.library.loader import load_library_or_raise
from bot.texts.templates import Texts
from bot.transports.drawing.charts import progress_figure, progress_png
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


# Every word on every picture, in every language, lies inside the canvas and clear of the rest.


def _labels(texts: Texts, language: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, html.unescape(texts.render(language, f"chart.{name}"))) for name in CHART_LABELS
    )


def _pictures(texts: Texts, language: str) -> list[ChartData]:
    def phase(name: str) -> str:
        return html.unescape(texts.render(language, f"chart.phase_{name}"))

    def too_few(answers: int) -> str:
        return html.unescape(texts.render(language, "chart.too_few", answers=answers, needed=3))

    techniques = [
        html.unescape(texts.render(language, f"tags.{tag}"))
        for tag in ("emotional-language", "polarisation", "scapegoating", "image-verification")
    ]
    recall = (
        RecallBar(techniques[0], 1.0, "100%"),
        RecallBar(techniques[1], 0.0, "0%"),
        RecallBar(techniques[2], None, too_few(1)),
        RecallBar(techniques[3], None, too_few(2)),
    )
    return [
        ChartData(mastery=(), weekly=(0,) * 8, assessment=()),
        ChartData(
            mastery=recall,
            weekly=(0, 3, 0, 12, 40, 2, 0, 9),
            assessment=((phase("before"), -2.5), (phase("after"), 6.0), (phase("followup"), 3.1)),
        ),
    ]


def _word_boxes(figure: Figure) -> list[tuple[str, Bbox]]:
    """Where each word drawn on the picture lands, in pixels."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # type: ignore[no-untyped-call]
    renderer = canvas.renderer
    unseen = set()  # tick labels outside an axis's view exist but are not drawn
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    unseen.update({id(tick.label1), id(tick.label2)})
    return [
        (text.get_text(), text.get_window_extent(renderer))
        for text in figure.findobj(Text)
        if isinstance(text, Text)
        and text.get_visible()
        and text.get_text().strip()
        and id(text) not in unseen
    ]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_word_is_clipped_or_overlaps_another(language: str) -> None:
    texts = Texts(load_library_or_raise(bundled_content()).locales, "en")
    for data in _pictures(texts, language):
        figure = progress_figure(data, _labels(texts, language))
        width, height = figure.bbox.width, figure.bbox.height
        boxes = _word_boxes(figure)
        assert len(boxes) >= 8
        for word, box in boxes:
            assert box.x0 >= 0 and box.y0 >= 0, (language, word, box)
            assert box.x1 <= width and box.y1 <= height, (language, word, box)
        for i, (word, box) in enumerate(boxes):
            for other, other_box in boxes[i + 1 :]:
                assert not box.overlaps(other_box), (language, word, other)
