"""A profile's inspection mask, scale and acceptance rules as inspection applies them (tiny profile, CPU)."""

from __future__ import annotations

import numpy as np
import torch

from radar_desktop.core.verdict import Verdict
from radar_desktop.engine.jobs.inspection import Inspector
from radar_desktop.profiles.manage import revise
from radar_desktop.profiles.profile import load_verified, write_mask
from radar_desktop.sources.images import read_image

CPU = torch.device("cpu")


def defect_image(dataset):
    """The first defect test image and its ground-truth mask."""
    path = sorted((dataset / "test" / "defect").iterdir())[0]
    truth = read_image(dataset / "ground_truth" / "defect" / f"{path.stem}_mask.png", 1)[:, :, 0] > 0.5
    return path, read_image(path, 1), truth


def inspect_with(profile, image, path):
    inspector = Inspector(profile.load_model(CPU), profile.load_scorer(), profile.thresholds(), plan=profile.inspection_plan())
    return inspector.inspect([image], [str(path)])[0]


def set_inspection(name: str, mask=None, **settings):
    def change(profile, folder):
        profile.inspection.update(settings, mask=mask is not None)
        write_mask(folder, mask)

    return revise(name, change, "inspection changed", str(settings))


def test_a_nok_image_has_measured_regions_over_its_defect(tiny_profile, dataset):
    path, image, truth = defect_image(dataset)
    result = inspect_with(tiny_profile, image, path)
    assert result.verdict is Verdict.NOK
    assert result.regions, "a NOK image lists its regions"
    biggest = result.regions[0]
    x, y, w, h = biggest.bbox
    assert truth[y : y + h, x : x + w].any(), "the largest region lies over the pasted defect"
    assert biggest.peak >= tiny_profile.outline_levels().high


def test_a_mask_over_the_defect_passes_the_part_and_is_a_new_profile_version(tiny_profile, dataset):
    path, image, truth = defect_image(dataset)
    before = inspect_with(tiny_profile, image, path)
    mask = np.ones(truth.shape, np.uint8)
    grown = np.zeros_like(truth)
    ys, xs = np.nonzero(truth)
    grown[max(0, ys.min() - 6) : ys.max() + 7, max(0, xs.min() - 6) : xs.max() + 7] = True
    mask[grown] = 0
    revised = set_inspection("tiny", mask)
    assert revised.content_hash != tiny_profile.content_hash
    assert load_verified(revised.folder).history[-1]["event"] == "inspection changed"
    assert (revised.inspection_mask() == mask).all()
    after = inspect_with(revised, image, path)
    assert after.score < before.score
    assert after.verdict is Verdict.OK, after.score
    # the same mask beside the defect leaves it found
    beside = np.ones_like(mask)
    beside[:8, :8] = 0
    kept = inspect_with(set_inspection("tiny", beside), image, path)
    assert kept.verdict is Verdict.NOK


def test_an_acceptance_rule_spares_a_part_whose_regions_are_all_small(tiny_profile, dataset):
    path, image, _ = defect_image(dataset)
    strict = inspect_with(set_inspection("tiny", mm_per_pixel=0.1, min_area=0.01), image, path)
    assert strict.verdict is Verdict.NOK and strict.rule == ""
    largest = max(r.area(0.1) for r in strict.regions)
    lenient = inspect_with(set_inspection("tiny", mm_per_pixel=0.1, min_area=largest * 1.01), image, path)
    assert lenient.verdict is Verdict.OK
    assert all(r.ignored for r in lenient.regions)
    assert "NOK by score" in lenient.rule and "mm²" in lenient.rule
