"""Good maps near the image's edges: band statistics, and maps put on good pixels' scale (core, no torch)."""

from __future__ import annotations

import numpy as np
import pytest

from radar_desktop.core.edge_statistics import BANDS, EdgeAccumulator, EdgeStatistics, band_labels


def ringed_map(shape, rng, rim: float = 5.0) -> np.ndarray:
    """Noise that rises in a ring along the border, most in the corners, as an encoder's maps do."""
    h, w = shape
    y, x = np.mgrid[0:h, 0:w]
    edge = np.minimum(np.minimum(y, h - 1 - y), np.minimum(x, w - 1 - x))
    corner = np.minimum(y, h - 1 - y) + np.minimum(x, w - 1 - x)
    return (rng.normal(0, 1, shape) + rim * (edge < 8) + rim * (corner < 16)).astype(np.float32)


def test_bands_count_in_from_each_edge_and_the_middle_is_one_band():
    labels = band_labels((128, 160), (0, 0, 128, 160), 8, BANDS)
    side = 2 * BANDS + 1
    assert labels[0, 0] == 0 and labels[127, 159] == side * side - 1  # the top-left and bottom-right corners
    assert labels[64, 80] == labels[40, 40] == BANDS * side + BANDS  # the middle, 32 px or more from every edge
    assert len(np.unique(labels)) == side * side
    # content placed inside a padded square: bands count from the content's edges, padding clamps to them
    padded = band_labels((64, 64), (16, 0, 32, 64), 8, BANDS)
    assert (padded[:17, 40] == padded[16, 40]).all() and padded[16, 40] // side == 0  # the top band


def test_good_maps_normalised_by_their_bands_lose_the_ring_and_keep_a_defect():
    rng = np.random.default_rng(0)
    accumulator = EdgeAccumulator(band=8)
    for _ in range(30):
        accumulator.add(ringed_map((64, 80), rng))
    stats = accumulator.finish()
    good = stats.normalise(ringed_map((64, 80), rng))
    assert abs(good[:4].mean() - good[28:36].mean()) < 0.5  # the border reads as the middle does
    assert good[0, 0] < 4.0
    bad = ringed_map((64, 80), rng)
    bad[30:34, 40:44] += 8.0
    assert stats.normalise(bad)[30:34, 40:44].mean() > 5.0
    # a longer image of the same product has the same bands: the statistics apply at any size
    assert stats.normalise(ringed_map((64, 200), rng))[:, :4].mean() == pytest.approx(0.0, abs=0.5)


def test_edge_statistics_survive_their_saved_array():
    rng = np.random.default_rng(1)
    accumulator = EdgeAccumulator(band=8)
    accumulator.add(ringed_map((40, 40), rng))
    stats = accumulator.finish()
    again = EdgeStatistics.from_array(stats.to_array())
    assert again.band == 8 and again.bands == BANDS
    image = ringed_map((40, 40), rng)
    assert np.array_equal(again.normalise(image), stats.normalise(image))
