"""Drawing a profile's inspection mask: which parts of the reference image are inspected.

Technicians leave out fixtures, edges and labels with polygons and brushes. The mask is (H, W) uint8,
1 where the image is inspected, as the profile stores it (``radar_desktop.core.inspection_area`` applies it).
Drawing operations are plain methods in image pixel coordinates (pixel (i, j) covers [i, i + 1) x [j, j + 1)),
which the mouse handlers call, so code and tests can drive the editor without mouse events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialogButtonBox,
    QGraphicsEllipseItem,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from radar_desktop.core.inspection_area import fitted_mask, inspected_fraction
from radar_desktop.gui.editor_dialog import EditorDialog
from radar_desktop.gui.reference_view import HINT_STYLE, WARNING_STYLE, ReferenceViewWidget, shown_image

EXCLUDED_RGB = (229, 57, 53)
# alpha between and on the hatch stripes: light enough that the part stays readable under the tint
HATCH_ALPHA = (70, 150)
EDGE_ALPHA = 235  # a solid rim, so a thin exclusion still shows where it starts
POLYGON_COLOUR = "#ffd54f"
UNDO_LEVELS = 100
CLOSE_DISTANCE_PX = 10  # screen pixels: a click this close to the first corner closes the polygon
SUBPIXEL_BITS = 4  # cv2 draws at 1/16 pixel, so shapes follow the clicked points rather than their rounding
# the active tool must stand out at a glance; Fusion's own checked look is a faint shade
TOOL_STYLE = (
    "QToolButton:checked { background: #1565c0; color: white; border: 1px solid #0d47a1;"
    " border-radius: 3px; padding: 3px 6px; }"
)

# tool name: (button text, tooltip, hint shown while it is active)
TOOLS: dict[str, tuple[str, str, str]] = {
    "exclude_polygon": (
        "Exclude polygon",
        "Leave out the area inside a polygon",
        "Click the corners of an area to leave out; double-click, Enter or the first corner closes it, "
        "Esc drops it.",
    ),
    "inside_polygon": (
        "Inspect only inside polygon",
        "Leave out everything outside a polygon",
        "Click around the part to inspect: everything outside is left out. Double-click, Enter or the "
        "first corner closes it, Esc drops it.",
    ),
    "exclude_brush": (
        "Exclude brush",
        "Paint areas that are never inspected",
        "Drag to paint areas that are never inspected.",
    ),
    "include_brush": (
        "Include brush",
        "Paint areas back into the inspection",
        "Drag over hatched areas to inspect them again.",
    ),
}
POLYGON_TOOLS = ("exclude_polygon", "inside_polygon")
NAVIGATION_HINT = "Wheel zooms, middle-drag pans, Ctrl+Z undoes."


def _fixed(point: tuple[float, float]) -> tuple[int, int]:
    """An image point as cv2's fixed-point coordinates (cv2 puts pixel centres on integers)."""
    scale = 1 << SUBPIXEL_BITS
    return round((point[0] - 0.5) * scale), round((point[1] - 0.5) * scale)


def polygon_area(shape: tuple[int, int], points: Sequence[tuple[float, float]]) -> np.ndarray:
    """Bool (H, W) array, True inside the polygon through ``points`` (image coordinates)."""
    area = np.zeros(shape, np.uint8)
    corners = np.array([_fixed(p) for p in points], np.int32)
    cv2.fillPoly(area, [corners], 1, lineType=cv2.LINE_8, shift=SUBPIXEL_BITS)
    return area.astype(bool)


