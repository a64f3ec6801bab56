"""Turning numpy arrays into Qt images and pyqtgraph-ready arrays (GUI thread only)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage, QPixmap


def to_pixmap(image: np.ndarray) -> QPixmap:
    """A QPixmap of an (H, W, 1 or 3) uint8 RGB/grey array; the buffer is copied first."""
    data = np.ascontiguousarray(image if image.shape[2] == 3 else image[:, :, 0])
    h, w = data.shape[:2]
    fmt = QImage.Format_RGB888 if data.ndim == 3 else QImage.Format_Grayscale8
    qimage = QImage(data.data, w, h, data.strides[0], fmt).copy()  # copy: the array may be freed
    return QPixmap.fromImage(qimage)

