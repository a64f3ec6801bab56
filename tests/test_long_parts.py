"""Long parts at their own resolution: the working scale chosen, a tiled profile trained and inspected."""

from __future__ import annotations

import numpy as np
import pytest

from radar_desktop.engine.config import default_config
from radar_desktop.profiles.working_resolution import (
    DEFECT_WORKING_PX,
    MAX_SCALE,
    defect_in_pixels,
    propose_resolution,
    typical_shape,
)
from tests.synthetic import texture, write_png


def test_near_square_images_stay_squeezed_as_before():
    config = default_config("encoder")
    resolution = propose_resolution((300, 260), config)
    assert resolution.resize_mode == config.resize_mode and resolution.apply(config) == config


def test_a_long_part_keeps_its_aspect():
    config = default_config("encoder")
    resolution = propose_resolution((500, 1250), config)
    assert resolution.resize_mode == "tiles" and resolution.scale == pytest.approx(256 / 500)
    assert resolution.tiles == 3
    applied = resolution.apply(config)
    assert applied.resize_mode == "tiles" and applied.working_scale == resolution.scale
    assert "aspect kept" in resolution.describe() and "3 overlapping tiles" in resolution.describe()


def test_the_smallest_defect_sets_the_scale():
    config = default_config("encoder")
    fine = propose_resolution((500, 1250), config, min_defect_px=4)
    assert fine.scale == pytest.approx(DEFECT_WORKING_PX / 4) and fine.tiles > 3
    assert "a 4 px defect spans 8 working px" in fine.describe()
    assert propose_resolution((500, 1250), config, min_defect_px=0.5).scale == MAX_SCALE
    coarse = propose_resolution((500, 1250), config, min_defect_px=200)
    assert coarse.scale == pytest.approx(256 / 1250) and coarse.tiles == 1  # never smaller than one square
    assert defect_in_pixels(0.2, 0.05) == pytest.approx(4.0) and defect_in_pixels(3, None) == 3
    with pytest.raises(ValueError, match="positive"):
        propose_resolution((500, 1250), config, min_defect_px=0)


def test_the_typical_shape_is_read_from_the_images(tmp_path):
    rng = np.random.default_rng(0)
    for i, width in enumerate((200, 210, 190)):
        write_png(tmp_path / f"strip{i}.png", texture(rng, 64, width))
    (tmp_path / "broken.png").write_bytes(b"not an image")
    assert typical_shape(sorted(tmp_path.iterdir())) == (64, 200)


@pytest.fixture(scope="module")
def long_parts(tmp_path_factory):
    """An MVTec layout of strips 64 x 200: good ones to train on and test, and a thin bright scratch near
    one's right end, with its mask."""
    root = tmp_path_factory.mktemp("long")
    rng = np.random.default_rng(3)
    for i in range(10):
        write_png(root / "train" / "good" / f"strip{i:02d}.png", texture(rng, 64, 200))
    for i in range(2):
        write_png(root / "test" / "good" / f"strip{i:02d}.png", texture(rng, 64, 200))
    scratched, mask = texture(rng, 64, 200), np.zeros((64, 200), np.uint8)
    scratched[20:44, 170:172] = 250
    mask[20:44, 170:172] = 255
    write_png(root / "test" / "scratch" / "scratched.png", scratched)
    write_png(root / "ground_truth" / "scratch" / "scratched_mask.png", mask)
    return root


@pytest.fixture(scope="module")
def tiled_profile_folder(long_parts, tmp_path_factory, torch_threads):
    """A small encoder profile that sees the strips at their own scale through 64 px tiles."""
    import os

    import torch

    from radar_desktop.engine.config import TrainConfig
    from radar_desktop.profiles.builder import build_profile

    home = tmp_path_factory.mktemp("tiled_home")
    previous = os.environ.get("RADAR_DESKTOP_HOME")
    os.environ["RADAR_DESKTOP_HOME"] = str(home)
    try:
        config = default_config("encoder", image_size=64, denoiser_width=32, resize_mode="tiles", working_scale=1.0, tile_overlap=16)
        return build_profile(
            long_parts / "train" / "good", "strips", model_config=config,
            train_config=TrainConfig(max_steps=20, max_seconds=None, batch_size=16, bank_images=16, training_renderings=0,
                                     calibration_renderings=1),
            device=torch.device("cpu"), default_scorer="fused", selftest=False,
        ).folder
    finally:
        if previous is None:
            os.environ.pop("RADAR_DESKTOP_HOME", None)
        else:
            os.environ["RADAR_DESKTOP_HOME"] = previous


@pytest.fixture
def tiled_profile(tiled_profile_folder, isolated_home):
    import shutil

    from radar_desktop.profiles.store import open_profile

    shutil.copytree(tiled_profile_folder, isolated_home / "profiles" / "strips")
    return open_profile("strips")


