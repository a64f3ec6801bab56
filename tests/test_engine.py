"""Engine tests on a tiny seeded U-Net and synthetic images (CPU, seconds)."""

import numpy as np
import pytest
import torch

from radar_desktop.core.cancel import CancelToken, Cancelled
from radar_desktop.engine.config import ModelConfig, TrainConfig, tiny_config
from radar_desktop.engine.coreset import nearest_distance
from radar_desktop.engine.device import resolve_device
from radar_desktop.engine.models.pixel import PixelRadarModel
from radar_desktop.engine.models.spaces import load_model
from radar_desktop.engine.models.patches import extract_patches, fold_patches, stitch_patches
from radar_desktop.engine.preprocess import crop_content, to_shape, to_working
from radar_desktop.engine.models.diffusion import ddim_timesteps
from radar_desktop.engine.models.pixel import single_step
from radar_desktop.engine.jobs.training import train
from tests.synthetic import texture

CPU = torch.device("cpu")


def _good_stack(count=6, size=64, seed=0):
    rng = np.random.default_rng(seed)
    return np.stack([texture(rng, size)[None] for _ in range(count)])


@pytest.mark.parametrize("stride", [16, 8])
def test_patches_stitch_back_exactly(stride):
    images = torch.randn(2, 3, 64, 64)
    patches = extract_patches(images, 16, stride)
    assert torch.allclose(stitch_patches(patches, 2, 64, stride), images)


def test_tiling_patches_stitch_as_fold_places_them():
    patches = torch.randn(2 * 16, 3, 16, 16)  # any maps, not only ones cut from an image
    assert torch.equal(stitch_patches(patches, 2, 64, 16), fold_patches(patches, 2, 64, 16))


def test_fit_preprocessing_pads_and_maps_back_to_the_original_size():
    config = tiny_config()
    image = np.random.default_rng(0).random((30, 50, 1)).astype(np.float32)
    working, placement = to_working(image, config)
    assert working.shape == (1, 64, 64)
    assert (placement.height, placement.width) == (38, 64)  # aspect kept
    content = crop_content(np.full((64, 64), 2.5, np.float32), placement)
    assert content.shape == (38, 64)
    back = to_shape(content, placement.original_shape)
    assert back.shape == (30, 50) and np.allclose(back, 2.5)
    stretched, _ = to_working(image, tiny_config(resize_mode="stretch"))
    assert stretched.shape == (1, 64, 64)


def test_config_validation_and_json_round_trip(tmp_path):
    with pytest.raises(ValueError, match="stride"):
        tiny_config(stride=6)
    with pytest.raises(ValueError, match="channels"):
        ModelConfig(channels=2)
    path = tmp_path / "c.json"
    tiny_config().save(path)
    assert ModelConfig.load(path) == tiny_config()


def test_device_auto_and_refusal():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type in ("cpu", "cuda", "mps")
    with pytest.raises(ValueError):
        resolve_device("tpu")


def test_saved_model_reloads_with_identical_predictions(tmp_path, torch_threads):
    model = PixelRadarModel.create(tiny_config()).for_inference()
    model.save(tmp_path / "m")
    assert (tmp_path / "m" / "unet" / "diffusion_pytorch_model.safetensors").is_file()
    loaded = load_model(tmp_path / "m", CPU)
    images = torch.rand(2, 1, 64, 64)
    a, b = single_step(model, images), single_step(loaded, images)
    assert torch.equal(a.noise_pred, b.noise_pred)


def test_single_step_is_deterministic_and_independent_of_batching(torch_threads):
    model = PixelRadarModel.create(tiny_config(stride=8)).for_inference()
    images = torch.rand(3, 1, 64, 64)
    together = single_step(model, images)
    alone = single_step(model, images[1:2])
    assert together.noise_error.shape == (3, 64, 64)
    assert together.features.shape[0] == 3 and together.features.shape[2:] == (16, 16)
    torch.testing.assert_close(together.noise_error[1:2], alone.noise_error, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(together.features[1:2], alone.features, rtol=1e-4, atol=1e-5)


def test_a_features_only_pass_stops_early_with_the_same_features(torch_threads):
    model = PixelRadarModel.create(tiny_config(stride=8)).for_inference()
    images = torch.rand(2, 1, 64, 64)
    full = single_step(model, images)
    features_only = single_step(model, images, with_noise=False)
    assert features_only.noise_pred is None and features_only.noise_error is None
    torch.testing.assert_close(features_only.features, full.features)
    nothing = single_step(model, images, with_features=False, with_noise=False)
    assert nothing.features is None and nothing.noise_pred is None
    torch.testing.assert_close(nothing.images, full.images)


def test_nearest_distance_matches_an_exhaustive_search(torch_threads):
    generator = torch.Generator().manual_seed(0)
    queries, bank = torch.randn(2500, 40, generator=generator), torch.randn(700, 40, generator=generator)
    expected = torch.cdist(queries, bank).min(dim=1).values
    torch.testing.assert_close(nearest_distance(queries, bank, chunk=1000), expected, rtol=1e-4, atol=1e-4)
    assert nearest_distance(bank[:5], bank).max() < 1e-2  # a bank row is its own nearest neighbour


def test_training_lowers_the_loss(torch_threads):
    settings = TrainConfig(max_steps=80, max_seconds=None, batch_size=16, learning_rate=2e-3)
    _, report = train(tiny_config(), _good_stack(), settings, CPU)
    assert report.steps == 80
    assert report.final_loss < report.losses[0]


def test_cancelled_training_resumes_from_its_checkpoint(tmp_path, torch_threads):
    settings = TrainConfig(max_steps=30, max_seconds=None, batch_size=8)
    token = CancelToken()

    def stop_at_12(fraction, message):
        if message.startswith("step 12,"):
            token.cancel()

    with pytest.raises(Cancelled):
        train(tiny_config(), _good_stack(), settings, CPU, checkpoint_dir=tmp_path / "ck", cancel=token, progress=stop_at_12)
    assert (tmp_path / "ck" / "optimizer.safetensors").is_file()
    _, report = train(tiny_config(), _good_stack(), settings, CPU, checkpoint_dir=tmp_path / "ck")
    assert report.resumed_from_step == 12 and report.steps == 30


def test_a_checkpoint_of_another_config_is_not_resumed(tmp_path, torch_threads):
    settings = TrainConfig(max_steps=5, max_seconds=None, batch_size=8, checkpoint_every_s=0.0)
    train(tiny_config(), _good_stack(), settings, CPU, checkpoint_dir=tmp_path / "ck")
    _, report = train(tiny_config(inference_t=10), _good_stack(), settings, CPU, checkpoint_dir=tmp_path / "ck")
    assert report.resumed_from_step is None


def test_ddim_schedule_ends_at_zero():
    assert ddim_timesteps(250, 10)[0] == 250 and ddim_timesteps(250, 10)[-1] == 0
    assert len(ddim_timesteps(250, 10)) == 11
