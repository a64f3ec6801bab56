"""Pooling an anomaly map into one image score.

``max`` is the map's peak. ``peak+mean`` reads two parts of the map, a small defect's peak (the maximum
after a blur two feature cells wide) and a wide defect's rise of the whole map (its mean), puts each
on the scale of held-back good images (z-scores) and keeps the larger: on MTD a lone peak misses the
large uneven areas, and the mean misses small blowholes (docs/METHOD_NOTES.md).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

POOLINGS = ("max", "peak+mean")
POOL_STATS_KEY = "pool_stats"
#: The peak's blur, as a fraction of the map's longer side (1/16: two cells of a stride-8 map at 256 px;
#: measured on MTD's tuning half against one and three cells, docs/METHOD_NOTES.md).
PEAK_SIGMA = 1 / 16


def pool_parts(anomaly_map: np.ndarray) -> np.ndarray:
    """(peak of the lightly blurred map, mean of the map) of one content map."""
    sigma = max(anomaly_map.shape) * PEAK_SIGMA
    smoothed = ndimage.gaussian_filter(anomaly_map.astype(np.float32), sigma, mode="nearest")
    return np.array([float(smoothed.max()), float(anomaly_map.mean())])


def part_statistics(good_parts: np.ndarray) -> np.ndarray:
    """(2, parts) mean and standard deviation of each part over good images' (N, parts) values."""
    parts = np.asarray(good_parts, dtype=np.float64)
    return np.stack([parts.mean(axis=0), np.maximum(parts.std(axis=0), 1e-12)])


def combine_parts(parts: np.ndarray, stats: np.ndarray) -> float:
    """The larger of the parts' z-scores against good images."""
    return float(np.max((np.asarray(parts) - stats[0]) / stats[1]))
