"""Pooling an anomaly map into one image score.

``max`` is the map's peak. ``peak+mean`` reads two parts of the map, a small defect's peak (the maximum
after a blur two feature cells wide) and a wide defect's rise of the whole map (its mean), puts each
on the scale of held-back good images (z-scores) and keeps the larger: on MTD a lone peak misses the
large uneven areas, and the mean misses small blowholes (docs/METHOD_NOTES.md).
"""

from __future__ import annotations

import numpy as np
from scipy import signal

POOLINGS = ("max", "peak+mean")
POOL_STATS_KEY = "pool_stats"
#: The peak's blur, as a fraction of the map's longer side (1/16: two cells of a stride-8 map at 256 px;
#: measured on MTD's tuning half against one and three cells, docs/METHOD_NOTES.md).
PEAK_SIGMA = 1 / 16


def pool_parts(anomaly_map: np.ndarray) -> np.ndarray:
    """(peak of the lightly blurred map, mean of the map) of one content map."""
    return np.array([smoothed_peak(anomaly_map, max(anomaly_map.shape) * PEAK_SIGMA), float(anomaly_map.mean())])


def smoothed_peak(anomaly_map: np.ndarray, sigma: float) -> float:
    """The maximum of the map after a Gaussian blur of ``sigma`` pixels, edges extended (scipy's
    ``gaussian_filter(mode="nearest")`` to float precision), by separable FFT convolution: the kernel is
    a quarter of the map wide, where direct convolution took 2.4 times as long and overlap-add 1.15."""
    radius = int(4.0 * sigma + 0.5)
    offsets = np.arange(-radius, radius + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
    kernel = (kernel / kernel.sum()).astype(np.float32)
    padded = np.pad(anomaly_map.astype(np.float32), radius, mode="edge")
    rows = signal.fftconvolve(padded, kernel[None, :], mode="valid", axes=1)
    return float(signal.fftconvolve(rows, kernel[:, None], mode="valid", axes=0).max())


def part_statistics(good_parts: np.ndarray) -> np.ndarray:
    """(2, parts) mean and standard deviation of each part over good images' (N, parts) values."""
    parts = np.asarray(good_parts, dtype=np.float64)
    return np.stack([parts.mean(axis=0), np.maximum(parts.std(axis=0), 1e-12)])


def combine_parts(parts: np.ndarray, stats: np.ndarray) -> float:
    """The larger of the parts' z-scores against good images."""
    return float(np.max((np.asarray(parts) - stats[0]) / stats[1]))
