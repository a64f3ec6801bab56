"""Defect regions: an anomaly map cut at the segmentation level into connected parts, each measured.

A region's length is its extent along its major axis (the principal axis of its pixels), so a straight
scratch measures its length and a disc its diameter. Sizes are in pixels of the original image, and in
millimetres when the profile has a scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from radar_desktop.core.quantities import readable


@dataclass(frozen=True)
class Region:
    """One connected part of a map above the segmentation level, in original-image pixels.

    ``bbox`` is (x, y, width, height); ``centre`` is (x, y); ``peak`` is the map's largest value inside.
    """

    area_px: float
    length_px: float
    bbox: tuple[int, int, int, int]
    centre: tuple[float, float]
    peak: float
    ignored: bool = False  # under the profile's acceptance rule, so it does not fail the part

    def area(self, mm_per_pixel: float | None) -> float:
        """Area in mm² with a scale, else in px²."""
        return self.area_px * mm_per_pixel**2 if mm_per_pixel else self.area_px

    def length(self, mm_per_pixel: float | None) -> float:
        """Length along the major axis in mm with a scale, else in px."""
        return self.length_px * mm_per_pixel if mm_per_pixel else self.length_px

    def describe(self, mm_per_pixel: float | None) -> str:
        """A short label, e.g. ``0.42 mm² · 1.3 mm`` or ``1,150 px² · 48.2 px``."""
        area_unit, length_unit = units(mm_per_pixel)
        return size_text(self.area(mm_per_pixel), area_unit, self.length(mm_per_pixel), length_unit)

    def to_json(self, mm_per_pixel: float | None) -> dict:
        area_unit, length_unit = units(mm_per_pixel)
        return {
            "area": round(self.area(mm_per_pixel), 6),
            "area_unit": area_unit,
            "length": round(self.length(mm_per_pixel), 6),
            "length_unit": length_unit,
            "area_px": self.area_px,
            "length_px": round(self.length_px, 3),
            "bbox": list(self.bbox),
            "centre": [round(v, 2) for v in self.centre],
            "peak": round(self.peak, 6),
            "ignored": self.ignored,
        }


def size_text(area: float, area_unit: str, length: float, length_unit: str) -> str:
    """A region's size as people write it: ``1,150 px² · 48.2 px`` (three significant digits, no exponent)."""
    return f"{readable(area)} {area_unit} · {readable(length)} {length_unit}"


def units(mm_per_pixel: float | None) -> tuple[str, str]:
    """(area unit, length unit) of measurements with or without a scale."""
    return ("mm²", "mm") if mm_per_pixel else ("px²", "px")


def major_axis_extent(xs: np.ndarray, ys: np.ndarray) -> float:
    """Extent of pixel centres along their principal axis, plus one pixel for the pixels' own width."""
    points = np.stack([xs, ys], axis=1).astype(np.float64)
    if len(points) < 2:
        return 1.0
    centred = points - points.mean(axis=0)
    _, vectors = np.linalg.eigh(centred.T @ centred)
    along = centred @ vectors[:, -1]
    return float(along.max() - along.min() + 1.0)


EIGHT_CONNECTED = np.ones((3, 3), bool)


@dataclass(frozen=True)
class OutlineLevels:
    """Where a map is outlined: the parts above ``low`` that rise above ``high`` somewhere, or that hold
    the map's peak, each trimmed to where it is above ``share`` of its own peak (0: not trimmed).
    ``low == high`` is a plain cut at one level."""

    low: float
    high: float
    share: float = 0.0

    @classmethod
    def at(cls, level: float) -> "OutlineLevels":
        return cls(level, level)

    def to_list(self) -> list[float]:
        return [float(self.low), float(self.high)] + ([float(self.share)] if self.share else [])


def outline_labels(anomaly_map: np.ndarray, levels: OutlineLevels, inspected: np.ndarray | None = None) -> np.ndarray:
    """(H, W) labels 1..n of the outlined parts (8-connected) of ``anomaly_map``, 0 elsewhere.

    A part is outlined where it is above ``levels.low`` and reaches ``levels.high``, or holds the map's
    highest inspected value: a flagged image is always outlined where it departs most, and a faint bump
    elsewhere is not. A strong defect spreads over the encoder's receptive field, so each part is then
    cut back to where it reaches ``levels.share`` of its own peak (on maps whose 0 is a typical good
    pixel, the defect's width at that share of its height). ``inspected`` (nonzero where inspected)
    leaves masked pixels out of every part.
    """
    above = anomaly_map > levels.low
    if inspected is not None:
        above &= inspected.astype(bool)
    labels, count = ndimage.label(above, structure=EIGHT_CONNECTED)
    if not count:
        return labels
    seeds = np.unique(labels[above & (anomaly_map > levels.high)])
    peak = labels.flat[np.argmax(np.where(above, anomaly_map, -np.inf))]
    kept = np.union1d(seeds, [peak])
    kept = kept[kept > 0]
    relabel = np.zeros(count + 1, labels.dtype)
    relabel[kept] = np.arange(1, kept.size + 1)
    labels = relabel[labels]
    return trimmed_to_share_of_peak(anomaly_map, labels, kept.size, levels.share) if levels.share else labels


def trimmed_to_share_of_peak(anomaly_map: np.ndarray, labels: np.ndarray, count: int, share: float) -> np.ndarray:
    """``labels`` (1..count) with each part kept only where the map reaches ``share`` of the part's peak.
    A part the cut splits stays one region: one defect, outlined where it is strong (on MTD, splitting
    them made 'exactly one region per flagged defect' 0.60 instead of 0.73)."""
    peaks = ndimage.maximum(anomaly_map, labels, index=np.arange(1, count + 1))
    cut = np.concatenate([[np.inf], share * np.asarray(peaks, dtype=np.float64)])[labels]
    return np.where(anomaly_map >= cut, labels, 0)


def measure_regions(
    anomaly_map: np.ndarray, levels: OutlineLevels | float, inspected: np.ndarray | None = None
) -> tuple[Region, ...]:
    """The outlined parts of ``anomaly_map`` (:func:`outline_labels`; a number is a plain cut), largest first.

    ``inspected`` (same shape, nonzero where inspected) leaves masked pixels out of every region.
    """
    levels = levels if isinstance(levels, OutlineLevels) else OutlineLevels.at(levels)
    labels = outline_labels(anomaly_map, levels, inspected)
    regions = []
    for label, box in enumerate(ndimage.find_objects(labels), start=1):
        if box is None:
            continue
        ys, xs = np.nonzero(labels[box] == label)  # within its box: cheap for many regions
        ys, xs = ys + box[0].start, xs + box[1].start
        regions.append(
            Region(
                area_px=float(len(xs)),
                length_px=major_axis_extent(xs, ys),
                bbox=(box[1].start, box[0].start, box[1].stop - box[1].start, box[0].stop - box[0].start),
                centre=(float(xs.mean()), float(ys.mean())),
                peak=float(anomaly_map[ys, xs].max()),
            )
        )
    return tuple(sorted(regions, key=lambda r: -r.area_px))
