"""The inspection-mask editor driven offscreen: polygons, brushes, undo, the mouse, and its dialog."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui
QtWidgets = pytest.importorskip("PySide6.QtWidgets", reason="the no-Qt layer check blocks PySide6")

import cv2  # noqa: E402
from PySide6.QtCore import QPoint, Qt, QTimer  # noqa: E402

from radar_desktop.gui.mask_editor import MaskEditorDialog, MaskEditorWidget, MaskResult  # noqa: E402

H, W = 120, 160


def reference_image(channels: int = 1) -> np.ndarray:
    """A grey gradient with a darker square, as read_image returns it: (H, W, C) float32 in 0..1."""
    image = np.tile(np.linspace(0.2, 0.8, W, dtype=np.float32), (H, 1))
    image[40:80, 60:100] *= 0.5
    return np.repeat(image[:, :, None], channels, axis=2)


@pytest.fixture
def editor(qtbot) -> MaskEditorWidget:
    widget = MaskEditorWidget()
    qtbot.addWidget(widget)
    widget.set_image(reference_image())
    return widget


@pytest.fixture
def shown_editor(editor, qtbot) -> MaskEditorWidget:
    editor.resize(900, 700)
    editor.show()
    qtbot.waitExposed(editor)
    editor.canvas.fit()
    QtWidgets.QApplication.processEvents()
    return editor


def draw_polygon(editor: MaskEditorWidget, points) -> None:
    for x, y in points:
        editor.add_polygon_point(x, y)
    assert editor.close_polygon()


def at(editor: MaskEditorWidget, x: float, y: float) -> QPoint:
    """The viewport position showing image point (x, y)."""
    return editor.canvas.viewport_point(x, y)


def test_exclude_polygon_matches_fill_poly_of_the_same_points(editor, qtbot):
    points = [(20, 30), (100, 25), (140, 90), (40, 105)]
    with qtbot.waitSignal(editor.sig_mask_changed) as changed:
        draw_polygon(editor, points)
    expected = np.ones((H, W), np.uint8)
    cv2.fillPoly(expected, [np.array(points, np.int32)], 0)
    mask = editor.mask()
    assert mask.shape == (H, W) and mask.dtype == np.uint8 and set(np.unique(mask)) == {0, 1}
    differing = np.count_nonzero(mask != expected)
    perimeter = cv2.arcLength(np.array(points, np.float32), closed=True)
    assert differing <= perimeter  # at most about one pixel along the edge
    assert changed.args[0] == pytest.approx(mask.mean())
    assert editor.polygon_points() == []
    assert f"{100 * mask.mean():.1f}% of the image is inspected" in editor.readout.text()


def test_brush_strokes_exclude_and_include_restores(editor):
    editor.brush_size.setValue(10)
    editor.paint_stroke([(20, 20), (80, 20), (80, 60)], include=False)
    mask = editor.mask()
    assert not mask[20, 20:80].any() and not mask[20:60, 80].any()
    assert mask[40, 40] == 1 and mask[100, 140] == 1
    # a 10 px wide path about 100 px long, with round ends
    assert 900 < np.count_nonzero(mask == 0) < 1300
    # centred on y = 20, the border between rows 19 and 20: rows 15..24 are painted
    assert not mask[15:25, 50].any() and mask[13, 50] == 1 and mask[26, 50] == 1

    editor.brush_size.setValue(16)  # wider than the exclusion: paints it all back
    editor.paint_stroke([(20, 20), (80, 20), (80, 60)], include=True)
    assert editor.mask() is None and editor.fraction_inspected() == 1.0


def test_include_brush_reopens_part_of_an_excluded_polygon(editor):
    draw_polygon(editor, [(10, 10), (150, 10), (150, 110), (10, 110)])
    editor.brush_size.setValue(6)
    editor.paint_stroke([(40, 60), (120, 60)], include=True)
    mask = editor.mask()
    assert mask[60, 40:120].all() and not mask[30, 40:120].any()


def test_inspect_only_inside_polygon_excludes_everything_outside(editor):
    editor.paint_stroke([(80, 60)], include=False)  # an exclusion inside stays excluded
    editor.set_tool("inside_polygon")
    draw_polygon(editor, [(40, 30), (120, 30), (120, 90), (40, 90)])
    mask = editor.mask()
    assert not mask[:30].any() and not mask[91:].any() and not mask[:, :40].any() and not mask[:, 121:].any()
    assert mask[35:85, 45:70].all() and mask[60, 80] == 0
    assert editor.fraction_inspected() == pytest.approx(80 * 60 / (H * W), rel=0.05)


def test_undo_restores_each_step_and_clear_is_undoable(editor):
    states = [editor.mask()]
    draw_polygon(editor, [(10, 10), (60, 10), (35, 50)])
    states.append(editor.mask())
    editor.paint_stroke([(100, 80), (140, 80)], include=False)
    states.append(editor.mask())
    editor.set_tool("inside_polygon")
    draw_polygon(editor, [(5, 5), (155, 5), (155, 115), (5, 115)])
    states.append(editor.mask())
    editor.clear()
    assert editor.mask() is None
    for expected in reversed(states):
        assert editor.undo()
        if expected is None:
            assert editor.mask() is None
        else:
            np.testing.assert_array_equal(editor.mask(), expected)
    assert editor.mask() is None and not editor.undo()  # the first undo restored the cleared mask
    assert not editor.undo_button.isEnabled()


def test_undo_with_an_open_polygon_takes_back_its_last_corner(editor):
    for x, y in [(10, 10), (60, 10), (60, 60)]:
        editor.add_polygon_point(x, y)
    assert editor.undo() and editor.polygon_points() == [(10.0, 10.0), (60.0, 10.0)]
    assert not editor.close_polygon()  # two corners are no polygon
    assert "at least 3 corners" in editor.hint.text()
    editor.cancel_polygon()
    assert editor.polygon_points() == [] and editor.mask() is None


def test_clear_and_mask_none_when_everything_is_inspected(editor, qtbot):
    assert editor.mask() is None
    editor.clear()  # nothing to clear: no undo step
    assert not editor.can_undo()
    editor.paint_stroke([(50, 50)], include=False)
    with qtbot.waitSignal(editor.sig_mask_changed) as changed:
        editor.clear()
    assert changed.args == [1.0] and editor.mask() is None
    assert "100% of the image is inspected" in editor.readout.text()


def test_set_mask_round_trip_resizes_and_starts_a_fresh_history(editor):
    mask = np.ones((H, W), np.uint8)
    mask[:, :20] = 0
    mask[100:, :] = 0
    editor.paint_stroke([(80, 60)], include=False)
    editor.set_mask(mask)
    np.testing.assert_array_equal(editor.mask(), mask)
    assert not editor.can_undo()
    editor.set_mask(mask[::2, ::2] * 255)  # half size, nonzero as inspected: resized to the image
    np.testing.assert_array_equal(editor.mask(), mask)
    editor.set_mask(None)
    assert editor.mask() is None
    editor.set_image(reference_image(channels=3))  # same size: the mask stays
    editor.set_mask(mask)
    editor.set_image(reference_image()[:100])  # another size: starts over
    assert editor.mask() is None


def test_set_mask_before_an_image_is_refused(qtbot):
    widget = MaskEditorWidget()
    qtbot.addWidget(widget)
    assert widget.mask() is None
    with pytest.raises(RuntimeError, match="set_image"):
        widget.set_mask(np.ones((4, 4), np.uint8))


def test_enter_closes_and_escape_drops_the_open_polygon(editor, qtbot):
    for x, y in [(10, 10), (60, 10), (60, 60)]:
        editor.add_polygon_point(x, y)
    qtbot.keyClick(editor.canvas, Qt.Key_Escape)
    assert editor.polygon_points() == [] and editor.mask() is None
    for x, y in [(10, 10), (60, 10), (60, 60)]:
        editor.add_polygon_point(x, y)
    qtbot.keyClick(editor.canvas, Qt.Key_Return)
    assert editor.polygon_points() == [] and editor.mask()[20, 50] == 0


def test_mouse_clicks_draw_a_polygon_closed_on_its_first_corner(shown_editor, qtbot):
    editor = shown_editor
    viewport = editor.canvas.viewport()
    corners = [(30, 20), (130, 20), (130, 100), (30, 100)]
    for x, y in corners:
        qtbot.mouseClick(viewport, Qt.LeftButton, pos=at(editor, x, y))
    assert len(editor.polygon_points()) == 4
    for (x, y), (px, py) in zip(corners, editor.polygon_points()):
        assert abs(px - x) < 1 and abs(py - y) < 1
    with qtbot.waitSignal(editor.sig_mask_changed):
        qtbot.mouseClick(viewport, Qt.LeftButton, pos=at(editor, 31, 21))  # near the first corner: closes
    mask = editor.mask()
    assert not mask[25:95, 35:125].any() and mask[10, 10] == 1 and mask[110, 150] == 1


def test_mouse_double_click_closes_the_polygon(shown_editor, qtbot):
    editor = shown_editor
    viewport = editor.canvas.viewport()
    for x, y in [(30, 20), (130, 20)]:
        qtbot.mouseClick(viewport, Qt.LeftButton, pos=at(editor, x, y))
    # a real double-click: press, release, double-click, release
    qtbot.mouseClick(viewport, Qt.LeftButton, pos=at(editor, 80, 100))
    qtbot.mouseDClick(viewport, Qt.LeftButton, pos=at(editor, 80, 100))
    assert editor.polygon_points() == []
    assert editor.mask()[40, 80] == 0 and editor.mask()[110, 10] == 1


def test_mouse_drag_paints_one_undoable_stroke(shown_editor, qtbot):
    editor = shown_editor
    editor.set_tool("exclude_brush")
    editor.brush_size.setValue(8)
    viewport = editor.canvas.viewport()
    view_range = editor.canvas.view.viewRange()
    qtbot.mousePress(viewport, Qt.LeftButton, pos=at(editor, 20, 60))
    for x in (40, 60, 80, 100):
        qtbot.mouseMove(viewport, pos=at(editor, x, 60))
    with qtbot.waitSignal(editor.sig_mask_changed):
        qtbot.mouseRelease(viewport, Qt.LeftButton, pos=at(editor, 120, 60))
    mask = editor.mask()
    assert not mask[58:63, 22:118].any() and mask[40, 60] == 1 and mask[80, 60] == 1
    assert editor.canvas.view.viewRange() == view_range  # drawing, not panning
    editor.set_tool("include_brush")
    qtbot.mousePress(viewport, Qt.LeftButton, pos=at(editor, 60, 60))
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=at(editor, 60, 60))
    assert editor.mask()[60, 60] == 1
    qtbot.keyClick(editor.canvas, Qt.Key_Z, Qt.ControlModifier)  # Ctrl+Z: the include dab
    assert editor.mask()[60, 60] == 0
    assert editor.undo() and editor.mask() is None  # the whole drag was one step


def test_dialog_tells_cancel_from_ok_without_a_mask(qtbot, monkeypatch):
    def accept_after_drawing(self):
        self.editor.paint_stroke([(50, 50), (90, 50)], include=False)
        return QtWidgets.QDialog.Accepted

    monkeypatch.setattr(MaskEditorDialog, "exec", accept_after_drawing)
    result = MaskEditorDialog.edit(None, reference_image())
    assert isinstance(result, MaskResult) and result.mask[50, 70] == 0 and result.mask[100, 10] == 1
    assert not result.mask.flags.writeable

    monkeypatch.setattr(MaskEditorDialog, "exec", lambda self: QtWidgets.QDialog.Accepted)
    everything = MaskEditorDialog.edit(None, reference_image())
    assert isinstance(everything, MaskResult) and everything.mask is None  # OK: inspect the whole image

    start = np.zeros((H, W), np.uint8)
    start[10:20, 10:20] = 1
    monkeypatch.setattr(MaskEditorDialog, "exec", lambda self: QtWidgets.QDialog.Rejected)
    assert MaskEditorDialog.edit(None, reference_image(), start) is None


def test_dialog_starts_from_the_given_mask_and_accepts_from_a_timer(qtbot):
    start = np.ones((H, W), np.uint8)
    start[:, :30] = 0

    def accept_when_shown():
        dialog = QtWidgets.QApplication.activeModalWidget()
        assert isinstance(dialog, MaskEditorDialog)
        dialog.buttons.button(QtWidgets.QDialogButtonBox.Ok).click()

    QTimer.singleShot(200, accept_when_shown)
    result = MaskEditorDialog.edit(None, reference_image(), start)
    np.testing.assert_array_equal(result.mask, start)


def test_dialog_ok_is_disabled_while_nothing_is_inspected(qtbot):
    dialog = MaskEditorDialog(reference_image(), np.zeros((H, W), np.uint8))
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QtWidgets.QDialogButtonBox.Ok)
    assert not ok.isEnabled() and "0% of the image is inspected" in dialog.editor.readout.text()
    dialog.editor.paint_stroke([(80, 60)], include=True)
    assert ok.isEnabled()
