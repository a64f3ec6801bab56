"""The scale editor driven offscreen: a measured line, a typed value, no scale, too-short lines, the mouse
and the dialog."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytestmark = pytest.mark.gui
QtWidgets = pytest.importorskip("PySide6.QtWidgets", reason="the no-Qt layer check blocks PySide6")

from PySide6.QtCore import Qt, QTimer  # noqa: E402

from radar_desktop.gui.scale_editor import ScaleDialog, ScaleResult, ScaleWidget  # noqa: E402

H, W = 120, 160


def reference_image() -> np.ndarray:
    image = np.tile(np.linspace(0.2, 0.8, W, dtype=np.float32), (H, 1))
    return image[:, :, None]


@pytest.fixture
def scale(qtbot) -> ScaleWidget:
    widget = ScaleWidget()
    qtbot.addWidget(widget)
    widget.set_image(reference_image())
    return widget


@pytest.fixture
def shown_scale(scale, qtbot) -> ScaleWidget:
    scale.resize(1000, 700)
    scale.show()
    qtbot.waitExposed(scale)
    scale.canvas.fit()
    QtWidgets.QApplication.processEvents()
    return scale


def test_a_line_of_known_length_gives_mm_per_pixel(scale, qtbot):
    assert scale.mode() == "none" and scale.mm_per_pixel() is None and scale.is_complete()
    scale.set_line((30, 20), (60, 60))  # 50 px
    assert scale.mode() == "measure" and scale.line_length_px() == pytest.approx(50.0)
    assert scale.mm_per_pixel() is None and not scale.is_complete()  # no known length yet
    with qtbot.waitSignal(scale.sig_scale_changed) as changed:
        scale.set_known_length(12.5)
    assert changed.args == [pytest.approx(0.25)] and scale.mm_per_pixel() == pytest.approx(12.5 / 50)
    assert scale.is_complete()
    assert "50.0 px" in scale.line_px.text() and "0.25 mm" in scale.result.text()
    assert scale.line() == (pytest.approx((30, 20)), pytest.approx((60, 60)))


def test_moving_the_line_reports_once_and_only_real_changes(scale, qtbot):
    scale.set_line((10, 10), (110, 10))
    scale.set_known_length(10.0)
    seen = []
    scale.sig_scale_changed.connect(seen.append)
    scale.set_line((10, 10), (60, 10))  # both ends move: one report, never the half-moved line
    assert seen == [pytest.approx(0.2)]
    scale.set_line((20, 20), (70, 20))  # same length: no report
    assert seen == [pytest.approx(0.2)]
    scale.roi.setPos(5, 5)  # the user dragged the whole line
    assert scale.line() == (pytest.approx((25, 25)), pytest.approx((75, 25)))
    scale.set_line((0, 0), (40, 0))
    assert scale.line() == (pytest.approx((0, 0)), pytest.approx((40, 0)))


def test_typing_the_value(scale, qtbot):
    with qtbot.waitSignal(scale.sig_scale_changed) as changed:
        scale.set_scale(0.042)
    assert changed.args == [pytest.approx(0.042)]
    assert scale.mode() == "typed" and scale.mm_per_pixel() == pytest.approx(0.042) and scale.is_complete()
    scale.set_scale(1 / 3)  # kept exact, though the spin box shows 0.333333
    assert scale.mm_per_pixel() == 1 / 3
    scale.typed_mm.setValue(0.0)
    assert scale.mm_per_pixel() is None and not scale.is_complete()
    with pytest.raises(ValueError):
        scale.set_scale(-1.0)


def test_typed_starts_from_the_measured_value(scale):
    scale.set_line((0, 0), (100, 0))
    scale.set_known_length(5.0)
    scale.typed_radio.setChecked(True)
    assert scale.mm_per_pixel() == pytest.approx(0.05)
    assert not scale.roi.isVisible() and not scale.canvas.drawing


def test_no_scale(scale, qtbot):
    scale.set_scale(0.1)
    with qtbot.waitSignal(scale.sig_scale_changed) as changed:
        scale.set_scale(None)
    assert changed.args == [None] and scale.mode() == "none"
    assert scale.mm_per_pixel() is None and scale.is_complete()
    assert "pixels" in scale.hint.text()


@pytest.mark.parametrize("end", [(13, 10), (10, 10)], ids=["3 px", "zero length"])
def test_a_too_short_line_gives_no_scale_and_says_why(scale, qtbot, end):
    scale.set_known_length(5.0)
    with qtbot.waitSignal(scale.sig_complete_changed) as complete:
        scale.set_line((10, 10), end)
    assert complete.args == [False]
    assert scale.mm_per_pixel() is None and not scale.is_complete()
    assert "too short" in scale.hint.text()
    scale.set_line((10, 10), (15.5, 10))  # just over the minimum
    assert scale.mm_per_pixel() == pytest.approx(5.0 / 5.5)


def test_mouse_drag_draws_the_line(shown_scale, qtbot):
    scale = shown_scale
    scale.measure_radio.setChecked(True)
    scale.set_known_length(20.0)
    viewport = scale.canvas.viewport()
    qtbot.mousePress(viewport, Qt.LeftButton, pos=scale.canvas.viewport_point(20, 30))
    for x in (40, 80, 100):
        qtbot.mouseMove(viewport, pos=scale.canvas.viewport_point(x, 30))
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=scale.canvas.viewport_point(120, 30))
    assert scale.line_length_px() == pytest.approx(100, abs=0.5)
    assert scale.mm_per_pixel() == pytest.approx(20.0 / scale.line_length_px())


def test_two_clicks_draw_the_line_and_escape_drops_a_half_drawn_one(shown_scale, qtbot):
    scale = shown_scale
    scale.measure_radio.setChecked(True)
    viewport = scale.canvas.viewport()
    qtbot.mouseClick(viewport, Qt.LeftButton, pos=scale.canvas.viewport_point(20, 50))
    assert "other end" in scale.hint.text()
    qtbot.mouseClick(viewport, Qt.LeftButton, pos=scale.canvas.viewport_point(50, 90))
    assert scale.line_length_px() == pytest.approx(50, abs=0.5)
    qtbot.mouseClick(viewport, Qt.LeftButton, pos=scale.canvas.viewport_point(100, 10))
    qtbot.keyClick(scale.canvas, Qt.Key_Escape)
    assert scale.line_length_px() == pytest.approx(50, abs=0.5)  # the earlier line is back


def test_dragging_a_handle_adjusts_the_line(shown_scale, qtbot):
    scale = shown_scale
    scale.set_line((20, 60), (100, 60))
    viewport = scale.canvas.viewport()
    qtbot.mousePress(viewport, Qt.LeftButton, pos=scale.canvas.viewport_point(100, 60))
    for x in (105, 110, 115, 120):
        qtbot.wait(25)  # pyqtgraph's scene drops moves that come faster than its mouse rate limit
        qtbot.mouseMove(viewport, pos=scale.canvas.viewport_point(x, 60))
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=scale.canvas.viewport_point(120, 60))
    start, end = scale.line()
    assert start == pytest.approx((20, 60), abs=0.5)  # the other end stayed: no new line was drawn
    assert end == pytest.approx((120, 60), abs=1.0)
    assert math.isclose(scale.line_length_px(), 100, abs_tol=1.0)


def test_dialog_tells_cancel_from_no_scale(qtbot, monkeypatch):
    def measure_and_accept(self):
        assert self.editor.mode() == "measure"  # opened on an image without a scale: measuring
        assert not self.buttons.button(QtWidgets.QDialogButtonBox.Ok).isEnabled()
        self.editor.set_line((0, 0), (80, 0))
        self.editor.set_known_length(4.0)
        assert self.buttons.button(QtWidgets.QDialogButtonBox.Ok).isEnabled()
        return QtWidgets.QDialog.Accepted

    monkeypatch.setattr(ScaleDialog, "exec", measure_and_accept)
    assert ScaleDialog.edit(None, reference_image()) == ScaleResult(pytest.approx(0.05))

    def choose_no_scale(self):
        assert self.editor.mode() == "typed" and self.editor.mm_per_pixel() == pytest.approx(0.1)
        self.editor.none_radio.setChecked(True)
        return QtWidgets.QDialog.Accepted

    monkeypatch.setattr(ScaleDialog, "exec", choose_no_scale)
    assert ScaleDialog.edit(None, reference_image(), 0.1) == ScaleResult(None)

    monkeypatch.setattr(ScaleDialog, "exec", lambda self: QtWidgets.QDialog.Rejected)
    assert ScaleDialog.edit(None, reference_image(), 0.1) is None


def test_dialog_without_an_image_types_only_and_accepts_from_a_timer(qtbot):
    def type_and_accept():
        dialog = QtWidgets.QApplication.activeModalWidget()
        assert isinstance(dialog, ScaleDialog) and not dialog.editor.measure_radio.isEnabled()
        dialog.editor.typed_radio.setChecked(True)
        dialog.editor.typed_mm.setValue(0.02)
        dialog.buttons.button(QtWidgets.QDialogButtonBox.Ok).click()

    QTimer.singleShot(200, type_and_accept)
    assert ScaleDialog.edit(None, None) == ScaleResult(pytest.approx(0.02))
