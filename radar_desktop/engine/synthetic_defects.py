"""Generic synthetic defects pasted into crops of good images, to teach a defect head without real defects.

Shapes are smooth random blobs (thresholded low-frequency noise) or thin random strokes; fills darken,
brighten, or blend in a rotated crop of another good image. Nothing here is tuned to one product.
"""

from __future__ import annotations

import cv2
import numpy as np


def blob_mask(rng: np.random.Generator, size: int) -> np.ndarray:
    """A few smooth random blobs covering roughly 1-15% of a ``size`` x ``size`` square."""
    grid = int(rng.integers(2, 8))
    field = cv2.resize(rng.standard_normal((grid, grid)).astype(np.float32), (size, size), interpolation=cv2.INTER_CUBIC)
    return (field > np.quantile(field, rng.uniform(0.85, 0.99))).astype(np.float32)


def stroke_mask(rng: np.random.Generator, size: int) -> np.ndarray:
    """A thin random polyline, like a crack or a scratch."""
    mask = np.zeros((size, size), np.float32)
    point = rng.integers(0, size, 2)
    reach = max(4, size // 3)
    for _ in range(int(rng.integers(2, 6))):
        following = np.clip(point + rng.integers(-reach, reach + 1, 2), 0, size - 1)
        cv2.line(mask, (int(point[0]), int(point[1])), (int(following[0]), int(following[1])), 1.0, int(rng.integers(1, 3)))
        point = following
    return mask


def add_synthetic_defect(crop: np.ndarray, donor: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Paste one defect into a (C, S, S) crop in 0..1; ``donor`` is another good crop of the same shape.

    Returns the changed crop and its (S, S) mask; the mask is empty when the drawn shape was.
    """
    size = crop.shape[-1]
    mask = blob_mask(rng, size) if rng.random() < 0.6 else stroke_mask(rng, size)
    soft = cv2.GaussianBlur(mask, (3, 3), 0)[None]
    fill = int(rng.integers(3))
    if fill == 0:
        changed = crop + soft * rng.choice((-1.0, 1.0)) * rng.uniform(0.05, 0.3)
    elif fill == 1:
        other = np.rot90(donor, int(rng.integers(4)), axes=(1, 2))
        weight = soft * rng.uniform(0.3, 1.0)
        changed = crop * (1 - weight) + other * weight
    else:
        changed = crop * (1 - soft * rng.uniform(0.2, 0.7))
    return np.clip(changed, 0.0, 1.0).astype(np.float32), mask


def defect_batch(
    good: np.ndarray, count: int, crop: int, rng: np.random.Generator, defect_share: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random crops of (N, C, S, S) uint8 good images, about ``defect_share`` of them with a defect.

    Returns crops (count, C, crop, crop) in 0..1 and masks (count, crop, crop).
    """
    n, _, height, width = good.shape

    def random_crop() -> np.ndarray:
        y, x = rng.integers(0, height - crop + 1), rng.integers(0, width - crop + 1)
        return good[rng.integers(n), :, y : y + crop, x : x + crop].astype(np.float32) / 255.0

    crops, masks = [], []
    for _ in range(count):
        image = random_crop()
        mask = np.zeros((crop, crop), np.float32)
        if rng.random() < defect_share:
            image, mask = add_synthetic_defect(image, random_crop(), rng)
        crops.append(image)
        masks.append(mask)
    return np.stack(crops), np.stack(masks)
