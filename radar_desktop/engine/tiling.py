"""Seeing an image at a chosen scale through overlapping square tiles, and merging their maps into one.

A long or large part squeezed into one working square loses its thin defects. Here the image is scaled
once (``scale`` working pixels per image pixel, the aspect kept) and covered by working squares that
overlap; each pixel of the merged map comes from the tile whose centre is nearest, so no tile's border,
where its features see padding, decides a pixel another tile sees whole. A side shorter than a tile is
mirror-padded, as ``fit`` pads, and the padding never reaches the map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from radar_desktop.engine.config import ModelConfig
from radar_desktop.engine.preprocess import Placement, to_working


@dataclass(frozen=True)
class TileGrid:
    """Where the tiles of one image lie: its original and scaled shapes and each tile's top-left corner."""

    original_shape: tuple[int, int]
    scaled_shape: tuple[int, int]
    size: int
    rows: tuple[int, ...]  # tiles' top edges in the scaled image
    columns: tuple[int, ...]  # tiles' left edges

    @property
    def count(self) -> int:
        return len(self.rows) * len(self.columns)

    @property
    def origins(self) -> list[tuple[int, int]]:
        """Every tile's (top, left), row by row."""
        return [(top, left) for top in self.rows for left in self.columns]

    def placements(self) -> list[Placement]:
        """Where each tile's content lies inside its working square (all of it, unless a side was padded)."""
        height, width = self.scaled_shape
        content = (min(height, self.size), min(width, self.size))
        top, left = (self.size - content[0]) // 2 if height < self.size else 0, (self.size - content[1]) // 2 if width < self.size else 0
        return [Placement(content, top, left, *content) for _ in range(self.count)]


def starts(length: int, size: int, overlap: int) -> tuple[int, ...]:
    """Tile starts along one side of ``length`` px: as few tiles as cover it with at least ``overlap`` px
    shared between neighbours, spread evenly (a side no longer than a tile has one tile)."""
    if length <= size:
        return (0,)
    count = math.ceil((length - overlap) / (size - overlap))
    return tuple(int(round(i * (length - size) / (count - 1))) for i in range(count))


def tile_grid(shape: tuple[int, int], scale: float, size: int, overlap: int) -> TileGrid:
    """The tiles of an image of ``shape`` (H, W) seen at ``scale`` in ``size`` squares sharing ``overlap`` px."""
    if not 0 <= overlap < size:
        raise ValueError(f"tile overlap must be at least 0 and below the tile size {size}, not {overlap}")
    scaled = (max(1, round(shape[0] * scale)), max(1, round(shape[1] * scale)))
    return TileGrid(tuple(shape), scaled, size, starts(scaled[0], size, overlap), starts(scaled[1], size, overlap))


def cut_tiles(image: np.ndarray, grid: TileGrid) -> np.ndarray:
    """An (H, W, C) float image as (tiles, C, S, S) working squares, by ``grid``."""
    height, width = grid.scaled_shape
    interpolation = cv2.INTER_AREA if height * width < image.shape[0] * image.shape[1] else cv2.INTER_LINEAR
    scaled = cv2.resize(image, (width, height), interpolation=interpolation)
    if scaled.ndim == 2:
        scaled = scaled[:, :, None]
    pad_rows, pad_columns = max(0, grid.size - height), max(0, grid.size - width)
    padded = np.pad(
        scaled,
        ((pad_rows // 2, pad_rows - pad_rows // 2), (pad_columns // 2, pad_columns - pad_columns // 2), (0, 0)),
        mode="symmetric",
    )
    tiles = [padded[top : top + grid.size, left : left + grid.size] for top, left in grid.origins]
    return np.ascontiguousarray(np.stack(tiles).transpose(0, 3, 1, 2))


def owners(tile_starts: tuple[int, ...], size: int, length: int) -> list[tuple[int, int]]:
    """Along one side, the stretch of the scaled image each tile gives the merged map: pixels nearer its
    centre than any other tile's."""
    centres = [start + size / 2 for start in tile_starts]
    cuts = [0] + [int(round((a + b) / 2)) for a, b in zip(centres, centres[1:])] + [length]
    return list(zip(cuts, cuts[1:]))


def merge_tiles(content_maps: list[np.ndarray], grid: TileGrid) -> np.ndarray:
    """One map at the scaled image's size from each tile's content map (as :func:`crop_content` gives them)."""
    height, width = grid.scaled_shape
    merged = np.empty((height, width), dtype=np.float32)
    row_stretches = owners(grid.rows, grid.size, height)
    column_stretches = owners(grid.columns, grid.size, width)
    tiles = iter(content_maps)
    for top, (row_from, row_to) in zip(grid.rows, row_stretches):
        for left, (column_from, column_to) in zip(grid.columns, column_stretches):
            tile = next(tiles)
            merged[row_from:row_to, column_from:column_to] = tile[row_from - top : row_to - top, column_from - left : column_to - left]
    return merged


def working_squares(image: np.ndarray, config: ModelConfig) -> tuple[np.ndarray, list[Placement], TileGrid | None]:
    """An (H, W, C) float image as the working squares the model sees: (k, C, S, S), where each one's
    content lies, and the grid that merges their maps (None: one square, ``fit`` or ``stretch``)."""
    if config.resize_mode != "tiles":
        square, placement = to_working(image, config)
        return square[None], [placement], None
    grid = tile_grid(image.shape[:2], config.working_scale, config.image_size, config.tile_overlap)
    return cut_tiles(image, grid), grid.placements(), grid


def merge_views(content_maps: list[np.ndarray], grids: tuple[TileGrid, ...] | None) -> list[np.ndarray]:
    """One map per image from the squares' content maps: as they are without grids, else each image's
    tiles (consecutive, ``grid.count`` of them) merged."""
    if grids is None:
        return content_maps
    merged, start = [], 0
    for grid in grids:
        merged.append(merge_tiles(content_maps[start : start + grid.count], grid))
        start += grid.count
    return merged
