"""Colour heatmaps and overlays of anomaly maps, as image arrays and PNG files."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from radar_desktop.core.atomic import write_bytes_atomic


def colorize(anomaly_map: np.ndarray, low: float, high: float) -> np.ndarray:
    """BGR uint8 heatmap: ``low`` (typical good background) is dark, ``high`` and above is hot."""
    span = max(high - low, 1e-12)
    scaled = np.clip((anomaly_map - low) / span, 0.0, 1.0)
    return cv2.applyColorMap(np.round(scaled * 255).astype(np.uint8), cv2.COLORMAP_INFERNO)


def to_bgr8(image: np.ndarray) -> np.ndarray:
    """An (H, W, C) float 0..1 image (grey or RGB) as 3-channel BGR uint8, as OpenCV writes files."""
    pixels = np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)
    return cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR) if pixels.shape[2] == 1 else cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR)


def overlay(image: np.ndarray, heatmap_bgr: np.ndarray, opacity: float = 0.5) -> np.ndarray:
    """Blend a heatmap over an (H, W, C) float 0..1 image; returns BGR uint8."""
    return cv2.addWeighted(to_bgr8(image), 1.0 - opacity, heatmap_bgr, opacity, 0.0)


def save_png(image_bgr: np.ndarray, path: Path) -> None:
    """Encode and write a PNG atomically (works with non-ASCII paths)."""
    ok, encoded = cv2.imencode(".png", image_bgr)
    if not ok:
        raise OSError(f"could not encode {path.name} as PNG")
    write_bytes_atomic(path, encoded.tobytes())