class MaskEditorWidget(QWidget):
    """A reference image with its inspection mask: never-inspected areas are hatched red.

    Call :meth:`set_image` first, then :meth:`set_mask` to start from a stored mask.
    """

    sig_mask_changed = Signal(float)
    """Fraction of the image now inspected, 0..1 (after each finished edit, undo, clear, set_image or set_mask)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._mask: np.ndarray | None = None  # (H, W) uint8, 1: inspected; None until an image is set
        self._undo: list[np.ndarray] = []  # earlier masks, bit-packed (a 5 MP mask packs to 0.6 MB)
        self._points: list[tuple[float, float]] = []  # corners of the polygon being drawn
        self._stroke_last: tuple[float, float] | None = None  # last point of the brush stroke being painted
        self._stroke_include = False
        self._tool = "exclude_polygon"
        self._rgba = np.zeros((0, 0, 4), np.uint8)
        self._hatch = np.zeros((0, 0), np.uint8)
        self._edge = 1

        self.canvas = ReferenceViewWidget()
        self.overlay_item = pg.ImageItem(axisOrder="row-major")
        self.overlay_item.setZValue(1)
        self.polygon_item = pg.PlotDataItem(
            pen=pg.mkPen(POLYGON_COLOUR, width=2), symbol="o", symbolSize=7,
            symbolPen=pg.mkPen("#3e2723"), symbolBrush=POLYGON_COLOUR,
        )
        self.rubber_item = pg.PlotDataItem(pen=pg.mkPen(POLYGON_COLOUR, width=1.5, style=Qt.DashLine))
        self.first_item = pg.ScatterPlotItem(size=16, pen=pg.mkPen(POLYGON_COLOUR, width=2), brush=None)
        self.cursor_items = [QGraphicsEllipseItem(), QGraphicsEllipseItem()]
        for item, pen in zip(self.cursor_items, (pg.mkPen("k", width=3), pg.mkPen("w", width=1.2))):
            item.setPen(pen)
            item.setVisible(False)
        for z, item in enumerate((self.polygon_item, self.rubber_item, self.first_item, *self.cursor_items), start=2):
            item.setZValue(z)
        for item in (self.overlay_item, self.polygon_item, self.rubber_item, self.first_item, *self.cursor_items):
            self.canvas.view.addItem(item)

        self.tool_group = QButtonGroup(self)
        self.tool_buttons: dict[str, QToolButton] = {}
        for name, (text, tooltip, _hint) in TOOLS.items():
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tooltip)
            button.setCheckable(True)
            button.setStyleSheet(TOOL_STYLE)
            self.tool_group.addButton(button)
            self.tool_buttons[name] = button
        self.tool_buttons[self._tool].setChecked(True)
        self.brush_size = QSpinBox()
        self.brush_size.setRange(1, 500)
        self.brush_size.setValue(15)
        self.brush_size.setSuffix(" px")
        self.brush_size.setToolTip("Brush diameter in image pixels")
        self.undo_button = QToolButton()
        self.undo_button.setText("Undo")
        self.undo_button.setToolTip("Undo the last polygon, stroke or clear (Ctrl+Z)")
        self.clear_button = QToolButton()
        self.clear_button.setText("Clear")
        self.clear_button.setToolTip("Inspect the whole image again (undoable)")
        self.fit_button = QToolButton()
        self.fit_button.setText("Fit")
        self.fit_button.setToolTip("Zoom to the whole image")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.readout = QLabel()
        legend = QLabel(
            f"<span style='color: rgb{EXCLUDED_RGB}; font-size: large'>&#9636;</span> red hatching: never inspected"
        )

        tools = QHBoxLayout()
        tools.setSpacing(4)
        for name in TOOLS:
            tools.addWidget(self.tool_buttons[name])
        tools.addSpacing(12)
        tools.addWidget(QLabel("Brush"))
        tools.addWidget(self.brush_size)
        tools.addStretch(1)
        for button in (self.undo_button, self.clear_button, self.fit_button):
            tools.addWidget(button)
        status = QHBoxLayout()
        status.addWidget(self.readout)
        status.addStretch(1)
        status.addWidget(legend)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(tools)
        layout.addWidget(self.hint)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(status)

        self.tool_group.buttonToggled.connect(self._on_tool_group_toggled)
        self.brush_size.valueChanged.connect(self._on_brush_size_changed)
        self.undo_button.clicked.connect(self.undo)
        self.clear_button.clicked.connect(self.clear)
        self.fit_button.clicked.connect(self.canvas.fit)
        self.canvas.sig_pressed.connect(self._on_canvas_pressed)
        self.canvas.sig_dragged.connect(self._on_canvas_dragged)
        self.canvas.sig_released.connect(self._on_canvas_released)
        self.canvas.sig_double_clicked.connect(self._on_canvas_double_clicked)
        self.canvas.sig_hovered.connect(self._on_canvas_hovered)
        undo_shortcut = QShortcut(QKeySequence.StandardKey.Undo, self)
        undo_shortcut.setContext(Qt.WidgetWithChildrenShortcut)
        undo_shortcut.activated.connect(self.undo)
        self._show_hint()
        self._update_status()

    # -- state -------------------------------------------------------------------------------------------

    def set_image(self, image: np.ndarray) -> None:
        """Show the reference ``image`` ((H, W, 1 or 3) float 0..1). A mask of another size starts over."""
        shown = shown_image(image)
        height, width = shown.shape[:2]
        new_size = self._mask is None or self._mask.shape != (height, width)
        self.canvas.set_image(image)
        self._prepare_overlay(height, width)
        if new_size:
            self._mask = np.ones((height, width), np.uint8)
            self._undo.clear()
            self.brush_size.setMaximum(max(height, width))
            self.brush_size.setValue(int(np.clip(round(max(height, width) / 25), 3, 200)))
        self._points.clear()
        self._refresh_overlay()
        self._refresh_polygon()
        self._finish_edit()

    def set_mask(self, mask: np.ndarray | None) -> None:
        """Start from ``mask`` (nonzero: inspected; another size is resized to the image) or, with None,
        from the whole image inspected. Clears the undo history."""
        self._require_image()
        if mask is None:
            self._mask = np.ones_like(self._mask)
        else:
            mask = np.asarray(mask)
            if mask.ndim == 3 and mask.shape[2] == 1:
                mask = mask[:, :, 0]
            if mask.ndim != 2:
                raise ValueError(f"expected an (H, W) mask, got shape {mask.shape}")
            self._mask = fitted_mask(mask, self._mask.shape).astype(np.uint8)
        self._undo.clear()
        self._points.clear()
        self._refresh_overlay()
        self._refresh_polygon()
        self._finish_edit()

    def mask(self) -> np.ndarray | None:
        """(H, W) uint8 copy of the mask, 1 where inspected; None when the whole image is inspected."""
        if self._mask is None or self._mask.all():
            return None
        return self._mask.copy()

    def fraction_inspected(self) -> float:
        """Share of the image that is inspected, 0..1 (1.0 before an image is set)."""
        return inspected_fraction(self._mask)

    def tool(self) -> str:
        """The active tool: one of ``TOOLS``' names."""
        return self._tool

    def set_tool(self, name: str) -> None:
        """Make ``name`` (one of ``TOOLS``) the active tool; leaving the polygon tools drops an open polygon."""
        if name not in TOOLS:
            raise ValueError(f"unknown tool {name!r}; expected one of {', '.join(TOOLS)}")
        self.tool_buttons[name].setChecked(True)  # the button group's slot does the rest

    def polygon_points(self) -> list[tuple[float, float]]:
        """Corners of the polygon being drawn (empty when none is open)."""
        return list(self._points)

    def can_undo(self) -> bool:
        """True when :meth:`undo` has something to take back."""
        return bool(self._undo or self._points)

    # -- drawing operations (image coordinates) -------------------------------------------------------------

    def add_polygon_point(self, x: float, y: float) -> None:
        """Add a corner to the open polygon (with a brush active, switches to "Exclude polygon").

        Points are clamped to the image, so a click just past an edge reaches the edge."""
        height, width = self._require_image()
        if self._tool not in POLYGON_TOOLS:
            self.set_tool("exclude_polygon")
        self._points.append((float(np.clip(x, 0, width)), float(np.clip(y, 0, height))))
        self._show_hint()
        self._refresh_polygon()
        self._update_status()

    def close_polygon(self) -> bool:
        """Apply the open polygon as the active polygon tool says; False (and a hint) under 3 corners."""
        if len(self._points) < 3:
            if self._points:
                self._show_hint("A polygon needs at least 3 corners: click more, or press Esc to drop it.", warn=True)
            return False
        inside = polygon_area(self._mask.shape, self._points)
        self._push_undo()
        if self._tool == "inside_polygon":
            self._mask[~inside] = 0
        else:
            self._mask[inside] = 0
        self._points.clear()
        self._refresh_overlay()
        self._refresh_polygon()
        self._show_hint()
        self._finish_edit()
        return True

    def cancel_polygon(self) -> None:
        """Drop the open polygon."""
        self._points.clear()
        self._refresh_polygon()
        self._show_hint()
        self._update_status()

    def paint_stroke(self, points: Sequence[tuple[float, float]], include: bool) -> None:
        """Paint one brush stroke through ``points`` at the current brush size: ``include`` paints
        inspected, else never-inspected. One undo step."""
        if not len(points):
            return
        self._begin_stroke(points[0], include)
        for point in points[1:]:
            self._extend_stroke(point)
        self._end_stroke()

    def undo(self) -> bool:
        """Take back the open polygon's last corner, else the last finished edit; False if there is none."""
        if self._stroke_last is not None:  # mid-stroke: its snapshot is not on the stack as a step yet
            return False
        if self._points:
            self._points.pop()
            self._refresh_polygon()
            self._show_hint()
            self._update_status()
            return True
        if not self._undo:
            return False
        packed = self._undo.pop()
        self._mask = np.unpackbits(packed, count=self._mask.size).reshape(self._mask.shape)
        self._refresh_overlay()
        self._finish_edit()
        return True

    def clear(self) -> None:
        """Inspect the whole image again (one undo step)."""
        self.cancel_polygon()
        if self._mask is None or self._mask.all():
            return
        self._push_undo()
        self._mask[:] = 1
        self._refresh_overlay()
        self._finish_edit()

    # -- internals -----------------------------------------------------------------------------------------

    def _require_image(self) -> tuple[int, int]:
        if self._mask is None:
            raise RuntimeError("set_image() first: the mask is drawn on a reference image")
        return self._mask.shape

    def _push_undo(self) -> None:
        self._undo.append(np.packbits(self._mask))
        del self._undo[:-UNDO_LEVELS]

    def _finish_edit(self) -> None:
        self._update_status()
        self.sig_mask_changed.emit(self.fraction_inspected())

    def _begin_stroke(self, point: tuple[float, float], include: bool) -> None:
        self._require_image()
        self._push_undo()
        self._stroke_include = include
        self._stroke_last = (float(point[0]), float(point[1]))
        radius = self.brush_size.value() / 2
        cv2.circle(
            self._mask, _fixed(self._stroke_last), round(radius * (1 << SUBPIXEL_BITS)), int(include),
            thickness=-1, lineType=cv2.LINE_8, shift=SUBPIXEL_BITS,
        )
        self._refresh_overlay(self._segment_box(self._stroke_last, self._stroke_last))

    def _extend_stroke(self, point: tuple[float, float]) -> None:
        point = (float(point[0]), float(point[1]))
        cv2.line(
            self._mask, _fixed(self._stroke_last), _fixed(point), int(self._stroke_include),
            thickness=self.brush_size.value(), lineType=cv2.LINE_8, shift=SUBPIXEL_BITS,
        )
        self._refresh_overlay(self._segment_box(self._stroke_last, point))
        self._stroke_last = point

    def _end_stroke(self) -> None:
        self._stroke_last = None
        self._finish_edit()

    def _segment_box(self, p0: tuple[float, float], p1: tuple[float, float]) -> tuple[int, int, int, int]:
        """The overlay area (x0, y0, x1, y1, clipped to the image) a brush segment from p0 to p1 can touch."""
        height, width = self._mask.shape
        reach = self.brush_size.value() / 2 + 2
        x0 = int(np.clip(np.floor(min(p0[0], p1[0]) - reach), 0, width))
        y0 = int(np.clip(np.floor(min(p0[1], p1[1]) - reach), 0, height))
        x1 = int(np.clip(np.ceil(max(p0[0], p1[0]) + reach), 0, width))
        y1 = int(np.clip(np.ceil(max(p0[1], p1[1]) + reach), 0, height))
        return x0, y0, x1, y1

    def _prepare_overlay(self, height: int, width: int) -> None:
        # hatch and rim scale with the image, so they read the same on a small tile and a 5 MP frame
        period = max(8, round(max(height, width) / 60))
        stripes = (np.add.outer(np.arange(height), np.arange(width)) % period) < period * 0.4
        self._hatch = np.where(stripes, HATCH_ALPHA[1], HATCH_ALPHA[0]).astype(np.uint8)
        self._edge = max(1, round(max(height, width) / 400))
        self._rgba = np.zeros((height, width, 4), np.uint8)
        self._rgba[..., :3] = EXCLUDED_RGB

    def _refresh_overlay(self, box: tuple[int, int, int, int] | None = None) -> None:
        """Recolour the overlay inside ``box`` (x0, y0, x1, y1; the whole image by default)."""
        height, width = self._mask.shape
        x0, y0, x1, y1 = box or (0, 0, width, height)
        if x1 <= x0 or y1 <= y0:
            return
        # the rim needs each pixel's neighbours: work on a window one rim wider, write back the box
        e = self._edge
        wx0, wy0, wx1, wy1 = max(0, x0 - e), max(0, y0 - e), min(width, x1 + e), min(height, y1 + e)
        window = self._mask[wy0:wy1, wx0:wx1]
        excluded = window == 0
        near_inspected = cv2.dilate(window, np.ones((2 * e + 1, 2 * e + 1), np.uint8)) > 0
        alpha = np.where(excluded, self._hatch[wy0:wy1, wx0:wx1], 0).astype(np.uint8)
        alpha[excluded & near_inspected] = EDGE_ALPHA
        self._rgba[y0:y1, x0:x1, 3] = alpha[y0 - wy0 : y1 - wy0, x0 - wx0 : x1 - wx0]
        self.overlay_item.setImage(self._rgba, autoLevels=False)

    def _refresh_polygon(self, hover: QPointF | None = None) -> None:
        points = np.array(self._points, float).reshape(-1, 2)
        self.polygon_item.setData(points[:, 0], points[:, 1])
        if len(points) >= 3:
            self.first_item.setData([points[0, 0]], [points[0, 1]])
        else:
            self.first_item.setData([], [])
        if hover is not None and len(points):
            # the edge to the mouse and, from three corners on, the edge that closing would add
            rubber = [points[-1], (hover.x(), hover.y())] + ([points[0]] if len(points) >= 2 else [])
            rubber = np.array(rubber, float)
            self.rubber_item.setData(rubber[:, 0], rubber[:, 1])
        else:
            self.rubber_item.setData([], [])

    def _near_first_point(self, point: QPointF) -> bool:
        first = self.canvas.viewport_point(*self._points[0])
        here = self.canvas.viewport_point(point.x(), point.y())
        return (first - here).manhattanLength() <= CLOSE_DISTANCE_PX

    def _show_hint(self, message: str | None = None, warn: bool = False) -> None:
        if message is None:
            message = TOOLS[self._tool][2]
            if self._tool in POLYGON_TOOLS and self._points:
                message = f"{len(self._points)} corner{'s' if len(self._points) != 1 else ''}. {message}"
            message = f"{message} {NAVIGATION_HINT}"
        self.hint.setText(message)
        self.hint.setStyleSheet(WARNING_STYLE if warn else HINT_STYLE)

    def _update_status(self) -> None:
        fraction = self.fraction_inspected()
        if fraction >= 1.0:
            text = "100% of the image is inspected"
        elif fraction <= 0.0:
            text = "0% of the image is inspected: nothing would be checked"
        else:
            # one decimal, and never rounded up to 100% or down to 0% while some pixels differ
            text = f"{min(max(fraction * 100, 0.1), 99.9):.1f}% of the image is inspected"
        self.readout.setText(f"<b>{text}</b>")
        self.readout.setStyleSheet("QLabel { color: #bf360c; }" if fraction <= 0.0 else "")
        self.undo_button.setEnabled(self.can_undo())
        self.clear_button.setEnabled(self._mask is not None and not self._mask.all())

    def _update_cursor(self, point: QPointF | None) -> None:
        visible = point is not None and self._tool not in POLYGON_TOOLS and self._mask is not None
        for item in self.cursor_items:
            item.setVisible(visible)
            if visible:
                radius = self.brush_size.value() / 2
                item.setRect(QRectF(point.x() - radius, point.y() - radius, 2 * radius, 2 * radius))

    # -- slots ---------------------------------------------------------------------------------------------

    def _on_tool_group_toggled(self, button: QToolButton, checked: bool) -> None:
        if not checked:
            return
        name = next(name for name, known in self.tool_buttons.items() if known is button)
        if name not in POLYGON_TOOLS:
            self._points.clear()
            self._refresh_polygon()
        self._tool = name
        self._update_cursor(None)
        self._show_hint()
        self._update_status()

    def _on_brush_size_changed(self, _size: int) -> None:
        for item in self.cursor_items:
            if item.isVisible():
                centre = item.rect().center()
                self._update_cursor(centre)
                break

    def _on_canvas_pressed(self, point: QPointF) -> None:
        if self._mask is None:
            return
        if self._tool in POLYGON_TOOLS:
            if len(self._points) >= 3 and self._near_first_point(point):
                self.close_polygon()
            else:
                self.add_polygon_point(point.x(), point.y())
        else:
            self._begin_stroke((point.x(), point.y()), include=self._tool == "include_brush")

    def _on_canvas_dragged(self, point: QPointF) -> None:
        if self._stroke_last is not None:
            self._extend_stroke((point.x(), point.y()))

    def _on_canvas_released(self, point: QPointF) -> None:
        if self._stroke_last is not None:
            self._extend_stroke((point.x(), point.y()))
            self._end_stroke()

    def _on_canvas_double_clicked(self, _point: QPointF) -> None:
        # the double-click's first press already placed this corner
        if self._tool in POLYGON_TOOLS and self._points:
            self.close_polygon()

    def _on_canvas_hovered(self, point: QPointF | None) -> None:
        self._update_cursor(point)
        if self._points:
            self._refresh_polygon(point)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        # with a polygon open, Enter and Esc belong to it, not to a dialog's default and cancel buttons
        if self._points and event.key() in (Qt.Key_Return, Qt.Key_Enter):
            self.close_polygon()
            event.accept()
        elif self._points and event.key() == Qt.Key_Escape:
            self.cancel_polygon()
            event.accept()
        else:
            super().keyPressEvent(event)


