"""An anomaly map read at two scales: each pixel's own z-score plus its neighbourhood's.

A broad, faint defect (an uneven band across a part) lifts every pixel of its area a little, less than
good maps vary pixel by pixel, so a map read one pixel at a time outlines it poorly. Averaged over a
neighbourhood a quarter of a working square wide, good maps vary far less, and the same faint rise
stands out. The map a new profile shows is the sum of both readings, each as z-scores of good maps, as
the image score reads a peak and a mean (:mod:`core.pooling`): a small defect keeps its peak (its
neighbourhood's average barely moves), a broad one is lifted over its whole area. The image score is
still pooled from the pixel-scale map. Measured on the long-part set: docs/METHOD_NOTES.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

#: The neighbourhood's Gaussian sigma as a share of the working square's side (a quarter: 64 px of 256;
#: chosen on the long-part set's tuning half against an eighth, docs/METHOD_NOTES.md).
REGIONAL_SIGMA = 1 / 4
REGIONAL_KEY = "regional_scale"
#: The neighbourhood mean is taken on the map shrunk so that sigma spans this many of its pixels (the
#: maps come from a stride-8 feature grid, so the shrunk map loses little that a 64 px blur would keep).
SHRUNK_SIGMA = 8.0


def neighbourhood_mean(anomaly_map: np.ndarray, sigma: float) -> np.ndarray:
    """The map's Gaussian average over ``sigma`` pixels (edges extended), at the map's own size."""
    step = max(1, int(sigma // SHRUNK_SIGMA))
    values = anomaly_map.astype(np.float32)
    if step == 1:
        return ndimage.gaussian_filter(values, sigma, mode="nearest")
    rows, columns = (-(-length // step) * step for length in values.shape)
    padded = np.pad(values, ((0, rows - values.shape[0]), (0, columns - values.shape[1])), mode="edge")
    shrunk = padded.reshape(rows // step, step, columns // step, step).mean(axis=(1, 3))
    smooth = ndimage.gaussian_filter(shrunk, sigma / step, mode="nearest")
    rows_back = _grown(smooth, anomaly_map.shape[0], step, axis=0)
    return _grown(rows_back, anomaly_map.shape[1], step, axis=1)


def _grown(shrunk: np.ndarray, length: int, step: int, axis: int) -> np.ndarray:
    """``shrunk`` brought back to ``length`` along ``axis`` by linear interpolation between block centres."""
    position = np.clip((np.arange(length) + 0.5) / step - 0.5, 0, shrunk.shape[axis] - 1)
    below = np.floor(position).astype(int)
    above = np.minimum(below + 1, shrunk.shape[axis] - 1)
    share = (position - below).astype(np.float32)
    share = share[:, None] if axis == 0 else share[None, :]
    return np.take(shrunk, below, axis=axis) * (1 - share) + np.take(shrunk, above, axis=axis) * share


@dataclass(frozen=True)
class RegionalScale:
    """How good maps vary pixel by pixel and over neighbourhoods of ``sigma`` pixels: (mean, std) of each."""

    sigma: float
    pixel: tuple[float, float]
    regional: tuple[float, float]

    def apply(self, anomaly_map: np.ndarray) -> np.ndarray:
        """The map read at both scales: its pixel z-score plus its neighbourhood's."""
        own = (anomaly_map - self.pixel[0]) / self.pixel[1]
        around = (neighbourhood_mean(anomaly_map, self.sigma) - self.regional[0]) / self.regional[1]
        return (own + around).astype(np.float32)

    def to_array(self) -> np.ndarray:
        return np.array([self.sigma, *self.pixel, *self.regional], dtype=np.float64)

    @classmethod
    def from_array(cls, values: np.ndarray) -> "RegionalScale":
        sigma, pixel_mean, pixel_std, regional_mean, regional_std = (float(v) for v in values)
        return cls(sigma, (pixel_mean, pixel_std), (regional_mean, regional_std))


class RegionalAccumulator:
    """Collects good maps and gives their :class:`RegionalScale` for neighbourhoods of ``sigma`` pixels."""

    def __init__(self, sigma: float) -> None:
        self.sigma = sigma
        self._sums = np.zeros((2, 3))  # per scale: count, sum, sum of squares

    def add(self, content_map: np.ndarray) -> None:
        """One good image's map, cropped to its content."""
        for row, values in enumerate((content_map, neighbourhood_mean(content_map, self.sigma))):
            values = values.astype(np.float64).ravel()
            self._sums[row] += (values.size, values.sum(), np.square(values).sum())

    def finish(self) -> RegionalScale:
        if self._sums[0, 0] == 0:
            raise ValueError("no good map was seen for the regional scale")
        count, total, squares = self._sums.T
        mean = total / count
        std = np.sqrt(np.maximum(squares / count - mean**2, 0.0))
        std = np.maximum(std, 1e-6 * max(float(std.max()), 1e-12))
        return RegionalScale(self.sigma, (float(mean[0]), float(std[0])), (float(mean[1]), float(std[1])))
