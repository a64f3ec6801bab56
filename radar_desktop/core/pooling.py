"""Pooling an anomaly map into one image score.

``max`` is the map's peak. ``peak+mean`` reads two parts of the map, a small defect's peak (the maximum
after a blur two feature cells wide) and a wide defect's rise of the whole map (its mean), puts each
on the scale of held-back good images (z-scores) and keeps the larger: on MTD a lone peak misses the
large uneven areas, and the mean misses small blowholes (docs/METHOD_NOTES.md).

A map larger than one working square (a tiled image's) is pooled block by block, each block about one
square, and the highest block's z-score is taken back by the number of blocks (:func:`area_adjusted`):
the more area a maximum looks at, the higher good parts' maxima go, and a good part twice as long must
not score higher for being long.
"""

from __future__ import annotations

import numpy as np
from scipy import signal
from scipy.stats import norm

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


def blocks(anomaly_map: np.ndarray, side: int | None) -> list[np.ndarray]:
    """The map cut into blocks of about ``side`` x ``side`` (the whole map when it is no larger, or
    without a side)."""
    if side is None:
        return [anomaly_map]
    rows, columns = (max(1, round(length / side)) for length in anomaly_map.shape)
    return [block for band in np.array_split(anomaly_map, rows, axis=0) for block in np.array_split(band, columns, axis=1)]


def block_parts(anomaly_map: np.ndarray, side: int | None) -> np.ndarray:
    """(blocks, parts): :func:`pool_parts` of each of the map's blocks."""
    return np.stack([pool_parts(block) for block in blocks(anomaly_map, side)])


def area_adjusted(z: float, count: int) -> float:
    """The z-score whose tail is the chance that the highest of ``count`` good blocks reaches ``z``
    (1 - (1 - p)^count, with p the tail of ``z``): the highest block's score read for one block's area."""
    tail = norm.sf(z)
    if count <= 1 or tail <= 0.0:
        return float(z)
    return float(norm.isf(-np.expm1(count * np.log1p(-tail))))


def combine_blocks(parts: np.ndarray, stats: np.ndarray) -> float:
    """The image score from its blocks' parts: the highest block's :func:`combine_parts`, area-adjusted."""
    return area_adjusted(max(combine_parts(p, stats) for p in parts), len(parts))
