"""A profile's physical scale: millimetres per pixel, measured on the reference image or typed in.

Technicians work to specs in millimetres; with a scale the app reports defect sizes and applies acceptance
rules in mm, without one in pixels. Line ends are image coordinates (pixel (i, j) covers [i, i + 1) x [j, j + 1)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from radar_desktop.gui.editor_dialog import EditorDialog
from radar_desktop.gui.reference_view import HINT_STYLE, WARNING_STYLE, ReferenceViewWidget

MIN_LINE_PX = 5.0  # under this a 1-pixel slip at an end moves the scale by over 20%
SHORT_LINE_PX = 100.0  # under this the hint says how much a 1-pixel slip moves the scale
DRAG_PX = 4  # screen pixels: a press and release closer than this is a click (two-click drawing)
LINE_COLOUR = "#00e5ff"
MODES = ("measure", "typed", "none")


def _length(p0: tuple[float, float], p1: tuple[float, float]) -> float:
    return math.hypot(p1[0] - p0[0], p1[1] - p0[1])


class ScaleWidget(QWidget):
    """Measure a feature of known length on the reference image, type mm per pixel, or choose no scale."""

    sig_scale_changed = Signal(object)
    """Millimetres per pixel (float), or None: no usable scale."""
    sig_complete_changed = Signal(bool)
    """True when the choice can be accepted: a usable scale, or "No scale" chosen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._size: tuple[int, int] | None = None
        self._anchor: tuple[float, float] | None = None  # first end of a line being drawn
        self._press_at: QPointF | None = None
        self._before_drawing: tuple[tuple[float, float], tuple[float, float]] | None = None
        self._reported: tuple[float | None, bool] | None = None  # (scale, complete) as last signalled
        self._has_line = False
        self._placing = False
        self._typed_value = 0.0  # kept exact: the spin box rounds what it shows to its decimals

        self.canvas = ReferenceViewWidget()
        self.canvas.press_filter = self._press_draws
        self.roi = pg.LineSegmentROI(
            [(0, 0), (0, 0)], pen=pg.mkPen(LINE_COLOUR, width=2), hoverPen=pg.mkPen("#ffffff", width=2),
            handlePen=pg.mkPen(LINE_COLOUR, width=2), handleHoverPen=pg.mkPen("#ffffff", width=2),
        )
        self.roi.setZValue(3)
        self.roi.setVisible(False)
        self.canvas.view.addItem(self.roi)
        self.length_label = pg.TextItem(color="#ffffff", fill=pg.mkBrush(0, 0, 0, 170), anchor=(0.5, 1.3))
        self.length_label.setZValue(4)
        self.length_label.setVisible(False)
        self.canvas.view.addItem(self.length_label)

        self.measure_radio = QRadioButton("Measure on the image")
        self.typed_radio = QRadioButton("Type the value")
        self.none_radio = QRadioButton("No scale (sizes in pixels)")
        self.mode_group = QButtonGroup(self)
        for index, radio in enumerate((self.measure_radio, self.typed_radio, self.none_radio)):
            self.mode_group.addButton(radio, index)
        self.none_radio.setChecked(True)
        self.measure_radio.setEnabled(False)  # until there is an image to measure on
        self.known_mm = QDoubleSpinBox()
        self.known_mm.setRange(0.0, 100_000.0)
        self.known_mm.setDecimals(3)
        self.known_mm.setSuffix(" mm")
        self.known_mm.setSpecialValueText("not set")  # shown at 0, which is no length
        self.known_mm.setToolTip("The real length of the feature the line is drawn along")
        self.line_px = QLabel("no line")
        self.typed_mm = QDoubleSpinBox()
        self.typed_mm.setRange(0.0, 1000.0)
        self.typed_mm.setDecimals(6)
        self.typed_mm.setSingleStep(0.001)
        self.typed_mm.setSuffix(" mm/px")
        self.typed_mm.setSpecialValueText("not set")
        self.typed_mm.setToolTip("The size of one image pixel on the part, in millimetres")
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)

        measure_form = QFormLayout()
        measure_form.addRow("Known length", self.known_mm)
        measure_form.addRow("Line on the image", self.line_px)
        typed_form = QFormLayout()
        typed_form.addRow("One pixel is", self.typed_mm)
        choice = QGroupBox("Scale")
        choice_layout = QVBoxLayout(choice)
        choice_layout.addWidget(self.measure_radio)
        choice_layout.addLayout(self._indented(measure_form))
        choice_layout.addWidget(self.typed_radio)
        choice_layout.addLayout(self._indented(typed_form))
        choice_layout.addWidget(self.none_radio)
        panel = QVBoxLayout()
        panel.addWidget(choice)
        panel.addWidget(self.result)
        panel.addWidget(self.hint)
        panel.addStretch(1)
        panel_widget = QWidget()
        panel_widget.setLayout(panel)
        panel_widget.setFixedWidth(330)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(panel_widget)

        self.mode_group.idToggled.connect(self._on_mode_group_toggled)
        self.known_mm.valueChanged.connect(self._refresh)
        self.typed_mm.valueChanged.connect(self._on_typed_mm_value_changed)
        self.roi.sigRegionChanged.connect(self._refresh)
        self.canvas.sig_pressed.connect(self._on_canvas_pressed)
        self.canvas.sig_dragged.connect(self._on_canvas_dragged)
        self.canvas.sig_released.connect(self._on_canvas_released)
        self.canvas.sig_hovered.connect(self._on_canvas_hovered)
        self._on_mode_group_toggled(self.mode_group.checkedId(), True)

    @staticmethod
    def _indented(inner: QFormLayout) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addSpacing(22)  # under the radio button's text, so the fields read as its options
        row.addLayout(inner)
        return row

    # -- API -----------------------------------------------------------------------------------------------

    def set_image(self, image: np.ndarray) -> None:
        """Show the reference ``image`` ((H, W, 1 or 3) float 0..1) to measure on."""
        self.canvas.set_image(image)
        self._size = self.canvas.image_item.image.shape[:2]
        self.measure_radio.setEnabled(True)
        self._refresh()

    def set_scale(self, mm_per_pixel: float | None) -> None:
        """Show a stored scale as a typed value, or choose "No scale" for None."""
        if mm_per_pixel is None:
            self.none_radio.setChecked(True)
            return
        if not mm_per_pixel > 0:
            raise ValueError(f"mm per pixel must be above 0, got {mm_per_pixel}")
        self._set_typed(float(mm_per_pixel))
        self.typed_radio.setChecked(True)

    def set_line(self, p0: tuple[float, float], p1: tuple[float, float]) -> None:
        """Put the measuring line from ``p0`` to ``p1`` (image coordinates) and choose "Measure on the image"."""
        if self._size is None:
            raise RuntimeError("set_image() first: the line is drawn on the reference image")
        self._anchor = None
        self._place_line(p0, p1)
        self.measure_radio.setChecked(True)
        self._refresh()

    def set_known_length(self, mm: float) -> None:
        """The real length in mm of the feature under the line."""
        self.known_mm.setValue(mm)

    def mode(self) -> str:
        """The chosen way: "measure", "typed" or "none"."""
        return MODES[self.mode_group.checkedId()]

    def line(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The measuring line's ends in image coordinates, or None before one is drawn."""
        if not self._has_line:
            return None
        ends = [self.roi.mapToParent(point) for point in self.roi.listPoints()]
        return (ends[0].x(), ends[0].y()), (ends[1].x(), ends[1].y())

    def line_length_px(self) -> float | None:
        """The measuring line's length in image pixels, or None before one is drawn."""
        ends = self.line()
        return None if ends is None else _length(*ends)

    def mm_per_pixel(self) -> float | None:
        """Millimetres per image pixel as the choice stands, or None (no scale, or not usable yet)."""
        mode = self.mode()
        if mode == "typed":
            return self._typed_value if self._typed_value > 0 else None
        return self.measured_scale() if mode == "measure" else None

    def measured_scale(self) -> float | None:
        """What the line and the known length give, whichever way is chosen (None when unusable)."""
        length = self.line_length_px()
        if length is None or length < MIN_LINE_PX or self.known_mm.value() <= 0:
            return None
        return self.known_mm.value() / length

    def is_complete(self) -> bool:
        """True when the choice can be accepted: a usable scale, or "No scale"."""
        return self.mode() == "none" or self.mm_per_pixel() is not None

    # -- internals -----------------------------------------------------------------------------------------

    def _place_line(self, p0: tuple[float, float], p1: tuple[float, float]) -> None:
        start, end = self.roi.getHandles()
        # one refresh for both ends: moving one end at a time would report a scale nobody drew
        self._placing = True
        try:
            self.roi.setPos(0, 0, update=False)  # handles then sit at image coordinates
            self.roi.movePoint(start, QPointF(*p0), finish=False)
            self.roi.movePoint(end, QPointF(*p1))
        finally:
            self._placing = False
        self._has_line = True
        self.roi.setVisible(self.mode() == "measure")
        self._refresh()

    def _press_draws(self, scene_position: QPointF) -> bool:
        """A press on the line or its handles adjusts it; anywhere else draws a new one."""
        if not self.roi.isVisible():
            return True
        own = {self.roi, *self.roi.getHandles()}
        return not any(item in own for item in self.canvas.scene().items(scene_position))

    def _refresh(self, *_args) -> None:
        if self._placing:
            return
        mode = self.mode()
        length = self.line_length_px()
        scale = self.mm_per_pixel()
        self.line_px.setText("no line yet" if length is None else f"{length:.1f} px")
        if scale is not None:
            self.result.setText(f"<b>1 px = {scale:.5g} mm</b> &nbsp;({1 / scale:.4g} px per mm)")
        elif mode == "none":
            self.result.setText("<b>No scale:</b> sizes and rules in pixels")
        else:
            self.result.setText("<b>No scale yet</b>")
        warn, message = self._advice(mode, length, scale)
        self.hint.setText(message)
        self.hint.setStyleSheet(WARNING_STYLE if warn else HINT_STYLE)
        self._refresh_label(length)
        state = (scale, self.is_complete())
        if state != self._reported:
            previous = self._reported
            self._reported = state
            if previous is None or previous[0] != scale:
                self.sig_scale_changed.emit(scale)
            if previous is None or previous[1] != state[1]:
                self.sig_complete_changed.emit(state[1])

    def _advice(self, mode: str, length: float | None, scale: float | None) -> tuple[bool, str]:
        """(warn, hint) for the choice as it stands."""
        if mode == "none":
            return False, "Defect sizes and acceptance rules are in pixels. Measure or type a scale to use mm."
        if mode == "typed":
            if scale is None:
                return False, "Type the size of one image pixel on the part, in mm."
            return False, "Defect sizes and acceptance rules are in mm."
        if self._anchor is not None:
            if self._press_at is not None:
                return False, "Drag to the other end of the feature and release there, or release and click it."
            return False, "Click the other end of the feature (Esc cancels)."
        if length is None:
            return False, (
                "Drag along a feature of known length, or click its two ends; then type that length. "
                "Drag the line's ends to adjust it. Wheel zooms, middle-drag pans."
            )
        if length < MIN_LINE_PX:
            return True, (
                f"The line is {length:.1f} px long, too short to measure on (at least {MIN_LINE_PX:g} px): "
                "draw it along a longer feature, or zoom in and drag its ends apart."
            )
        if self.known_mm.value() <= 0:
            return False, "Type the real length of the feature under the line, in mm."
        if length < SHORT_LINE_PX:
            return False, (
                f"A 1 px slip at an end moves the scale by {100 / length:.1f}%; "
                "a longer feature measures more precisely."
            )
        return False, "Drag the line's ends to adjust it; zoom in (wheel) to place them precisely."

    def _refresh_label(self, length: float | None) -> None:
        ends = self.line()
        shown = ends is not None and self.mode() == "measure" and length is not None and length > 0
        self.length_label.setVisible(shown)
        if shown:
            (x0, y0), (x1, y1) = ends
            text = f"{length:.1f} px"
            if self.known_mm.value() > 0:
                text += f" = {self.known_mm.value():g} mm"
            self.length_label.setText(text)
            self.length_label.setPos((x0 + x1) / 2, min(y0, y1))

    def _on_mode_group_toggled(self, index: int, checked: bool) -> None:
        if not checked:
            return
        mode = MODES[index]
        if mode == "typed" and self._typed_value == 0:
            measured = self.measured_scale()
            if measured is not None:
                self._set_typed(measured)  # start from what was measured
        self.known_mm.setEnabled(mode == "measure")
        self.line_px.setEnabled(mode == "measure")
        self.typed_mm.setEnabled(mode == "typed")
        self.canvas.drawing = mode == "measure" and self._size is not None
        self.roi.setVisible(mode == "measure" and self._has_line)
        if mode != "measure":
            self._cancel_drawing()
        self._refresh()

    def _set_typed(self, value: float) -> None:
        self.typed_mm.setValue(value)
        self._typed_value = value
        self._refresh()

    def _on_typed_mm_value_changed(self, value: float) -> None:
        self._typed_value = value
        self._refresh()

    def _cancel_drawing(self) -> None:
        if self._anchor is None:
            return
        self._anchor = None
        self._press_at = None
        if self._before_drawing is not None:
            self._place_line(*self._before_drawing)
        else:
            self._has_line = False
            self.roi.setVisible(False)
        self._refresh()

    def _on_canvas_pressed(self, point: QPointF) -> None:
        here = (point.x(), point.y())
        if self._anchor is not None:  # the second click of a two-click line
            self._place_line(self._anchor, here)
            self._anchor = None
            self._refresh()
            return
        self._before_drawing = self.line()
        self._anchor = here
        self._press_at = QPointF(self.canvas.viewport_point(*here))
        self._place_line(here, here)
        self._refresh()

    def _on_canvas_dragged(self, point: QPointF) -> None:
        if self._anchor is not None:
            self._place_line(self._anchor, (point.x(), point.y()))

    def _on_canvas_released(self, point: QPointF) -> None:
        if self._anchor is None or self._press_at is None:
            return
        moved = (QPointF(self.canvas.viewport_point(point.x(), point.y())) - self._press_at).manhattanLength()
        self._press_at = None
        if moved >= DRAG_PX:
            self._place_line(self._anchor, (point.x(), point.y()))
            self._anchor = None
        self._refresh()  # a click: the line follows the mouse until the second click

    def _on_canvas_hovered(self, point: QPointF | None) -> None:
        if point is not None and self._anchor is not None and self._press_at is None:
            self._place_line(self._anchor, (point.x(), point.y()))

    def keyPressEvent(self, event) -> None:  # noqa: N802
        # Esc while drawing drops the new line; otherwise it belongs to a dialog's Cancel
        if self._anchor is not None and event.key() == Qt.Key_Escape:
            self._cancel_drawing()
            event.accept()
        else:
            super().keyPressEvent(event)


@dataclass(frozen=True)
class ScaleResult:
    """What the user accepted in :class:`ScaleDialog`: mm per pixel, or None for no scale (sizes in pixels)."""

    mm_per_pixel: float | None


class ScaleDialog(EditorDialog):
    """The scale editor with OK and Cancel. :meth:`edit` returns a :class:`ScaleResult`, or None if cancelled.

    OK is enabled once the choice is complete: a usable scale, or "No scale".
    """

    def __init__(
        self, image: np.ndarray | None, mm_per_pixel: float | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Scale", ScaleWidget(), parent)
        self.editor.sig_complete_changed.connect(self._on_editor_complete_changed)
        if image is not None:
            self.editor.set_image(image)
        if mm_per_pixel is not None:
            self.editor.set_scale(mm_per_pixel)
        elif image is not None:
            self.editor.measure_radio.setChecked(True)  # opened to set a scale: start measuring
        self._on_editor_complete_changed(self.editor.is_complete())
        self.resize(1100, 720)

    def result_scale(self) -> ScaleResult:
        """The scale as the dialog stands."""
        return ScaleResult(self.editor.mm_per_pixel())

    @classmethod
    def edit(
        cls, parent: QWidget | None, image: np.ndarray | None, mm_per_pixel: float | None = None
    ) -> ScaleResult | None:
        """Let the user set the scale, measuring on ``image`` (None: typing only), starting from ``mm_per_pixel``.

        Returns None when cancelled, else a :class:`ScaleResult` whose ``mm_per_pixel`` is None for no scale.
        """
        dialog = cls(image, mm_per_pixel, parent)
        return dialog.run(dialog.result_scale)

    def _on_editor_complete_changed(self, complete: bool) -> None:
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(complete)
