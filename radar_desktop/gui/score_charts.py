"""Charts of a scan's scores: per image in processing order, and their histogram, with thresholds."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QWidget

from radar_desktop.core.verdict import Thresholds

REVIEW_PEN = pg.mkPen("#ef6c00", width=1.5, style=pg.QtCore.Qt.DashLine)
NOK_PEN = pg.mkPen("#c62828", width=1.5)


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
            plot.setBackground("w")
            plot.showGrid(x=True, y=True, alpha=0.2)
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
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.series_plot, 3)
        layout.addWidget(self.histogram_plot, 2)

    def set_thresholds(self, thresholds: Thresholds) -> None:
        for review, nok in self._lines.values():
            review.setValue(thresholds.review)
            nok.setValue(thresholds.nok)
            review.setVisible(True)
            nok.setVisible(True)

    def set_scores(self, scores: list[float]) -> None:
        """Redraw both charts for the scan's scores so far."""
        self.scores = list(scores)
        values = np.asarray(self.scores, dtype=float)
        self.series.setData(np.arange(len(values)), values)
        if values.size == 0:
            self.bars.setOpts(x=[], height=[], width=1)
            return
        counts, edges = np.histogram(values, bins=min(30, max(5, values.size // 4)))
        self.bars.setOpts(x=(edges[:-1] + edges[1:]) / 2, height=counts, width=float(edges[1] - edges[0]) * 0.9)
