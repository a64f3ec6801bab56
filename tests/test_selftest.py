"""The POD self-test: synthetic defects of the size asked, seeded, inside the inspected area, end to end."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pytest

from radar_desktop.core.cancel import CancelToken, Cancelled
from radar_desktop.engine.jobs.selftest import (
    SHAPES,
    Defect,
    SelfTestScores,
    coverage,
    paste,
    plan_defects,
    pod_at,
    refit_record,
    selftest_record,
    selftest_scores,
    size_levels,
)


@dataclass(frozen=True)
class _Result:
    score: float


class _ContrastInspector:
    """Stands in for the model: the score is the largest change from the clean image, so it is exact."""

    class scorer:
        name = "contrast"

    def __init__(self, clean: np.ndarray) -> None:
        self.clean = clean
        self.calls = 0

    def inspect(self, images, sources):
        self.calls += 1
        return [_Result(float(np.abs(image - self.clean).max())) for image in images]


def _images(count: int = 3, size: int = 96) -> list[np.ndarray]:
    rng = np.random.default_rng(9)
    return [np.clip(0.5 + rng.normal(0, 0.02, (size, size, 1)), 0, 1).astype(np.float32) for _ in range(count)]


@pytest.mark.parametrize("diameter", [3.0, 6.0, 20.0])
def test_a_disc_is_pasted_at_the_diameter_asked(diameter):
    image = np.full((80, 80, 1), 0.5, np.float32)
    pasted = paste(image, Defect("disc_dark", diameter, 0, (40.3, 39.6), 0.0), 0.3, 1.0)
    area = float((image - pasted).sum()) / 0.3  # each fully covered pixel is 0.3 darker
    assert area == pytest.approx(math.pi * diameter**2 / 4, rel=0.03)
    assert (pasted <= image).all()


@pytest.mark.parametrize("length", [6.0, 25.0])
def test_a_stroke_is_a_thin_line_of_the_length_asked(length):
    angle = 0.6
    defect = Defect("stroke_bright", length, 0, (40.0, 40.0), angle)
    alpha, top, left = coverage(defect, 1.0)
    assert float(alpha.sum()) == pytest.approx(length * 1.0, rel=0.03)  # length x 1 px
    ys, xs = np.nonzero(alpha > 0.2)
    along = (xs + left - 40) * math.cos(angle) + (ys + top - 40) * math.sin(angle)
    across = -(xs + left - 40) * math.sin(angle) + (ys + top - 40) * math.cos(angle)
    assert along.max() - along.min() == pytest.approx(length, abs=2.0)
    assert np.abs(across).max() <= 2.0


def test_defects_stay_inside_the_inspected_area():
    mask = np.zeros((24, 24), np.uint8)  # a coarse mask: it is resized to each image's size
    mask[4:20, 12:24] = 1
    shapes = [(96, 96), (120, 96)]
    defects = plan_defects(shapes, mask, size_levels(96, 6), 4, 1.0, np.random.default_rng(0))
    assert len(defects) == len(SHAPES) * 6 * 4
    for defect in defects:
        height, width = shapes[defect.image]
        inspected = np.kron(mask, np.ones((height // 24, width // 24), np.uint8))
        alpha, top, left = coverage(defect, 1.0)
        ys, xs = np.nonzero(alpha > 1e-3)
        ys, xs = ys + top, xs + left
        assert ys.min() >= 0 and xs.min() >= 0 and ys.max() < height and xs.max() < width
        assert inspected[ys, xs].all(), defect


def test_the_self_test_is_seeded_and_keeps_every_raw_score():
    images = _images()
    first = selftest_scores(_ContrastInspector(images[0]), images[:1], seed=1, sizes=4, repeats=3)
    again = selftest_scores(_ContrastInspector(images[0]), images[:1], seed=1, sizes=4, repeats=3)
    other = selftest_scores(_ContrastInspector(images[0]), images[:1], seed=2, sizes=4, repeats=3)
    assert first.shapes == again.shapes and first.clean_scores == again.clean_scores
    assert first.shapes != other.shapes
    assert set(first.shapes) == set(SHAPES) and all(len(s.scores) == 12 for s in first.shapes.values())
    assert sorted(set(first.shapes["disc_dark"].sizes)) == pytest.approx(size_levels(96, 4))
    assert SelfTestScores.from_dict(json.loads(json.dumps(first.to_dict()))) == first


def test_the_fits_follow_the_nok_threshold_from_the_stored_scores():
    images = _images()
    scores = selftest_scores(_ContrastInspector(images[0]), images[:1], seed=0)
    # a small disc does not reach full contrast: the blurred peak rises with size
    low, high = pod_at(scores, 0.05), pod_at(scores, 0.29)
    assert low["disc_dark"].found > high["disc_dark"].found
    record = selftest_record(scores, 0.29, mm_per_pixel=0.1)
    assert json.loads(json.dumps(record)) == record
    assert record["nok"] == 0.29 and set(record["fits"]) == set(SHAPES) and "synthetic" in record["note"]
    fit = record["fits"]["disc_dark"]
    if fit["a90"] is not None:
        assert fit["a90_mm"] == pytest.approx(fit["a90"] * 0.1)
    assert refit_record(record, 0.05)["fits"]["disc_dark"]["hits"] == [bool(h) for h in scores.shapes["disc_dark"].hits(0.05)]


def test_the_self_test_stops_when_cancelled_and_reports_progress():
    images = _images()
    inspector, cancel, seen = _ContrastInspector(images[0]), CancelToken(), []

    def progress(fraction, message):
        seen.append(fraction)
        if len(seen) == 3:
            cancel.cancel()

    with pytest.raises(Cancelled):
        selftest_scores(inspector, images, sizes=4, repeats=3, cancel=cancel, progress=progress)
    assert inspector.calls == 3 and seen == sorted(seen) and 0 < seen[-1] < 1


@pytest.mark.slow
def test_a_stored_profile_gets_its_self_test_as_a_new_version(tiny_profile, torch_threads):
    from radar_desktop.profiles.profile import load_verified
    from radar_desktop.profiles.selftest_run import held_back_images, selftest_profile

    assert len(held_back_images(tiny_profile)) == len(tiny_profile.training["held_back_images"])
    profile, record = selftest_profile("tiny", torch_threads.device("cpu"), seed=3, sizes=5, repeats=4)
    assert set(record["fits"]) == set(SHAPES) and record["nok"] == tiny_profile.thresholds().nok
    assert all(len(f["sizes"]) == 20 for f in record["fits"].values())
    assert profile.selftest == record and profile.history[-1]["event"] == "self-test"
    assert load_verified(profile.folder).content_hash == profile.content_hash != tiny_profile.content_hash


@pytest.mark.slow
def test_profiles_selftest_command_prints_a90_per_shape(tiny_profile, capsys):
    from radar_desktop.app import main
    from radar_desktop.profiles.profile import load_verified
    from radar_desktop.profiles.store import open_profile

    assert main(["profiles", "selftest", "tiny", "--seed", "1", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "a90 px" in out and "a90/95 px" in out and "synthetic defects" in out
    for shape in SHAPES:
        assert any(line.startswith(shape) for line in out.splitlines()), shape
    stored = load_verified(open_profile("tiny").folder)
    assert stored.history[-1]["event"] == "self-test" and stored.selftest["scores"]["seed"] == 1
    assert all(len(f["sizes"]) == 80 for f in stored.selftest["fits"].values())  # the defaults: 10 sizes x 8


def test_a_profile_whose_training_images_are_gone_says_so(tiny_profile, capsys, tmp_path):
    from radar_desktop.profiles.selftest_run import held_back_images
    from radar_desktop.profiles.profile import ProfileError

    tiny_profile.training["images"] = str(tmp_path / "gone")
    with pytest.raises(ProfileError, match="needs the held-back images of profile .tiny., but their folder .* is gone"):
        held_back_images(tiny_profile)
