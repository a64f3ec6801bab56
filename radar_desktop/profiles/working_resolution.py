"""Choosing the scale a new profile sees its images at, from their size and the smallest defect to find.

Squeezed to one working square, a 500 x 1,250 strip loses its cracks a few pixels wide. A profile made
now keeps the aspect of long parts (their short side fills a tile), and where the user names the
smallest defect, scales the image so that such a defect spans one cell of the encoder's feature grid,
covering it with overlapping tiles (:mod:`engine.tiling`). Near-square images with no defect size named
are squeezed as before, so profiles of such parts behave as they did.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from radar_desktop.engine.config import ModelConfig
from radar_desktop.engine.tiling import tile_grid
from radar_desktop.profiles.folder_check import median_shape
from radar_desktop.sources.images import ImageReadError, decode_image, list_images

#: Images whose long side is at least this many times their short side are long parts: their aspect is kept.
LONG_ASPECT = 1.5
#: Working pixels the smallest defect should span: one cell of the encoder's stride-8 feature grid.
DEFECT_WORKING_PX = 8.0
#: The most a working scale enlarges an image: finer defects are seen at twice their size, not more
#: (each doubling of the scale takes about four times as many tiles).
MAX_SCALE = 2.0
#: Images read to find the typical size of a folder's images.
SIZE_SAMPLE = 25


@dataclass(frozen=True)
class WorkingResolution:
    """How a profile's images are seen: squeezed into one square, or at ``scale`` through tiles."""

    shape: tuple[int, int]  # a typical image's (height, width), in image pixels
    resize_mode: str
    scale: float
    tiles: int  # working squares per typical image
    min_defect_px: float | None = None

    def apply(self, config: ModelConfig) -> ModelConfig:
        """``config`` seeing images this way."""
        if self.resize_mode != "tiles":
            return replace(config, resize_mode=self.resize_mode)
        return replace(config, resize_mode="tiles", working_scale=self.scale, tile_overlap=overlap(config))

    def describe(self) -> str:
        """One line for the technician: what the images become and why."""
        height, width = self.shape
        if self.resize_mode == "fit":
            return f"{width} x {height} px images fitted into one working square (aspect kept, padded)"
        if self.resize_mode != "tiles":
            return f"{width} x {height} px images squeezed to one working square"
        seen = f"{round(width * self.scale)} x {round(height * self.scale)}"
        why = (
            f"a {self.min_defect_px:g} px defect spans {self.min_defect_px * self.scale:.0f} working px"
            if self.min_defect_px
            else "the aspect kept"
        )
        return f"{width} x {height} px images seen at {self.scale:.3g} x ({seen} px, {why}) in {self.tiles} overlapping tiles"


def propose_resolution(shape: tuple[int, int], config: ModelConfig, min_defect_px: float | None = None) -> WorkingResolution:
    """The working resolution for images of ``shape`` (height, width) under ``config``'s square and overlap.

    With ``min_defect_px``: the scale at which that defect spans ``DEFECT_WORKING_PX`` (at most
    ``MAX_SCALE``, and never below the scale that fits the whole image in one square). Without it: long
    images keep their aspect (short side to one square), others are squeezed as before.
    """
    height, width = shape
    size = config.image_size
    if min_defect_px is not None:
        if not min_defect_px > 0:
            raise ValueError(f"the smallest defect must be a positive size, not {min_defect_px!r}")
        scale = min(MAX_SCALE, max(DEFECT_WORKING_PX / min_defect_px, size / max(height, width)))
    elif max(height, width) >= LONG_ASPECT * min(height, width):
        scale = size / min(height, width)
    else:
        return WorkingResolution(tuple(shape), config.resize_mode, 1.0, 1)
    grid = tile_grid(shape, scale, size, overlap(config))
    return WorkingResolution(tuple(shape), "tiles", scale, grid.count, min_defect_px)


def overlap(config: ModelConfig) -> int:
    """The pixels neighbouring tiles share: the config's, at most a quarter of a small working square."""
    return min(config.tile_overlap, config.image_size // 4)


def typical_shape(paths: list[Path]) -> tuple[int, int]:
    """The median (height, width) of up to ``SIZE_SAMPLE`` evenly spread readable images of ``paths``.

    Raises :class:`ImageReadError` when none of them can be read.
    """
    picked = sorted({paths[int(i)] for i in np.linspace(0, len(paths) - 1, min(SIZE_SAMPLE, len(paths)))}) if paths else []
    shapes = []
    for path in picked:
        try:
            shapes.append(decode_image(path).shape[:2])
        except ImageReadError:
            continue
    if not shapes:
        raise ImageReadError("none of the images could be read to find their size")
    return median_shape(shapes)


def defect_in_pixels(size: float, mm_per_pixel: float | None) -> float:
    """A defect size in image pixels: ``size`` is in mm when a scale (mm per pixel) is known, else in px."""
    if not size > 0 or not math.isfinite(size):
        raise ValueError(f"the smallest defect must be a positive size, not {size!r}")
    return size / mm_per_pixel if mm_per_pixel else size


def resolution_for_folder(
    folder: Path, config: ModelConfig, min_defect: float | None = None, mm_per_pixel: float | None = None
) -> WorkingResolution:
    """:func:`propose_resolution` for a folder's typical image; ``min_defect`` in mm with a scale, else px."""
    minimum = None if min_defect is None else defect_in_pixels(min_defect, mm_per_pixel)
    return propose_resolution(typical_shape(list_images(folder)), config, minimum)
