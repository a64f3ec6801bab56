"""Side-by-side viewer: the original and its heatmap, with linked pan and zoom."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from radar_desktop.core.inspection_area import fitted_mask
from radar_desktop.core.quantities import parts_text, score_text
from radar_desktop.core.records import InspectionResult
from radar_desktop.core.regions import OutlineLevels
from radar_desktop.core.verdict import Verdict
from radar_desktop.reports.figures import defect_contours, outlined

VERDICT_COLOURS = {Verdict.OK: "#2e7d32", Verdict.REVIEW: "#ef6c00", Verdict.NOK: "#c62828"}
CONTOUR_PEN = pg.mkPen("#00e5ff", width=2)
LABEL_FILL = pg.mkBrush(0, 0, 0, 150)
MASK_TINT = (120, 144, 156, 110)  # blue-grey, translucent: masked areas stay readable
MAX_LABELS = 10  # the largest regions; the table and reports list them all


def parts_html(parts: dict[str, float]) -> str:
    """What a fused score is made of, after the score: `` (memory bank 0.42 · RADAR step 1.31)``."""
    if not parts:
        return ""
    return " (" + html.escape(parts_text(parts)) + ")"


class ViewerWidget(QWidget):
    """Original on the left, heatmap on the right; overlay, contour and colour-scale toggles."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QLabel("No image")
        self.header.setTextFormat(Qt.RichText)
        self.overlay_box = QCheckBox("Overlay")
        self.contour_box = QCheckBox("Contour")
        self.contour_box.setChecked(True)
        self.scale_box = QCheckBox("Colour scale")
        self.opacity = QSlider(Qt.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(50)
        self.opacity.setMaximumWidth(120)
        self.opacity.setToolTip("Heatmap opacity in the overlay")

        self.graphics = pg.GraphicsLayoutWidget()
        self.left = self.graphics.addViewBox(row=0, col=0, lockAspect=True, invertY=True)
        self.right = self.graphics.addViewBox(row=0, col=1, lockAspect=True, invertY=True)
        self.right.setXLink(self.left)
        self.right.setYLink(self.left)
        self.original = pg.ImageItem()
        self.overlay_item = pg.ImageItem()
        self.heatmap = pg.ImageItem()
        colormap = pg.colormap.get("inferno")
        for item in (self.overlay_item, self.heatmap):
            item.setColorMap(colormap)
        self.left.addItem(self.original)
        self.left.addItem(self.overlay_item)
        self.right.addItem(self.heatmap)
        self.colour_bar = pg.ColorBarItem(colorMap=colormap, interactive=False, width=12)
        self.colour_bar.setImageItem(self.heatmap)
        self.graphics.addItem(self.colour_bar, row=0, col=2)
        self.contour_items: list[pg.PlotCurveItem] = []
        self.label_items: list[pg.TextItem] = []
        self.mask_items = [pg.ImageItem(), pg.ImageItem()]  # the profile's never-inspected areas, faintly
        for box, item in zip((self.left, self.right), self.mask_items):
            item.setZValue(5)
            box.addItem(item)
        self._mm_per_pixel: float | None = None
        self._mask: np.ndarray | None = None
        self._tinted_shape: tuple[int, int] | None = None  # the tint shown fits this image shape

        controls = QHBoxLayout()
        for widget in (self.overlay_box, QLabel("Opacity"), self.opacity, self.contour_box, self.scale_box):
            controls.addWidget(widget)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addLayout(controls)
        layout.addWidget(self.graphics, 1)

        self._result: InspectionResult | None = None
        for box in (self.overlay_box, self.contour_box, self.scale_box):
            box.toggled.connect(self._refresh_layers)
        self.opacity.valueChanged.connect(self._refresh_layers)
        self._refresh_layers()

    def show_result(
        self,
        image: np.ndarray,
        result: InspectionResult,
        map_range: tuple[float, float],
        outline: OutlineLevels,
        threshold: float,
        fit: bool = True,
    ) -> None:
        """Display one inspected image; ``image`` is (H, W, C) float 0..1. ``fit`` zooms to the whole image
        (live frames keep the user's zoom)."""
        self._result = result
        shown = image[:, :, 0] if image.shape[2] == 1 else image
        self.original.setImage(shown, levels=(0.0, 1.0))
        low, high = map_range
        for item in (self.heatmap, self.overlay_item):
            item.setImage(result.anomaly_map, levels=(low, max(high, low + 1e-9)))
        self.colour_bar.setLevels((low, high))
        self._remove_drawn()
        levels = outlined(result, outline)
        if levels is not None:  # an image that passed by its score has nothing to outline
            inspected = None if self._mask is None else fitted_mask(self._mask, result.anomaly_map.shape)
            for contour in defect_contours(result.anomaly_map, levels, inspected):
                for box in (self.left, self.right):
                    curve = pg.PlotCurveItem(contour[:, 0], contour[:, 1], pen=CONTOUR_PEN)
                    box.addItem(curve)
                    self.contour_items.append(curve)
        self._label_regions(result)
        self._show_mask(result.anomaly_map.shape)
        colour = VERDICT_COLOURS[result.verdict]
        name = html.escape(result.source.replace("\\", "/").rsplit("/", 1)[-1])
        self.header.setText(
            f"<b>{name}</b> &nbsp; score <b>{score_text(result.score)}</b>{parts_html(result.parts)} &nbsp; "
            f"NOK threshold {score_text(threshold)} &nbsp; "
            f"<span style='color:{colour}; font-weight:bold'>{result.verdict.value}</span>"
            + (f" &nbsp; <i>{html.escape(result.rule)}</i>" if result.rule else "")
        )
        self._refresh_layers()
        if fit:
            self.left.autoRange(padding=0.01)

    def set_inspection(self, mm_per_pixel: float | None, mask: np.ndarray | None) -> None:
        """The profile's scale (region labels in mm, else px) and inspection mask (1: inspected)."""
        self._mm_per_pixel, self._mask = mm_per_pixel, mask
        self._tinted_shape = None

    def _label_regions(self, result: InspectionResult) -> None:
        """A numbered size label beside each region; those an acceptance rule ignored get their number
        alone, in grey, so specks do not bury the regions that count (their sizes are in the table)."""
        for number, region in enumerate(result.regions[:MAX_LABELS], start=1):
            x, y, w, _ = region.bbox
            text = str(number) if region.ignored else f"{number}: {region.describe(self._mm_per_pixel)}"
            for box in (self.left, self.right):
                label = pg.TextItem(text, color="#bdbdbd" if region.ignored else "#00e5ff", fill=LABEL_FILL, anchor=(0, 1))
                label.setPos(x + w, y)
                label.setZValue(10)
                box.addItem(label)
                self.label_items.append(label)

    def _show_mask(self, shape: tuple[int, int]) -> None:
        """Tint the never-inspected areas of an image of ``shape``; nothing without a mask. Live frames
        keep their shape, so the tint is built once, not on every frame."""
        if self._mask is None:
            for item in self.mask_items:
                item.clear()
            return
        if shape == self._tinted_shape:
            return
        self._tinted_shape = shape
        excluded = ~fitted_mask(self._mask, shape)
        tint = np.zeros((*shape, 4), np.uint8)
        tint[excluded] = MASK_TINT
        for item in self.mask_items:
            item.setImage(tint, levels=(0, 255))

    def _remove_drawn(self) -> None:
        for item in self.contour_items + self.label_items:
            item.getViewBox().removeItem(item)
        self.contour_items, self.label_items = [], []

    def clear(self) -> None:
        self._result = None
        for item in (self.original, self.overlay_item, self.heatmap, *self.mask_items):
            item.clear()
        self._tinted_shape = None
        self._remove_drawn()
        self.header.setText("No image")

    def _refresh_layers(self) -> None:
        self.overlay_item.setVisible(self.overlay_box.isChecked())
        self.overlay_item.setOpacity(self.opacity.value() / 100)
        self.opacity.setEnabled(self.overlay_box.isChecked())
        self.colour_bar.setVisible(self.scale_box.isChecked())
        for item in self.contour_items + self.label_items:
            item.setVisible(self.contour_box.isChecked())

    @property
    def contour_count(self) -> int:
        """Outlines drawn per view (for tests and the status bar)."""
        return len(self.contour_items) // 2
