"""The self-test's POD chart: one curve per synthetic shape, in px or mm, with the synthetic-defects caption."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def _record(mm_per_pixel=None) -> dict:
    from radar_desktop.engine.jobs.selftest import SHAPES, SelfTestScores, ShapeScores, selftest_record, size_levels

    rng = np.random.default_rng(0)
    sizes = np.repeat(size_levels(256), 8)
    shapes = {}
    for i, shape in enumerate(SHAPES):
        pod = 1 / (1 + np.exp(-(-4.0 + (2.0 - 0.3 * i) * np.log(sizes))))
        shapes[shape] = ShapeScores(tuple(sizes), tuple(float(s) for s in (rng.random(sizes.size) < pod) * 1.0))
    scores = SelfTestScores(shapes, 256, 0.3, 0, 1.0, 3, (0.0, 0.0, 0.0), 1.0, "features")
    return selftest_record(scores, 0.5, mm_per_pixel)


def test_show_record_draws_one_curve_per_shape(qtbot):
    from radar_desktop.core.pod import plot_span
    from radar_desktop.gui.pod_plot import PodPlotWidget

    widget = PodPlotWidget()
    qtbot.addWidget(widget)
    widget.show_record(_record())
    assert list(widget.curves) == ["disc_dark", "disc_bright", "stroke_dark", "stroke_bright"]
    for name, curve in widget.curves.items():
        x, y = curve.getOriginalDataset()
        assert widget.fits[name].status == "fitted" and len(x) == 200 and np.all((y >= 0) & (y <= 1))
        markers_x, markers_y = widget.markers[name].getOriginalDataset()
        if widget.fits[name].a90 <= plot_span(widget.fits)[1]:  # far extrapolations are left to the table
            assert markers_x[0] == pytest.approx(widget.fits[name].a90) and markers_y[0] == 0.9
    assert widget.markers["disc_dark"].getOriginalDataset()[0] is not None
    assert "synthetic defects" in widget.caption.text.lower() and "not to the product" in widget.caption.text
    assert "px" in widget.getAxis("bottom").labelText
    assert len(widget.legend.items) == 4


def test_a_scaled_record_is_plotted_in_mm_and_a_new_record_replaces_the_old(qtbot):
    from radar_desktop.core.pod import plot_span
    from radar_desktop.gui.pod_plot import PodPlotWidget

    widget = PodPlotWidget()
    qtbot.addWidget(widget)
    widget.show_record(_record())
    widget.show_record(_record(mm_per_pixel=0.1))
    assert "mm" in widget.getAxis("bottom").labelText and len(widget.legend.items) == 4
    x, _ = widget.curves["disc_dark"].getOriginalDataset()
    assert x.max() == pytest.approx(plot_span(widget.fits)[1] * 0.1)
    widget.show_record({})
    assert not widget.curves and not widget.legend.items
