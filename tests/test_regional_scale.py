"""Maps read at two scales: a broad faint rise stands out, a small peak keeps its height."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from radar_desktop.core.metrics import auroc
from radar_desktop.core.regional_scale import RegionalAccumulator, RegionalScale, neighbourhood_mean


def good_map(rng: np.random.Generator, shape: tuple[int, int] = (256, 640)) -> np.ndarray:
    """Noise smoothed over a few pixels, about unit spread: a good part's z-map from a stride-8 grid."""
    noise = ndimage.gaussian_filter(rng.normal(size=shape), 4)
    return (noise / noise.std()).astype(np.float32)


@pytest.mark.parametrize("shape", [(256, 640), (203, 517), (30, 20), (3, 5)])
def test_the_neighbourhood_mean_keeps_the_map_size_and_a_constant(shape):
    constant = np.full(shape, 2.5, np.float32)
    result = neighbourhood_mean(constant, 64)
    assert result.shape == shape
    assert np.allclose(result, 2.5, atol=1e-5)


def test_the_neighbourhood_mean_follows_the_exact_gaussian_average():
    broad = good_map(np.random.default_rng(0), (256, 640))
    broad[64:192, 200:400] += 3.0
    exact = ndimage.gaussian_filter(broad, 64, mode="nearest")
    shrunk = neighbourhood_mean(broad, 64)
    assert np.corrcoef(exact.ravel(), shrunk.ravel())[0, 1] > 0.99
    # the edges are extended by 8 px blocks, not single pixels: away from them the two agree closely
    assert np.abs(exact - shrunk)[64:-64, 64:-64].max() < 0.05 * np.ptp(exact)


def fitted(rng: np.random.Generator, sigma: float = 64) -> RegionalScale:
    accumulator = RegionalAccumulator(sigma)
    for _ in range(6):
        accumulator.add(good_map(rng))
    return accumulator.finish()


def test_good_maps_give_unit_pixels_and_a_narrower_neighbourhood_spread():
    scale = fitted(np.random.default_rng(1))
    assert scale.pixel[0] == pytest.approx(0.0, abs=0.05) and scale.pixel[1] == pytest.approx(1.0, abs=0.05)
    assert scale.regional[1] < 0.25 * scale.pixel[1]
    assert RegionalScale.from_array(scale.to_array()) == scale


def test_a_broad_faint_rise_stands_out_at_two_scales_and_a_small_peak_keeps_its_height():
    rng = np.random.default_rng(2)
    scale = fitted(rng)
    anomaly_map = good_map(rng)
    faint = np.zeros(anomaly_map.shape, bool)
    faint[:, 40:240] = True  # a band a fifth of the part wide, lifted by half a good pixel's spread
    anomaly_map[faint] += 0.5
    anomaly_map[120:128, 500:508] += 6.0  # a small strong defect
    shown = scale.apply(anomaly_map)
    pixel = (anomaly_map - scale.pixel[0]) / scale.pixel[1]
    away_from_peak = np.ones(faint.shape, bool)
    away_from_peak[60:190, 440:570] = False
    assert auroc(faint[away_from_peak], shown[away_from_peak]) > auroc(faint[away_from_peak], pixel[away_from_peak]) + 0.15
    assert shown[120:128, 500:508].max() == pytest.approx(pixel[120:128, 500:508].max(), abs=1.5)


def test_no_good_map_seen_is_refused():
    with pytest.raises(ValueError, match="no good map"):
        RegionalAccumulator(64).finish()
