"""Turning numpy arrays into Qt images and pyqtgraph-ready arrays (GUI thread only)."""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtGui import QImage, QPixmap


def to_pixmap(image: np.ndarray) -> QPixmap:
    """A QPixmap of an (H, W, 1 or 3) uint8 RGB/grey array; the buffer is copied first."""
    data = np.ascontiguousarray(image if image.shape[2] == 3 else image[:, :, 0])
    h, w = data.shape[:2]
    fmt = QImage.Format_RGB888 if data.ndim == 3 else QImage.Format_Grayscale8
    qimage = QImage(data.data, w, h, data.strides[0], fmt).copy()  # copy: the array may be freed
    return QPixmap.fromImage(qimage)


def defect_contours(anomaly_map: np.ndarray, level: float) -> list[np.ndarray]:
    """Closed outlines (N, 2 as x, y) of the regions where the map exceeds ``level``."""
    mask = (anomaly_map > level).astype(np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return [np.vstack([c[:, 0, :], c[:1, 0, :]]).astype(np.float32) + 0.5 for c in contours]
