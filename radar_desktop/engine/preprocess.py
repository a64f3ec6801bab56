"""Bringing images of any size to the model's square working size, and maps back again."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from radar_desktop.engine.config import ModelConfig


@dataclass(frozen=True)
class Placement:
    """Where an image's content sits inside the working square, to map results back."""

    original_shape: tuple[int, int]
    top: int
    left: int
    height: int
    width: int


def to_working(image: np.ndarray, config: ModelConfig) -> tuple[np.ndarray, Placement]:
    """Resize (and for ``fit``, mirror-pad) an (H, W, C) float image to (C, S, S)."""
    size = config.image_size
    h, w = image.shape[:2]
    if config.resize_mode == "stretch":
        height, width = size, size
    else:
        scale = size / max(h, w)
        height, width = max(1, round(h * scale)), max(1, round(w * scale))
    interpolation = cv2.INTER_AREA if height * width < h * w else cv2.INTER_LINEAR
    resized = cv2.resize(image, (width, height), interpolation=interpolation)
    if resized.ndim == 2:
        resized = resized[:, :, None]
    top, left = (size - height) // 2, (size - width) // 2
    # numpy's symmetric mode keeps mirroring when the pad is wider than the image
    padded = np.pad(resized, ((top, size - height - top), (left, size - width - left), (0, 0)), mode="symmetric")
    placement = Placement((h, w), top, left, height, width)
    return np.ascontiguousarray(padded.transpose(2, 0, 1)), placement


def whole_square(size: int) -> Placement:
    """The placement of an image that fills the working square exactly."""
    return Placement((size, size), 0, 0, size, size)


def crop_content(working_map: np.ndarray, placement: Placement) -> np.ndarray:
    """The part of a working-size (S, S) map that covers the image (padding dropped)."""
    return working_map[placement.top : placement.top + placement.height, placement.left : placement.left + placement.width]


def to_shape(content_map: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize an image's map (a content map, or its merged tiles) to the image's (H, W)."""
    h, w = shape
    return cv2.resize(np.ascontiguousarray(content_map, dtype=np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
