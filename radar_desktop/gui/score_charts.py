"""Charts of a scan's scores: per image in processing order, and their histogram, with thresholds."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QWidget

from radar_desktop.core.verdict import Thresholds

REVIEW_PEN = pg.mkPen("#ef6c00", width=1.5, style=pg.QtCore.Qt.DashLine)
NOK_PEN = pg.mkPen("#c62828", width=1.5)
BINS = 30
HEADROOM = 0.25  # a score range that must grow grows by this share of itself more, so it seldom grows again
FIT_HEADROOM = 0.05  # the margin around the scores once a scan has ended


def next_step(value: float) -> float:
    """The smallest of 10, 20, 50, 100, 200, 500, … that is at least ``value`` (an axis end that rarely moves)."""
    if value <= 10:
        return 10
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def grown(span: tuple[float, float] | None, values: np.ndarray, headroom: float = HEADROOM) -> tuple[float, float]:
    """``span`` widened, with ``headroom``, to hold ``values``; unchanged while they fit in it."""
    low, high = float(values.min()), float(values.max())
    if span is not None and span[0] <= low and high <= span[1]:
        return span
    if span is not None:
        low, high = min(low, span[0]), max(high, span[1])
    margin = max(high - low, abs(high), 1e-6) * headroom
    return low - margin, high + margin


class ScoreChartsWidget(QWidget):
    """Score per image (with threshold lines) beside the histogram of the scan's scores."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series_plot = pg.PlotWidget(title="Score per image")
        self.series_plot.setLabel("bottom", "image (processing order)")
        self.series_plot.setLabel("left", "score")
        self.histogram_plot = pg.PlotWidget(title="Score histogram")
        self.histogram_plot.setLabel("bottom", "score")
        self.histogram_plot.setLabel("left", "images")
        for plot in (self.series_plot, self.histogram_plot):
            for axis in ("left", "bottom"):
                plot.getAxis(axis).enableAutoSIPrefix(False)  # scores read as they are in the table
                plot.getAxis(axis).setCacheMode(QGraphicsItem.DeviceCoordinateCache)  # repaints blit, not redraw
            plot.setBackground("w")
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.disableAutoRange()  # ranges move in steps (set_scores): an axis redrawn per result stalls the window
        self.series = self.series_plot.plot([], [], pen=pg.mkPen("#455a64"), symbol="o", symbolSize=5, symbolBrush="#455a64")
        self.bars = pg.BarGraphItem(x=[], height=[], width=1, brush="#78909c")
        self.histogram_plot.addItem(self.bars)
        self._lines = {
            "series": (pg.InfiniteLine(angle=0, pen=REVIEW_PEN), pg.InfiniteLine(angle=0, pen=NOK_PEN)),
            "histogram": (pg.InfiniteLine(angle=90, pen=REVIEW_PEN), pg.InfiniteLine(angle=90, pen=NOK_PEN)),
        }
        for plot, lines in ((self.series_plot, self._lines["series"]), (self.histogram_plot, self._lines["histogram"])):
            for line in lines:
                line.setVisible(False)  # until a profile gives thresholds
                plot.addItem(line)
        self.scores: list[float] = []
        self.thresholds: Thresholds | None = None
        self.score_span: tuple[float, float] | None = None  # the score range both charts show now
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.series_plot, 3)
        layout.addWidget(self.histogram_plot, 2)

    def set_thresholds(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds
        self.score_span = None
        for review, nok in self._lines.values():
            review.setValue(thresholds.review)
            nok.setValue(thresholds.nok)
            review.setVisible(True)
            nok.setVisible(True)

    def set_scores(self, scores: list[float]) -> None:
        """Redraw both charts for the scan's scores so far.

        The axes keep their ranges while the scores fit (the image count up to the next 10, 20, 50, …;
        the scores and thresholds with headroom), so a scan redraws points and bars, not axes.
        """
        self.scores = list(scores)
        values = np.asarray(self.scores, dtype=float)
        self.series.setData(np.arange(len(values)), values)
        if values.size == 0:
            self.bars.setOpts(x=[], height=[], width=1)
            self.score_span = None
            if self.thresholds is None:
                return
        self.score_span = grown(self.score_span, self._with_thresholds(values))
        self._draw(values, image_axis_end=next_step(max(len(values) - 1, 1)))

    def fit(self) -> None:
        """Fit both charts to the scores shown, once they stop arriving (the end of a scan)."""
        values = np.asarray(self.scores, dtype=float)
        if values.size == 0:
            return
        self.score_span = grown(None, self._with_thresholds(values), headroom=FIT_HEADROOM)
        self._draw(values, image_axis_end=max(len(values) - 1, 1))

    def _with_thresholds(self, values: np.ndarray) -> np.ndarray:
        """The scores and the threshold lines: the ranges hold both, so the lines are always in view."""
        return values if self.thresholds is None else np.append(values, [self.thresholds.review, self.thresholds.nok])

    def _draw(self, values: np.ndarray, image_axis_end: float) -> None:
        low, high = self.score_span
        self.series_plot.setRange(xRange=(0, image_axis_end), yRange=self.score_span, padding=0.02)
        counts, edges = np.histogram(values, bins=BINS, range=self.score_span)
        self.bars.setOpts(x=(edges[:-1] + edges[1:]) / 2, height=counts, width=(high - low) / BINS * 0.9)
        self.histogram_plot.setRange(xRange=self.score_span, yRange=(0, next_step(max(counts.max(initial=0), 1))),
                                     padding=0.02)