def test_a_tiled_profile_inspects_long_parts_at_their_own_size(long_parts, tiled_profile):
    import torch

    from radar_desktop.engine.jobs.inspection import Inspector
    from radar_desktop.sources.images import read_image

    model = tiled_profile.load_model(torch.device("cpu"))
    assert model.config.resize_mode == "tiles"
    inspector = Inspector(model, tiled_profile.load_scorer("fused"), tiled_profile.thresholds())
    good = read_image(long_parts / "test" / "good" / "strip00.png", 1)
    bad = read_image(long_parts / "test" / "scratch" / "scratched.png", 1)
    twice = np.concatenate([good, read_image(long_parts / "test" / "good" / "strip01.png", 1)], axis=1)
    results = inspector.inspect([good, bad, twice], ["good", "bad", "twice"])
    assert [r.anomaly_map.shape for r in results] == [(64, 200), (64, 200), (64, 400)]
    peak = np.unravel_index(np.argmax(results[1].anomaly_map), (64, 200))
    assert peak[1] > 140  # the map shows the scratch where it is, at the image's own size
    assert results[1].score > results[0].score
    # twice as long, not twice as suspicious: the score is read for one square's area
    assert results[2].score < results[1].score


def test_evaluation_reads_tiled_maps_at_the_masks_size(long_parts, tiled_profile):
    import torch

    from radar_desktop.engine.jobs.evaluation import evaluate_scorers
    from radar_desktop.sources.mvtec import labelled_test_images

    model = tiled_profile.load_model(torch.device("cpu"))
    scorer = tiled_profile.load_scorer("fused")
    [result], skipped = evaluate_scorers(model, [scorer], {"fused": tiled_profile.thresholds()}, labelled_test_images(long_parts))
    assert not skipped and len(result.scores) == 3
    assert result.image_auroc == 1.0 and result.pixel_auroc > 0.9  # the scratch found where its mask is


def test_min_defect_is_refused_beside_an_explicit_resolution(tiny_config_file, long_parts, capsys):
    from radar_desktop.app import main

    status = main(["train", "--images", str(long_parts / "good"), "--name", "x", "--config", str(tiny_config_file),
                   "--min-defect", "3", "--steps", "1"])
    assert status == 1
    assert "--min-defect chooses the working resolution" in capsys.readouterr().err



def test_scan_report_and_history_take_a_tiled_profiles_maps_at_the_images_size(long_parts, tiled_profile, tmp_path, capsys):
    import csv
    import json
    import shutil

    import cv2

    from radar_desktop.app import main

    folder = tmp_path / "in"
    folder.mkdir()
    for path in [*(long_parts / "test" / "good").iterdir(), long_parts / "test" / "scratch" / "scratched.png"]:
        shutil.copy(path, folder / path.name)
    table, maps = tmp_path / "scan.csv", tmp_path / "maps"
    assert main(["scan", "--profile", "strips", "--input", str(folder), "--csv", str(table), "--maps", str(maps), "--device", "cpu"]) == 0
    with table.open(newline="") as handle:
        rows = {row["name"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"strip00.png", "strip01.png", "scratched.png"}
    assert float(rows["scratched.png"]["score"]) > max(float(rows[name]["score"]) for name in ("strip00.png", "strip01.png"))
    heatmaps = sorted(maps.glob("*_heatmap.png"))
    assert len(heatmaps) == 3 and {cv2.imread(str(path)).shape[:2] for path in heatmaps} == {(64, 200)}

    pdf = tmp_path / "report.pdf"
    assert main(["report", "--profile", "strips", "--input", str(folder), "--pdf", str(pdf), "--device", "cpu"]) == 0
    assert len(json.loads(pdf.with_suffix(".json").read_text())["entries"]) == 3
    capsys.readouterr()
    assert main(["history", "list", "--profile", "strips", "--origin", "cli-scan"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in rows)
    exported = tmp_path / "history.pdf"
    assert main(["history", "export", "--profile", "strips", "--pdf", str(exported)]) == 0
    assert exported.read_bytes().startswith(b"%PDF")


def test_a_tiled_default_shows_its_map_at_two_scales_and_scores_from_the_pixel_scale(long_parts, tiled_profile):
    import torch

    from benchmarks.accuracy import pixel_scale_copy
    from radar_desktop.core.regional_scale import REGIONAL_KEY
    from radar_desktop.engine.jobs.inspection import forward_batch, working_batch
    from radar_desktop.sources.images import read_image

    model = tiled_profile.load_model(torch.device("cpu"))
    fused = tiled_profile.load_scorer("fused")
    assert REGIONAL_KEY in fused.full_state()
    assert not any(REGIONAL_KEY in part.full_state() for part in fused.parts.values())
    image = read_image(long_parts / "test" / "scratch" / "scratched.png", 1)
    output = forward_batch(model, working_batch([image], model), [fused])
    maps, scores = fused.score(model, output)
    before = pixel_scale_copy(fused)  # the same scorer as a profile saved before the regional scale has it
    assert before.name == "fused-pixel-scale"
    pixel_maps, pixel_scores = before.score(model, output)
    assert np.array_equal(scores, pixel_scores)
    assert maps[0].shape == pixel_maps[0].shape == (64, 200)
    assert np.allclose(maps[0], fused._regional.apply(pixel_maps[0]))
    assert not np.allclose(maps[0], pixel_maps[0])
