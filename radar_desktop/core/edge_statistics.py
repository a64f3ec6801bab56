"""Good maps near the image's edges: statistics by distance from each edge, and the z-map they give.

A pretrained encoder reads an image's edge against its padding, and a part's own edge looks unlike its
middle: on good parts as on bad ones the anomaly map rises in a ring along the border, most in the
corners, where the viewer then outlined "regions". Maps of good training images, summarised per band of
distance from the top or bottom edge and from the left or right one (``bands`` bands of ``band`` pixels
from each edge, everything further in one interior band), put every pixel on the scale of good pixels
at the same distance from the edges. The bands do not depend on the image's size or aspect, so one set
of statistics serves every shape a product comes in, and a few dozen good images fill all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: Bands counted in from each edge; measured on MTD's tuning half against 1-3 (docs/METHOD_NOTES.md).
BANDS = 4
EDGE_STATS_KEY = "edge_stats"


def _axis_bands(length: int, start: int, size: int, band: int, bands: int) -> np.ndarray:
    """Band of each position along one axis for content at ``start`` of ``size``: 0..bands-1 from the
    near edge, ``bands`` inside, bands+1..2*bands from the far edge (positions outside clamp to the edge)."""
    position = np.arange(length) - start
    near = np.clip(position, 0, None) // band
    far = np.clip(size - 1 - position, 0, None) // band
    return np.where(near < bands, near, np.where(far < bands, 2 * bands - far, bands))


@lru_cache(maxsize=32)
def band_labels(shape: tuple[int, int], content: tuple[int, int, int, int], band: int, bands: int) -> np.ndarray:
    """(H, W) class of every pixel of a map of ``shape`` whose content is ``(top, left, height, width)``."""
    top, left, height, width = content
    rows = _axis_bands(shape[0], top, height, band, bands)
    cols = _axis_bands(shape[1], left, width, band, bands)
    labels = rows[:, None] * (2 * bands + 1) + cols[None, :]
    labels.setflags(write=False)
    return labels


@dataclass(frozen=True)
class EdgeStatistics:
    """Mean and standard deviation of good maps per edge band (classes as :func:`band_labels` numbers them)."""

    band: int
    means: np.ndarray
    stds: np.ndarray

    @property
    def bands(self) -> int:
        return (round(np.sqrt(self.means.size)) - 1) // 2

    def normalise(self, anomaly_map: np.ndarray, content: tuple[int, int, int, int] | None = None) -> np.ndarray:
        """``anomaly_map`` as z-scores of good pixels in the same band; ``content`` (top, left, height,
        width) says where the image lies in it (default: all of it)."""
        content = content or (0, 0, *anomaly_map.shape)
        labels = band_labels(anomaly_map.shape, content, self.band, self.bands)
        return ((anomaly_map - self.means[labels]) / self.stds[labels]).astype(np.float32)

    def to_array(self) -> np.ndarray:
        """(3, classes): means, standard deviations, and the band width in the first cell of the last row."""
        width = np.zeros_like(self.means)
        width[0] = self.band
        return np.stack([self.means, self.stds, width])

    @classmethod
    def from_array(cls, values: np.ndarray) -> "EdgeStatistics":
        return cls(int(values[2][0]), np.asarray(values[0], np.float64), np.asarray(values[1], np.float64))


class EdgeAccumulator:
    """Collects good maps, band by band, and gives their :class:`EdgeStatistics`."""

    def __init__(self, band: int, bands: int = BANDS) -> None:
        self.band, self.bands = band, bands
        classes = (2 * bands + 1) ** 2
        self._count = np.zeros(classes)
        self._sum = np.zeros(classes)
        self._squares = np.zeros(classes)

    def add(self, content_map: np.ndarray) -> None:
        """One good image's map, cropped to its content."""
        labels = band_labels(content_map.shape, (0, 0, *content_map.shape), self.band, self.bands).ravel()
        values = content_map.astype(np.float64).ravel()
        self._count += np.bincount(labels, minlength=self._count.size)
        self._sum += np.bincount(labels, values, minlength=self._count.size)
        self._squares += np.bincount(labels, values * values, minlength=self._count.size)

    def finish(self) -> EdgeStatistics:
        """The statistics; a band no image reached (content narrower than the bands) takes the interior's."""
        seen = self._count > 0
        if not seen.any():
            raise ValueError("no good map was seen at the edges")
        means = np.where(seen, self._sum / np.maximum(self._count, 1), 0.0)
        spread = np.sqrt(np.maximum(self._squares / np.maximum(self._count, 1) - means**2, 0.0))
        interior = self.bands * (2 * self.bands + 1) + self.bands
        fallback = interior if seen[interior] else int(np.argmax(self._count))
        means = np.where(seen, means, means[fallback])
        spread = np.where(seen, spread, spread[fallback])
        return EdgeStatistics(self.band, means, np.maximum(spread, 1e-6 * max(float(spread.max()), 1e-12)))
