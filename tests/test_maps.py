import numpy as np
import pytest

from radar_desktop.core import maps


def test_gaussian_blur_keeps_constant_images_and_sums():
    flat = np.full((12, 9), 3.0, dtype=np.float32)
    np.testing.assert_allclose(maps.gaussian_blur(flat), flat, rtol=1e-6)
    assert maps.gaussian_kernel(5).tolist() == pytest.approx([1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16])


def test_sobel_magnitude_of_a_ramp_is_constant_inside():
    ramp = np.tile(np.arange(20, dtype=np.float32), (10, 1))  # slope 1 along x
    magnitude = maps.sobel_magnitude(ramp, 5)
    # the 5x5 Sobel derivative of a unit ramp is 16 (smoothing) * 8 (derivative weights)
    np.testing.assert_allclose(magnitude[3:-3, 3:-3], 128.0, rtol=1e-5)


def test_window_l2_max_matches_brute_force():
    rng = np.random.default_rng(1)
    image = rng.random((47, 61))
    expected = max(
        np.linalg.norm(image[y : y + 20, x : x + 20]) for y in range(0, 28, 20) for x in range(0, 42, 20)
    )
    assert maps.window_l2_max(image, 20, 20) == pytest.approx(expected)
