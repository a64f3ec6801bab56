"""Synthetic defects and the defect head that learns to segment them from the single-step features."""

import numpy as np
import pytest
import torch

from radar_desktop.core.cancel import CancelToken, Cancelled
from radar_desktop.engine.config import TrainConfig, tiny_config
from radar_desktop.engine.scorers.defect_head import DefectHead, train_defect_head
from radar_desktop.engine.models.pixel import PixelRadarModel
from radar_desktop.engine.models.pixel import single_step
from radar_desktop.engine.synthetic_defects import defect_batch
from tests.synthetic import texture


def _good(count: int = 8, size: int = 64) -> np.ndarray:
    rng = np.random.default_rng(3)
    return np.stack([texture(rng, size)[None] for _ in range(count)])


def test_defect_batch_changes_exactly_the_crops_it_marks():
    good = _good()
    crops, masks = defect_batch(good, 200, 32, np.random.default_rng(0))
    assert crops.shape == (200, 1, 32, 32) and masks.shape == (200, 32, 32)
    assert crops.dtype == np.float32 and 0.0 <= crops.min() and crops.max() <= 1.0
    marked = masks.reshape(200, -1).max(axis=1) > 0
    assert 60 < marked.sum() < 140  # about half carry a defect
    assert set(np.unique(masks)) <= {0.0, 1.0}
    again, again_masks = defect_batch(good, 200, 32, np.random.default_rng(0))
    np.testing.assert_array_equal(crops, again)  # seeded: the same batch again
    np.testing.assert_array_equal(masks, again_masks)


def test_unmarked_crops_are_plain_crops_of_good_images():
    good = _good(count=1, size=32)  # one image, crop = whole image: every crop is that image
    crops, masks = defect_batch(good, 50, 32, np.random.default_rng(1))
    plain = masks.reshape(50, -1).max(axis=1) == 0
    np.testing.assert_allclose(crops[plain], np.repeat(good.astype(np.float32) / 255.0, plain.sum(), axis=0))


def test_head_learns_to_find_synthetic_defects_it_has_not_seen(torch_threads):
    torch.manual_seed(0)
    model = PixelRadarModel.create(tiny_config()).for_inference()
    head = train_defect_head(model, _good(), max_seconds=None, max_steps=120)
    crops, masks = defect_batch(_good(), 64, 32, np.random.default_rng(99))  # other draws than training's seed
    output = single_step(model, torch.from_numpy(crops), with_noise=False)
    chances = head.probabilities(output.features, output.images)
    inside = torch.from_numpy(masks) > 0
    assert inside.any()
    assert chances[inside].mean() > chances[~inside].mean() + 0.2


def test_head_weights_rebuild_the_same_head_and_it_reads_a_batch_in_pieces_as_a_whole():
    head = DefectHead(feature_channels=24, image_channels=1, width=16).eval()  # as saved before the default was 8
    rebuilt = DefectHead.from_state(head.state_dict())  # channels-last, a few images per call on the CPU
    assert rebuilt.at_full[0].out_channels == 16
    features, images = torch.randn(5, 24, 4, 4), torch.rand(5, 1, 16, 16)
    with torch.inference_mode():
        whole = torch.sigmoid(head(features, images))[:, 0]
    torch.testing.assert_close(rebuilt.probabilities(features, images), whole)


def test_head_training_stops_when_cancelled():
    token = CancelToken()
    token.cancel()
    model = PixelRadarModel.create(tiny_config()).for_inference()
    with pytest.raises(Cancelled):
        train_defect_head(model, _good(), max_seconds=None, max_steps=10, cancel=token)


def test_the_head_takes_its_share_of_a_time_budget_from_the_unet():
    settings = TrainConfig(max_seconds=600.0, head_share=0.25)
    assert settings.unet_budget().max_seconds == 450.0
    assert settings.head_budget() == (150.0, None)
    steps_only = TrainConfig(max_steps=40, max_seconds=None)
    assert steps_only.unet_budget() == steps_only and steps_only.head_budget() == (None, 13)  # a third of 40
    with pytest.raises(ValueError):
        TrainConfig(head_share=1.0)


def test_the_progress_bar_moves_through_the_head_training_in_its_share():
    from radar_desktop.engine.jobs.calibrate import WorkingImages, fit_scorers
    from radar_desktop.engine.preprocess import whole_square
    from radar_desktop.engine.scorers.segment import SegmentScorer

    model = PixelRadarModel.create(tiny_config()).for_inference()
    good = WorkingImages(_good(count=10), (whole_square(64),) * 10)
    reports = []
    fit_scorers(model, [SegmentScorer(max_seconds=None, max_steps=20)], good.subset(list(range(6))), good.subset([6, 7, 8, 9]),
                batch_size=2, finishing_share=0.5, progress=lambda fraction, message: reports.append((fraction, message)))
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    head = [f for f, m in reports if m.startswith("training the defect head")]
    assert len(head) == 20
    assert head[0] == pytest.approx(0.6 * 0.5 + 0.5 / 20) and head[-1] == pytest.approx(0.6 * 0.5 + 0.5)
