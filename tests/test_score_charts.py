"""The score charts keep their axis ranges while new scores fit, so a scan redraws points, not axes."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui
score_charts = pytest.importorskip("radar_desktop.gui.score_charts", reason="the no-Qt layer check blocks PySide6")

from radar_desktop.core.verdict import Thresholds  # noqa: E402


def test_image_axis_ends_step_through_10_20_50():
    assert [score_charts.next_step(n) for n in (0, 1, 10, 11, 20, 21, 99, 101, 199, 201, 5001)] == [
        10, 10, 10, 20, 20, 50, 100, 200, 200, 500, 10000]


def test_a_score_range_grows_with_headroom_and_then_holds():
    span = score_charts.grown(None, np.array([1.0, 2.0]))
    assert span[0] < 1.0 and span[1] > 2.0
    assert score_charts.grown(span, np.array([1.1, 2.1])) == span  # fits: the same range, the axis untouched
    wider = score_charts.grown(span, np.array([5.0]))
    assert wider[0] <= span[0] and wider[1] > 5.0


def test_the_charts_show_every_score_and_both_thresholds(qtbot):
    charts = score_charts.ScoreChartsWidget()
    qtbot.addWidget(charts)
    charts.set_thresholds(Thresholds(review=2.0, nok=3.0))
    scores = [0.5, 1.0, 4.0, 1.5]
    charts.set_scores(scores)
    (x_low, x_high), (y_low, y_high) = charts.series_plot.getViewBox().viewRange()
    assert x_low <= 0 and x_high >= 3 and y_low < 0.5 and y_high > 4.0
    assert np.sum(charts.bars.opts["height"]) == len(scores)
    first = charts.series_plot.getViewBox().viewRange()
    charts.set_scores(scores + [2.5])
    assert charts.series_plot.getViewBox().viewRange() == first  # a score inside the range moves no axis
    charts.fit()  # the scan ended: the image axis ends at the last image
    (x_low, x_high), _ = charts.series_plot.getViewBox().viewRange()
    assert x_high == pytest.approx(4, abs=0.2)
    charts.set_scores([])
    assert np.sum(charts.bars.opts["height"]) == 0 and charts.scores == []
