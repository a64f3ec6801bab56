"""The pictures a report shows for one image: the original, its heatmap overlay and the defect outline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from radar_desktop.core.records import InspectionResult
from radar_desktop.core.regions import OutlineLevels, outline_labels
from radar_desktop.reports.entries import ReportEntry
from radar_desktop.reports.heatmap_image import colorize, overlay

FIGURE_SIDE = 360  # about 160 dpi in a report's picture panel
JPEG_QUALITY = 88


@dataclass(frozen=True)
class EntryFigure:
    """JPEG-encoded pictures of one image, at most ``FIGURE_SIDE`` pixels on the long side.

    ``outlines`` are closed polygons (N, 2 as x, y) in the pictures' pixel coordinates; ``scale`` is the
    pictures' size over the original image's.
    """

    width: int
    height: int
    original_jpeg: bytes
    overlay_jpeg: bytes
    outlines: tuple[np.ndarray, ...]
    scale: float = 1.0


FigureSource = Callable[[ReportEntry], EntryFigure | None]
"""What supplies a report's pictures: an entry's figure, or None where it has no picture."""


def defect_contours(anomaly_map: np.ndarray, outline: OutlineLevels, inspected: np.ndarray | None = None) -> list[np.ndarray]:
    """Closed outlines (N, 2 as x, y) of the regions the map is outlined at (:func:`outline_labels`)."""
    mask = (outline_labels(anomaly_map, outline, inspected) > 0).astype(np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return [np.vstack([c[:, 0, :], c[:1, 0, :]]).astype(np.float32) + 0.5 for c in contours]


def outlined(result: InspectionResult, outline: OutlineLevels) -> OutlineLevels | None:
    """The levels to outline ``result``'s map at, or None where no region was measured (it passed by its score)."""
    return outline if result.regions else None


def make_figure(
    image: np.ndarray,
    anomaly_map: np.ndarray,
    map_range: tuple[float, float],
    outline: OutlineLevels | None,
    side: int = FIGURE_SIDE,
) -> EntryFigure:
    """Pictures of a float (H, W, C) image and its anomaly map, downscaled so a report stays small, with
    the defect outline at ``outline`` (None: no outline, as for an image that passed by its score)."""
    h, w = image.shape[:2]
    scale = min(1.0, side / max(h, w))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA).reshape(size[1], size[0], -1)
    small_map = cv2.resize(anomaly_map.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    heat = overlay(small, colorize(small_map, *map_range))
    original = np.round(np.clip(small, 0, 1) * 255).astype(np.uint8)
    original = original[:, :, 0] if original.shape[2] == 1 else cv2.cvtColor(original, cv2.COLOR_RGB2BGR)
    contours = defect_contours(anomaly_map, outline) if outline is not None else []
    outlines = tuple(c * np.float32(scale) for c in contours)
    return EntryFigure(size[0], size[1], encode_jpeg(original), encode_jpeg(heat), outlines, scale)


def encode_jpeg(image: np.ndarray) -> bytes:
    """JPEG bytes of a grey or BGR uint8 picture, at the quality every report picture uses."""
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("could not encode a report picture as JPEG")
    return encoded.tobytes()
