"""RADAR in the encoder's feature space: the model, its single step, its profile and its pooling."""

from __future__ import annotations

from dataclasses import asdict, replace

import numpy as np
import pytest
import torch

from radar_desktop.core.pooling import combine_parts, part_statistics, pool_parts
from radar_desktop.engine.config import ModelConfig, TrainConfig, default_config
from radar_desktop.engine.models.encoder import ENCODER_NAME, WEIGHTS_SHA256
from radar_desktop.engine.jobs.evaluation import evaluate_scorers
from radar_desktop.engine.models.features import FeatureRadarModel, feature_channels, intensity_channels
from radar_desktop.engine.jobs.inspection import Inspector, forward_for
from radar_desktop.engine.models.spaces import load_model, model_record
from radar_desktop.engine.scorers.registry import SCORERS, make_scorer
from radar_desktop.engine.jobs.training import train, untrained
from radar_desktop.profiles.summary import profile_summary
from radar_desktop.sources.images import read_image
from radar_desktop.sources.mvtec import labelled_test_images
from tests.synthetic import add_defect, texture

CPU = torch.device("cpu")
CONFIG = default_config("encoder", image_size=64, denoiser_width=32)


def good_images(count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.stack([texture(rng, 64)[None] for _ in range(count)])


def test_single_step_reads_features_and_noise_error_on_the_working_grid(torch_threads):
    model = FeatureRadarModel.create(CONFIG).for_inference()
    model.training_data(torch.from_numpy(good_images(4)))
    images = torch.from_numpy(good_images(3, seed=1)).float() / 255
    output = forward_for(model, images, [make_scorer("residual"), make_scorer("features")])
    assert output.features.shape == (3, 154, 8, 8)  # blocks 4 + 10 joined at stride 8, and 2 intensity channels
    assert output.noise_error.shape == (3, 64, 64)
    assert output.noise_pred is None
    alone = forward_for(model, images[1:2], [make_scorer("residual")])
    torch.testing.assert_close(alone.noise_error[0], output.noise_error[1], atol=1e-5, rtol=1e-4)


def test_training_data_keeps_every_standardised_vector_in_order_under_the_cap(torch_threads):
    model = FeatureRadarModel.create(CONFIG)
    pixels = torch.from_numpy(good_images(11))  # not a whole number of encoder chunks
    data = model.training_data(pixels).vectors
    raw = model.raw_features(pixels.float() / 255)
    vectors = raw.permute(0, 2, 3, 1).reshape(-1, raw.shape[1])
    assert torch.equal(data, (vectors - vectors.mean(dim=0)) / vectors.std(dim=0).clamp_min(1e-6))


def test_training_data_beyond_the_cap_keeps_a_seeded_share_of_every_chunk(torch_threads, monkeypatch):
    import radar_desktop.engine.models.features as features

    monkeypatch.setattr(features, "MAX_TRAINING_VECTORS", 200)  # 11 images x 64 cells = 704 vectors
    model = FeatureRadarModel.create(CONFIG)
    pixels = torch.from_numpy(good_images(11))
    data = model.training_data(pixels).vectors
    assert data.shape == (200, feature_channels(CONFIG))
    torch.testing.assert_close(data.mean(dim=0), torch.zeros(data.shape[1]), atol=1e-4, rtol=0)
    raw = model.raw_features(pixels.float() / 255)
    vectors = raw.permute(0, 2, 3, 1).reshape(-1, raw.shape[1])
    kept = data * model.denoiser.feature_std + model.denoiser.feature_mean
    distances = (kept[:, None] - vectors[None]).norm(dim=-1)
    nearest = distances.argmin(dim=1)
    assert distances.min(dim=1).values.max() < 1e-2  # each one a real vector (norms about 50), not a mix
    assert len(set(nearest.tolist())) == 200
    assert (nearest[:145] < 512).all() and (nearest[145:] >= 512).all()  # first chunk's share (8/11), then the rest's
    torch.testing.assert_close(model.training_data(pixels).vectors, data)  # the same sample each time


def test_coverage_images_include_the_rare_look_and_fill_their_share_of_each_batch(torch_threads):
    pixels = good_images(16)
    pixels[5] = np.where(np.arange(64) % 16 < 8, 30, 220).astype(np.uint8)  # stripes: a rare design, 1 of 16
    model = FeatureRadarModel.create(replace(CONFIG, coverage_share=0.5))
    data = model.training_data(torch.from_numpy(pixels))
    cells = model.grid**2
    images = torch.unique(data.coverage // cells)  # under the cap, image i's vectors are rows i * cells ...
    assert images.numel() == 2  # an eighth of 16
    assert 5 in images.tolist()
    assert torch.equal(data.coverage, torch.cat([torch.arange(i * cells, (i + 1) * cells) for i in images.tolist()]))
    batch = model.sample_batch(data, 4, torch.Generator().manual_seed(0))
    from_rare = (batch[:, None] == data.vectors[5 * cells : 6 * cells][None]).all(dim=-1).any(dim=1)
    assert batch.shape[0] == 4 * 128
    assert 0.15 < from_rare.float().mean() < 0.4  # about half the batch from 2 coverage images; 1/16 when uniform
    uniform = model.sample_batch(data, 4, torch.Generator().manual_seed(0), uniform=True)
    plain = FeatureRadarModel.create(replace(CONFIG, coverage_share=0.0))  # every batch drawn as before the share
    assert torch.equal(plain.sample_batch(plain.training_data(torch.from_numpy(pixels)), 4, torch.Generator().manual_seed(0)), uniform)


def test_a_new_encoder_profile_trains_with_the_coverage_share_and_old_configs_without():
    assert default_config("encoder").coverage_share == 0.5
    assert ModelConfig.from_dict({"space": "encoder"}).coverage_share == 0.0
    with pytest.raises(ValueError, match="coverage_share"):
        ModelConfig(space="encoder", coverage_share=1.0)


def test_training_lowers_the_noise_error_on_good_features(torch_threads):
    pixels = good_images(8)
    trained, report = train(CONFIG, pixels, TrainConfig(max_steps=400, max_seconds=None, batch_size=16), CPU)
    control = untrained(CONFIG, pixels, CPU)
    assert report.steps == 400 and report.final_loss < report.losses[0]
    images = torch.from_numpy(good_images(4, seed=2)).float() / 255
    # the raw squared error (the maps divide it by each model's own error on good features)
    errors = [m.channel_errors(m.features(images), m.map_noise(4)).mean().item() for m in (trained, control)]
    assert errors[0] < 0.9 * errors[1]


def test_a_saved_model_reloads_with_identical_maps(tmp_path, torch_threads):
    model, _ = train(CONFIG, good_images(6), TrainConfig(max_steps=20, max_seconds=None, batch_size=8), CPU)
    model.save(tmp_path / "m")
    assert (tmp_path / "m" / "denoiser" / "diffusion_pytorch_model.safetensors").is_file()
    loaded = load_model(tmp_path / "m", CPU)
    assert isinstance(loaded, FeatureRadarModel) and loaded.config == model.config
    images = torch.from_numpy(good_images(2, seed=3)).float() / 255
    a, b = (forward_for(m, images, [make_scorer("residual"), make_scorer("features")]) for m in (model, loaded))
    assert torch.equal(a.features, b.features)
    # the same weights; read back from safetensors they may sit at another memory alignment, where BLAS
    # may sum in another order (seen on an AMD EPYC: 4e-7 apart), so equal to float32 rounding
    torch.testing.assert_close(a.noise_error, b.noise_error, rtol=1e-5, atol=1e-6)


def test_reconstruction_baseline_runs_in_the_feature_space(torch_threads):
    model, _ = train(CONFIG, good_images(6), TrainConfig(max_steps=20, max_seconds=None, batch_size=8), CPU)
    images = torch.from_numpy(good_images(2, seed=4)).float() / 255 * 2 - 1
    error = model.reconstruction_error(images, start_t=250, steps=5)
    assert error.shape == (2, 64, 64) and torch.isfinite(error).all() and (error >= 0).all()


def test_the_profile_offers_the_feature_space_scorers_and_cites_the_encoder(encoder_profile):
    assert set(encoder_profile.scorers) == {"fused", "radar", "features", "residual", "recon"}
    assert encoder_profile.default_scorer == "fused"
    training = encoder_profile.training
    assert training["space"] == "encoder" and training["encoder"] == ENCODER_NAME
    assert training["encoder_weights_sha256"] == WEIGHTS_SHA256
    for entry in encoder_profile.scorers.values():
        assert not entry.score_is_map_peak  # peak+mean pooling: thresholds are on the read scale, not map values
        assert entry.thresholds.review <= entry.thresholds.nok == pytest.approx(1.0)  # 1 is the NOK line
        assert np.median(entry.good_scores) == pytest.approx(0.0, abs=1e-9)  # 0 a typical good part
    # outlines grow from where maps go higher than good maps go, down to halfway to good images' typical peak
    stats = encoder_profile.load_scorer()._pool_stats
    outline = encoder_profile.outline_levels()
    assert stats[0][0] < outline.low < outline.high
    text = profile_summary(encoder_profile)
    assert ENCODER_NAME in text and WEIGHTS_SHA256 in text
    record = model_record(encoder_profile.load_model(CPU))
    assert record["space"] == "encoder" and record["encoder_weights_sha256"] == WEIGHTS_SHA256


@pytest.mark.parametrize("name", ["fused", "radar", "residual", "features"])
def test_feature_space_scorers_rank_defects_above_good_images(encoder_profile, dataset, name):
    model = encoder_profile.load_model(CPU)
    scorer = encoder_profile.load_scorer(name)
    assert scorer.pooling == "peak+mean"
    [result], _ = evaluate_scorers(model, [scorer], {name: encoder_profile.thresholds(name)}, labelled_test_images(dataset))
    assert result.image_auroc >= 0.9, result.summary()
    # an 8 x 8 feature grid on these 64-pixel images outlines coarsely: above chance is what it can show
    assert result.pixel_auroc >= 0.55, result.summary()


def test_inspecting_a_defect_with_the_encoder_profile(encoder_profile, dataset):
    model = encoder_profile.load_model(CPU)
    inspector = Inspector(model, encoder_profile.load_scorer(), encoder_profile.thresholds())
    image, _ = add_defect(texture(np.random.default_rng(9), 80), np.random.default_rng(9))
    good = read_image(next((dataset / "test" / "good").iterdir()), 1)
    bad, ok = inspector.inspect([image[:, :, None].astype(np.float32) / 255, good], ["bad", "good"])
    assert bad.anomaly_map.shape == (80, 80)
    assert bad.score > ok.score
    assert bad.verdict.value == "NOK"


def test_peak_and_mean_pooling_keeps_the_larger_z_score():
    good = np.stack([pool_parts(np.random.default_rng(i).normal(0, 1, (32, 32)).astype(np.float32)) for i in range(20)])
    stats = part_statistics(good)
    spot = np.zeros((32, 32), np.float32)
    spot[10:13, 10:13] = 40.0  # a small strong defect: the peak part rises, the mean barely
    wide = np.full((32, 32), 1.5, np.float32)  # a wide mild one: the mean rises
    for defect in (spot, wide):
        assert combine_parts(pool_parts(defect), stats) > max(combine_parts(p, stats) for p in good)


def test_pooling_statistics_are_saved_with_the_scorer_state(encoder_profile):
    scorer = encoder_profile.load_scorer("residual")
    state = scorer.full_state()
    fresh = SCORERS["residual"]()
    fresh.load_full_state(state)
    assert fresh.pooling == "peak+mean"
    anomaly_map = np.random.default_rng(0).random((64, 64)).astype(np.float32)
    assert fresh.pool(anomaly_map) == scorer.pool(anomaly_map)


def test_the_encoder_space_refuses_the_pixel_only_scorers(dataset):
    from radar_desktop.profiles.builder import make_profile
    from radar_desktop.profiles.profile import ProfileError

    with pytest.raises(ProfileError, match="not offered in the encoder space"):
        make_profile(dataset / "train" / "good", "x", model_config=CONFIG, train_config=TrainConfig(max_steps=1, max_seconds=None),
                     device=CPU, default_scorer="segment")


def test_intensity_channels_follow_the_image_relative_level():
    image = torch.from_numpy(good_images(1, seed=5)).float() / 255
    stained = image.clone()
    stained[..., 16:40, 16:40] *= 0.55  # a darker patch, three cells across
    channels = intensity_channels(torch.cat([image, image * 0.6, stained]), side=8)
    torch.testing.assert_close(channels[1], channels[0], atol=1e-4, rtol=1e-4)  # a part lit dimmer overall is normal
    assert channels[2, 0, 3, 3] < 0.8 * channels[0, 0, 3, 3]  # inside the patch, darker than the image's level
    assert channels[2, 0, 7, 7] > channels[0, 0, 7, 7]  # outside it, brighter than the (now lower) level


def test_intensity_channels_let_the_memory_bank_see_a_faint_stain(torch_threads):
    goods = torch.from_numpy(good_images(12)).float() / 255
    stained = torch.from_numpy(good_images(1, seed=7)).float() / 255
    stained[..., 16:40, 16:40] *= 0.55
    contrast = {}
    for weight in (0.0, 32.0):
        model = FeatureRadarModel.create(replace(CONFIG, intensity_weight=weight)).for_inference()
        model.training_data((goods[:8] * 255).round().to(torch.uint8))
        descriptors = [forward_for(model, x, [make_scorer("features")]).features for x in (goods[:8], goods[8:], stained)]
        bank = descriptors[0].permute(0, 2, 3, 1).reshape(-1, descriptors[0].shape[1])

        def distances(d: torch.Tensor) -> torch.Tensor:
            return torch.cdist(d.permute(0, 2, 3, 1).reshape(-1, d.shape[1]), bank).min(dim=1).values.reshape(d.shape[0], 8, 8)

        good_worst = distances(descriptors[1]).max()
        contrast[weight] = (distances(descriptors[2])[0, 2:5, 2:5].mean() / good_worst).item()
    assert contrast[32.0] > 1.0  # the stain's cells lie farther from the bank than any good image's
    assert contrast[32.0] > 1.5 * contrast[0.0]


def test_encoder_configs_saved_before_the_intensity_channels_load_without_them():
    data = asdict(default_config("encoder"))
    del data["intensity_weight"]
    config = ModelConfig.from_dict(data)
    assert config.intensity_weight == 0.0 and feature_channels(config) == 152
    assert default_config("encoder").intensity_weight > 0 and feature_channels(CONFIG) == 154


def test_configs_saved_before_the_training_t_range_train_on_every_step():
    data = asdict(default_config("encoder"))
    del data["train_t_max"]
    assert ModelConfig.from_dict(data).train_t_max is None
    assert default_config("encoder").train_t_max == 400 > default_config("encoder").inference_t
    with pytest.raises(ValueError, match="train_t_max"):
        default_config("encoder", train_t_max=50)  # the inference step must be one it trained on


def test_a_pixel_model_saved_before_the_encoder_space_loads_and_scores_as_before(tiny_profile, tmp_path, torch_threads):
    import json
    import shutil

    from radar_desktop.engine.models.pixel import PixelRadarModel

    old = tmp_path / "model"
    shutil.copytree(tiny_profile.folder / "model", old)
    settings = json.loads((old / "radar_config.json").read_text())
    for key in ("space", "encoder_blocks", "denoiser_width", "intensity_weight"):  # the keys added with it
        del settings[key]
    (old / "radar_config.json").write_text(json.dumps(settings))
    loaded = load_model(old, CPU)
    assert isinstance(loaded, PixelRadarModel) and loaded.config.space == "pixel"
    current = tiny_profile.load_model(CPU)
    images = torch.from_numpy(good_images(2, seed=8)).float() / 255
    scorers = [tiny_profile.load_scorer("features")]
    a, b = (forward_for(m, images, scorers) for m in (current, loaded))
    assert torch.equal(a.features, b.features)


def test_the_clean_step_injects_no_noise_and_reads_the_denoiser_once(encoder_profile):
    model = encoder_profile.load_model(CPU)
    images = torch.from_numpy(good_images(2, seed=5)).float() / 255
    first, second = (forward_for(model, images, [make_scorer("radar")]) for _ in range(2))
    assert first.clean_noise.shape == (2, feature_channels(model.config), 8, 8)
    assert first.noise_error is None and first.features is None  # only what the radar scorer reads
    assert torch.equal(first.clean_noise, second.clean_noise)  # deterministic: nothing is drawn
    features = model.features(images)
    t = model.config.inference_t
    expected = model.denoiser.predict_maps(model.alphas_cumprod[t].sqrt() * features, torch.tensor([t]))
    assert torch.allclose(first.clean_noise, expected, atol=1e-5)


def test_the_fused_score_is_told_by_its_parts_and_survives_its_saved_state(encoder_profile, dataset):
    model = encoder_profile.load_model(CPU)
    fused = encoder_profile.load_scorer("fused")
    assert fused.part_labels() == ("memory bank", "RADAR step")
    assert encoder_profile.entry("fused").made_of("fused") == "fused (memory bank + RADAR step)"
    image, _ = add_defect(texture(np.random.default_rng(3), 64), np.random.default_rng(3))
    batch = torch.from_numpy(image[None, None].astype(np.float32) / 255)
    output = forward_for(model, batch, [fused])
    maps, scores, parts = fused.score_with_parts(model, output)
    assert set(parts[0]) == {"memory bank", "RADAR step"}
    # each part on its own read scale is what that part's own scorer says
    assert parts[0]["memory bank"] == pytest.approx(encoder_profile.load_scorer("features").score(model, output)[1][0])
    assert parts[0]["RADAR step"] == pytest.approx(encoder_profile.load_scorer("radar").score(model, output)[1][0])
    fresh = SCORERS["fused"]()
    for name, part in [*fresh.components().items(), ("fused", fresh)]:
        part.load_full_state((fused.parts[name] if name in fused.parts else fused).full_state())
    again_maps, again_scores, again_parts = fresh.score_with_parts(model, output)
    assert np.array_equal(again_maps[0], maps[0]) and again_scores[0] == scores[0] and again_parts == parts
    inspector = Inspector(model, fused, encoder_profile.thresholds("fused"))
    result = inspector.inspect([image[:, :, None].astype(np.float32) / 255], ["defect"])[0]
    assert result.parts == pytest.approx(parts[0]) and result.score == pytest.approx(scores[0])


def test_a_scorer_state_saved_before_the_read_scale_and_edge_statistics_scores_as_before(encoder_profile):
    from radar_desktop.core.edge_statistics import EDGE_STATS_KEY
    from radar_desktop.core.score_scale import SCALE_KEY

    scorer = encoder_profile.load_scorer("features")
    old = {k: v for k, v in scorer.full_state().items() if k not in (SCALE_KEY, EDGE_STATS_KEY)}
    before = SCORERS["features"]()
    before.load_full_state(old)
    anomaly_map = np.random.default_rng(0).random((64, 64)).astype(np.float32)
    assert before.pool(anomaly_map) == pytest.approx(combine_parts(pool_parts(anomaly_map), before._pool_stats))
    assert before._edges is None and scorer._edges is not None


def test_the_encoder_bank_compares_in_its_principal_directions_and_the_pixel_bank_in_all(encoder_profile, tiny_profile):
    bank = encoder_profile.load_scorer("features")
    assert bank.projection.shape == (feature_channels(encoder_profile.load_model(CPU).config), 64)
    assert bank.bank.shape[1] == 64
    assert torch.allclose(bank.projection.T @ bank.projection, torch.eye(64), atol=1e-4)
    assert tiny_profile.load_scorer("features").projection is None  # profiles of the pixel space, and older ones



def test_a_squeezed_profile_shows_its_default_map_at_the_pixel_scale(encoder_profile):
    from radar_desktop.core.regional_scale import REGIONAL_KEY

    assert not any(REGIONAL_KEY in encoder_profile.load_scorer(name).full_state() for name in ("fused", "features", "radar"))
