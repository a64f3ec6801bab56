"""Scorers on a tiny trained profile, and the profile store."""

import json

import numpy as np
import pytest
import torch

from radar_desktop.engine.jobs.evaluation import evaluate_scorers
from radar_desktop.engine.jobs.inspection import Inspector
from radar_desktop.engine.scorers.registry import make_scorer, scorers_for
from radar_desktop.profiles.profile import PROFILE_FILE, ProfileError, content_hash
from radar_desktop.profiles.store import list_profiles, open_profile
from radar_desktop.sources.images import read_image
from radar_desktop.sources.mvtec import labelled_test_images

CPU = torch.device("cpu")


def test_profile_holds_every_scorer_with_ordered_thresholds(tiny_profile):
    assert set(tiny_profile.scorers) == set(scorers_for("pixel"))
    assert tiny_profile.default_scorer == "features"
    for entry in tiny_profile.scorers.values():
        assert entry.thresholds.review <= entry.thresholds.nok
        assert len(entry.good_scores) >= 2
    assert tiny_profile.training["steps"] == 150
    assert tiny_profile.content_hash == content_hash(tiny_profile.folder)


@pytest.mark.parametrize("name", ["paper", "residual", "features", "segment", "recon"])
def test_every_scorer_ranks_defects_above_good_images(tiny_profile, dataset, name):
    model = tiny_profile.load_model(CPU)
    scorer = tiny_profile.load_scorer(name)
    [result], _ = evaluate_scorers(model, [scorer], {name: tiny_profile.thresholds(name)}, labelled_test_images(dataset))
    assert result.image_auroc >= 0.9, result.summary()
    assert result.pixel_auroc >= 0.8, result.summary()


def test_inspection_result_has_the_image_size_and_a_verdict(tiny_profile, dataset):
    model = tiny_profile.load_model(CPU)
    inspector = Inspector(model, tiny_profile.load_scorer(), tiny_profile.thresholds())
    path = next((dataset / "test" / "defect").iterdir())
    image = read_image(path, 1)[:50, :40]
    [result] = inspector.inspect([image], [str(path)])
    assert result.anomaly_map.shape == (50, 40)
    assert result.verdict.value in ("OK", "REVIEW", "NOK")
    assert result.timings.total_ms > 0


def test_feature_maps_skip_padding_without_changing_the_content_map(tiny_profile, dataset):
    from dataclasses import replace

    from radar_desktop.engine.jobs.inspection import forward_batch, working_batch
    from radar_desktop.engine.preprocess import whole_square

    model = tiny_profile.load_model(CPU)
    scorer = tiny_profile.load_scorer("features")
    path = next((dataset / "test" / "defect").iterdir())
    image = read_image(path, 1)[:, :26]  # tall: most of the working square is padding
    batch = working_batch([image], model)
    placements = batch.placements
    output = forward_batch(model, batch, [scorer])
    [content] = scorer.content_maps(model, output)
    full = scorer.maps(model, replace(output, placements=(whole_square(64),)))[0]
    p = placements[0]
    assert p.width < 40
    np.testing.assert_allclose(content, full[p.top : p.top + p.height, p.left : p.left + p.width], rtol=1e-5, atol=1e-6)


def test_scorer_state_round_trips_to_the_same_scores(tiny_profile, dataset):
    model = tiny_profile.load_model(CPU)
    items = labelled_test_images(dataset)
    for name in ("paper", "residual", "features", "segment"):
        original = tiny_profile.load_scorer(name)
        restored = make_scorer(name)
        restored.load_state(original.state())
        thresholds = {name: tiny_profile.thresholds(name)}
        [a], _ = evaluate_scorers(model, [original], thresholds, items)
        [b], _ = evaluate_scorers(model, [restored], thresholds, items)
        assert a.scores == b.scores


def test_tampering_changes_the_hash_and_a_broken_profile_is_listed_not_fatal(tiny_profile, isolated_home):
    folder = tiny_profile.folder
    weights = folder / "model" / "unet" / "diffusion_pytorch_model.safetensors"
    before = content_hash(folder)
    weights.write_bytes(weights.read_bytes() + b"\0")
    assert content_hash(folder) != before

    broken = isolated_home / "profiles" / "broken"
    broken.mkdir()
    (broken / PROFILE_FILE).write_text("{not json")
    good, bad = list_profiles()
    assert [p.name for p in good] == ["tiny"]
    assert bad[0].name == "broken" and "unreadable" in bad[0].reason
    with pytest.raises(ProfileError, match="unreadable"):
        open_profile("broken")
    assert (broken / PROFILE_FILE).read_text() == "{not json"  # never overwritten


def test_future_schema_and_missing_profiles_are_refused_clearly(tiny_profile):
    data = json.loads((tiny_profile.folder / PROFILE_FILE).read_text())
    data["schema_version"] = 99
    (tiny_profile.folder / PROFILE_FILE).write_text(json.dumps(data))
    with pytest.raises(ProfileError, match="made by a newer RADAR Desktop"):
        open_profile("tiny")
    with pytest.raises(ProfileError, match="no profile named"):
        open_profile("nothing")
    with pytest.raises(ProfileError, match="invalid profile name"):
        open_profile("../escape")