@dataclass(frozen=True, eq=False)
class MaskResult:
    """What the user accepted in :class:`MaskEditorDialog`.

    ``mask`` is a read-only (H, W) uint8 array, 1 where inspected, or None: inspect the whole image.
    """

    mask: np.ndarray | None


class MaskEditorDialog(EditorDialog):
    """The mask editor with OK and Cancel. :meth:`edit` returns a :class:`MaskResult`, or None if cancelled.

    OK is disabled while nothing at all would be inspected.
    """

    def __init__(self, image: np.ndarray, mask: np.ndarray | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Inspection area", MaskEditorWidget(), parent)
        self.editor.sig_mask_changed.connect(self._on_editor_mask_changed)
        self.editor.set_image(image)
        self.editor.set_mask(mask)
        self.resize(1000, 760)

    def result_mask(self) -> MaskResult:
        """The mask as it now stands."""
        mask = self.editor.mask()
        if mask is not None:
            mask.setflags(write=False)
        return MaskResult(mask)

    @classmethod
    def edit(cls, parent: QWidget | None, image: np.ndarray, mask: np.ndarray | None = None) -> MaskResult | None:
        """Let the user draw the mask over ``image``, starting from ``mask``.

        Returns None when cancelled, else a :class:`MaskResult` whose ``mask`` is None when the whole
        image is to be inspected.
        """
        dialog = cls(image, mask, parent)
        return dialog.run(dialog.result_mask)

    def _on_editor_mask_changed(self, fraction: float) -> None:
        ok = self.buttons.button(QDialogButtonBox.Ok)
        ok.setEnabled(fraction > 0.0)
        ok.setToolTip("" if fraction > 0.0 else "Nothing would be inspected: include some of the image")
