"""Camera re-renderings of good images: each part changes the image as its camera effect would, seeded."""

import cv2
import numpy as np
import pytest

from radar_desktop.engine.jobs.calibrate import WorkingImages
from radar_desktop.engine.preprocess import Placement
from radar_desktop.sources.camera_variation import PARTS, CameraVariation


def lattice(size: int = 64) -> np.ndarray:
    y, x = np.mgrid[:size, :size]
    return (128 + 60 * np.sin(x / 3.0) * np.cos(y / 4.0)).astype(np.uint8)[:, :, None]


@pytest.mark.parametrize("part", PARTS)
def test_each_part_alone_changes_the_image_and_keeps_its_shape(part):
    image = lattice()
    rendered = [CameraVariation(parts=(part,), chance=1.0).render(image, np.random.default_rng(seed)) for seed in range(4)]
    assert all(r.shape == image.shape and r.dtype == np.uint8 for r in rendered)
    assert any(np.abs(r.astype(int) - image).mean() > 0.5 for r in rendered), part


def test_blur_softens_jpeg_leaves_block_artefacts_and_light_moves_the_mean():
    image = lattice()
    rng = np.random.default_rng(0)
    blurred = CameraVariation(parts=("blur",), chance=1.0, blur_sigma=(1.0, 1.0)).render(image, rng)
    assert np.abs(np.diff(blurred[:, :, 0].astype(int), axis=1)).mean() < np.abs(np.diff(image[:, :, 0].astype(int), axis=1)).mean()
    squeezed = CameraVariation(parts=("jpeg",), chance=1.0, jpeg_quality=(60, 60)).render(image, rng)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 60])
    assert np.array_equal(squeezed[:, :, 0], cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED))
    darker = CameraVariation(parts=("light",), chance=1.0, gain=(0.8, 0.8), gamma=(1.0, 1.0)).render(image, rng)
    assert darker.mean() == pytest.approx(0.8 * image.mean(), rel=0.02)


def test_the_same_seed_renders_the_same_images_and_colour_keeps_three_channels():
    images = WorkingImages(np.stack([lattice().transpose(2, 0, 1)] * 3), (Placement((64, 64), 0, 0, 64, 64),) * 3)
    first = images.with_variation(CameraVariation(), copies=2, seed=5)
    again = images.with_variation(CameraVariation(), copies=2, seed=5)
    assert first.pixels.shape == (9, 1, 64, 64) and len(first.placements) == 9
    assert np.array_equal(first.pixels, again.pixels) and np.array_equal(first.pixels[:3], images.pixels)
    assert images.with_variation(CameraVariation.only("none"), copies=2) is images
    colour = np.repeat(lattice(), 3, axis=2)
    assert CameraVariation().render(colour, np.random.default_rng(1)).shape == (64, 64, 3)


def test_each_part_comes_alone_in_some_renderings_and_together_in_others():
    image = lattice()
    rng = np.random.default_rng(0)
    plain_blur = CameraVariation(parts=("blur",), chance=1.0, blur_sigma=(1.0, 1.0)).render(image, np.random.default_rng(0))
    renders = [CameraVariation(blur_sigma=(1.0, 1.0), shift_px=0).render(image, rng) for _ in range(64)]
    untouched = sum(np.array_equal(r, image) for r in renders)
    assert 0 < untouched < 8  # every part skipped: 1 in 32
    assert any(np.array_equal(r, plain_blur) for r in renders)  # the blur alone


def test_an_unknown_part_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="unknown camera variation focus; choose from shift"):
        CameraVariation.only("jpeg,focus")
