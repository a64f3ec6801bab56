"""A reference image of the part in a zoomable view whose left button draws (mask and scale editors)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import QWidget

HINT_STYLE = "QLabel { background: #eef3f8; color: #263238; border-radius: 3px; padding: 4px 6px; }"
WARNING_STYLE = "QLabel { background: #fff3e0; color: #bf360c; border-radius: 3px; padding: 4px 6px; }"


def shown_image(image: np.ndarray) -> np.ndarray:
    """``image`` (H, W, 1 or 3) float 0..1 as pyqtgraph shows it: (H, W) for grey, else unchanged."""
    image = np.asarray(image)
    if image.ndim == 2:
        return image
    if image.ndim != 3 or image.shape[2] not in (1, 3):
        raise ValueError(f"expected an (H, W, 1 or 3) image, got shape {image.shape}")
    return image[:, :, 0] if image.shape[2] == 1 else image



class ReferenceViewWidget(pg.GraphicsView):
    """A reference image in a zoomable view (wheel zooms, middle-drag pans) whose left button draws.

    While ``drawing`` is true, left presses, drags, releases and double-clicks are reported in image
    coordinates instead of panning the view. ``press_filter`` (scene position -> bool) may hand a press
    back to the scene, e.g. to let an ROI's handle be dragged.
    """

    sig_pressed = Signal(QPointF)
    """Image position of a left press."""
    sig_dragged = Signal(QPointF)
    """Image position of the mouse while the left button is held after a press."""
    sig_released = Signal(QPointF)
    """Image position where the left button was released."""
    sig_double_clicked = Signal(QPointF)
    """Image position of a left double-click."""
    sig_hovered = Signal(object)
    """Image position (QPointF) under the mouse, or None once the mouse left the view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="#26282b")
        self.view = pg.ViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.setCentralItem(self.view)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image_item)
        self.drawing = True
        self.press_filter: Callable[[QPointF], bool] | None = None
        self._left_held = False
        self._eat_release = False
        self._size: tuple[int, int] | None = None
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMinimumSize(320, 240)

    def set_image(self, image: np.ndarray) -> None:
        """Show ``image`` ((H, W, 1 or 3) float 0..1) and fit it into the view."""
        shown = shown_image(image)
        self.image_item.setImage(shown, levels=(0.0, 1.0))
        self._size = shown.shape[:2]
        self.fit()

    def fit(self) -> None:
        """Zoom so the whole image is in view."""
        if self._size is not None:
            height, width = self._size
            self.view.setRange(QRectF(0, 0, width, height), padding=0.02)

    def image_point(self, position: QPointF) -> QPointF:
        """The image coordinates under a viewport position."""
        return self.view.mapSceneToView(self.mapToScene(position.toPoint()))

    def viewport_point(self, x: float, y: float) -> QPoint:
        """The viewport position that shows image coordinates (x, y)."""
        return self.mapFromScene(self.view.mapViewToScene(QPointF(x, y)))

    def _draws(self, event) -> bool:
        if not (self.drawing and event.button() == Qt.LeftButton):
            return False
        return self.press_filter is None or self.press_filter(self.mapToScene(event.position().toPoint()))

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if self._draws(event):
            self.setFocus(Qt.MouseFocusReason)
            self._left_held = True
            self.sig_pressed.emit(self.image_point(event.position()))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        point = self.image_point(event.position())
        if self._left_held:
            self.sig_dragged.emit(point)
            event.accept()
        else:
            super().mouseMoveEvent(event)
        self.sig_hovered.emit(point)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.LeftButton and (self._left_held or self._eat_release):
            # the release that ends a double-click belongs to it, not to a new press
            if self._left_held:
                self.sig_released.emit(self.image_point(event.position()))
            self._left_held = self._eat_release = False
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        if self._draws(event):
            self._eat_release = True
            self.sig_double_clicked.emit(self.image_point(event.position()))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802
        super().leaveEvent(event)
        self.sig_hovered.emit(None)
