"""The inspection mask: which pixels of a part are inspected (the rest is fixture, edge or label).

A profile keeps one mask, drawn on a reference image; images of another size get it resized. Masked
pixels of an anomaly map take the map's typical value over the inspected area, so they can neither
raise an image score nor leak into the blur of a score's peak, and are left out of every region.
"""

from __future__ import annotations

import numpy as np


def fitted_mask(mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``mask`` (nonzero: inspected) as a bool array of ``shape`` (height, width), nearest-neighbour."""
    mask = np.asarray(mask)
    if mask.shape[:2] != tuple(shape):
        # the source pixel under each target pixel's centre
        rows = np.minimum(((np.arange(shape[0]) + 0.5) * mask.shape[0] / shape[0]).astype(int), mask.shape[0] - 1)
        cols = np.minimum(((np.arange(shape[1]) + 0.5) * mask.shape[1] / shape[1]).astype(int), mask.shape[1] - 1)
        mask = mask[rows[:, None], cols[None, :]]
    return mask.astype(bool)


def masked_map(anomaly_map: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """A copy of ``anomaly_map`` whose masked pixels hold the median of its inspected ones."""
    if mask is None:
        return anomaly_map
    inspected = fitted_mask(mask, anomaly_map.shape[:2])
    if inspected.all():
        return anomaly_map
    background = float(np.median(anomaly_map[inspected])) if inspected.any() else float(anomaly_map.min())
    return np.where(inspected, anomaly_map, np.float32(background)).astype(anomaly_map.dtype, copy=False)


def inspected_fraction(mask: np.ndarray | None) -> float:
    """Share of the image that is inspected (1.0 without a mask)."""
    return 1.0 if mask is None else float(np.count_nonzero(mask)) / max(1, np.asarray(mask).size)
