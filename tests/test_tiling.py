"""Tiles at a chosen scale: cutting, merging back, pooling that does not grow with area."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from radar_desktop.core.pooling import area_adjusted, block_parts, blocks
from radar_desktop.engine.jobs.calibrate import WorkingImages
from radar_desktop.engine.preprocess import crop_content
from radar_desktop.engine.tiling import cut_tiles, merge_tiles, merge_views, starts, tile_grid


@pytest.mark.parametrize(
    ("shape", "scale"), [((500, 1250), 256 / 500), ((100, 600), 1.0), ((300, 300), 1.0), ((1024, 1280), 0.5), ((50, 40), 1.0)]
)
def test_tiles_merge_back_into_the_scaled_image(shape, scale):
    image = np.random.default_rng(0).random((*shape, 1)).astype(np.float32)
    grid = tile_grid(shape, scale, 256, 32)
    tiles = cut_tiles(image, grid)
    assert tiles.shape == (grid.count, 1, 256, 256)
    # each tile's "map" is its own pixels: merged, they must be the scaled image, padding dropped
    maps = [crop_content(tile[0], placement) for tile, placement in zip(tiles, grid.placements())]
    merged = merge_tiles(maps, grid)
    height, width = grid.scaled_shape
    shrinking = height * width < shape[0] * shape[1]
    scaled = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)
    np.testing.assert_array_equal(merged, scaled)


def test_a_long_part_keeps_its_aspect_in_one_row_of_overlapping_tiles():
    grid = tile_grid((500, 1250), 256 / 500, 256, 32)
    assert grid.scaled_shape == (256, 640)
    assert grid.rows == (0,) and grid.columns == (0, 192, 384)
    assert all(b - a <= 256 - 32 for a, b in zip(grid.columns, grid.columns[1:]))  # neighbours share >= 32 px


@pytest.mark.parametrize("length", [1, 255, 256, 257, 480, 481, 1000, 4096])
def test_tile_starts_cover_the_side_with_the_overlap(length):
    found = starts(length, 256, 32)
    assert found[0] == 0 and found[-1] + 256 >= length
    assert all(0 < b - a <= 256 - 32 for a, b in zip(found, found[1:]))


def test_tiles_of_each_image_merge_separately():
    grids = (tile_grid((64, 200), 1.0, 64, 16), tile_grid((64, 64), 1.0, 64, 16))
    maps = [np.full((64, 64), i, np.float32) for i in range(grids[0].count + 1)]
    first, second = merge_views(maps, grids)
    assert first.shape == (64, 200) and second.shape == (64, 64)
    assert set(np.unique(first)) == set(range(grids[0].count)) and np.all(second == grids[0].count)
    assert merge_views(maps, None) is maps


def test_working_images_batch_whole_images_and_subset_by_image():
    grids = tuple(tile_grid((64, width), 1.0, 64, 16) for width in (64, 200, 120, 64))
    squares = sum(g.count for g in grids)
    images = WorkingImages(np.arange(squares, dtype=np.uint8)[:, None, None, None], tuple([None] * squares), grids)
    assert images.count == 4
    groups = list(images.batches(4))
    assert [count for count, _ in groups] == [1, 1, 2]  # 1 + 4 tiles would pass 4; 2 + 1 fits
    assert sum(len(group.pixels) for _, group in groups) == squares
    picked = images.subset([1, 3])
    assert picked.count == 2 and len(picked.pixels) == grids[1].count + 1
    assert picked.pixels[-1, 0, 0, 0] == squares - 1


def test_maps_no_larger_than_a_square_pool_as_one_block():
    square = np.random.default_rng(1).random((256, 200)).astype(np.float32)
    assert len(blocks(square, 256)) == 1 and len(blocks(square, None)) == 1
    assert len(blocks(np.zeros((256, 640)), 256)) == 2
    assert block_parts(np.zeros((256, 1024)), 256).shape == (4, 2)


def test_the_highest_of_more_good_blocks_reads_like_one_block():
    rng = np.random.default_rng(2)
    for count in (1, 3, 8):
        peaks = rng.standard_normal((20_000, count)).max(axis=1)
        adjusted = np.array([area_adjusted(z, count) for z in peaks])
        assert abs(np.mean(adjusted > 2.326) - 0.01) < 0.004  # the 1 % line keeps its rate
        assert abs(np.median(adjusted)) < 0.05
    assert area_adjusted(3.0, 1) == 3.0 and area_adjusted(3.0, 4) < 3.0
