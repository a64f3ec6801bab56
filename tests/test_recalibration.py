"""Recalibrating a profile with images people reviewed as good, and the 'NOK results wait for review' setting.

The shipped demo profile (encoder space, pooled scores, the slow reconstruction scorer at its cap) is
small enough to score a few images in seconds on a CPU.
"""

from __future__ import annotations

import hashlib
import shutil

import cv2
import numpy as np
import pytest

from radar_desktop.core.resources import samples_folder
from radar_desktop.engine.jobs.inspection import Inspector
from radar_desktop.profiles.demo import install_demo_if_empty
from radar_desktop.profiles.inspection_settings import set_review_nok
from radar_desktop.profiles.store import profiles_reviewing_nok
from radar_desktop.profiles.profile import ProfileError, load_verified
from radar_desktop.profiles.recalibration import ADDED_KEY, EVENT, GoodImage, not_yet_added, recalibrate
from radar_desktop.profiles.store import open_profile
from radar_desktop.profiles.summary import profile_summary
from radar_desktop.sources.images import read_image


def good_image(path) -> GoodImage:
    return GoodImage(str(path), hashlib.sha256(path.read_bytes()).hexdigest())


@pytest.fixture
def demo(isolated_home):
    return install_demo_if_empty()


@pytest.fixture
def reviewed(tmp_path):
    """Five reviewed-good images: three still as they were, one deleted since, one changed since."""
    paths = [tmp_path / f"part_{i}.png" for i in range(5)]
    for target, source in zip(paths, ["01_good.png", "02_good.png", "03_good.png", "04_good.png"]):
        shutil.copy(samples_folder() / source, target)
    cv2.imwrite(str(paths[4]), cv2.flip(cv2.imread(str(samples_folder() / "01_good.png")), 1))
    images = [good_image(path) for path in paths]
    paths[3].unlink()
    shutil.copy(samples_folder() / "02_good.png", paths[4])  # same name, other pixels
    return images, paths


def test_reviewed_good_images_join_the_held_back_set_and_set_new_thresholds(demo, reviewed, torch_threads):
    images, paths = reviewed
    before = open_profile(demo.name)
    result = recalibrate(demo.name, [*images, images[0]], torch_threads.device("cpu"))
    after = open_profile(demo.name)
    assert load_verified(after.folder).content_hash == result.content_hash != before.content_hash
    assert result.added == tuple(str(p) for p in paths[:3])
    assert dict(result.skipped) == {str(paths[3]): "no longer there",
                                    str(paths[4]): "changed since it was reviewed (SHA-256 differs)"}
    assert result.thresholds[0][0] == after.default_scorer == "fused"
    model = after.load_model(torch_threads.device("cpu"))
    for name, old, new in result.thresholds:
        entry, scorer = after.scorers[name], after.load_scorer(name)
        if name == "recon":  # at its cap of held-back images: kept as it was
            assert entry.good_scores == before.scorers[name].good_scores and new == old
            continue
        added = entry.good_scores[len(before.scorers[name].good_scores):]
        inspector = Inspector(model, scorer, new)
        scored = [r.score for r in inspector.inspect([read_image(p, 1) for p in paths[:3]], [str(p) for p in paths[:3]])]
        assert added == pytest.approx(scored, rel=1e-5)  # as the profile scores those images, no mask
        assert entry.thresholds == new == scorer.thresholds_for(np.asarray(entry.good_scores)) != old
    event = after.history[-1]
    assert event["event"] == EVENT
    assert event["detail"].startswith("3 reviewed-good images added to the held-back set (2 missing or changed, skipped); fused REVIEW > ")
    assert "→" in event["detail"] and "recon unchanged" in event["detail"]
    assert [i["sha256"] for i in after.training[ADDED_KEY]] == [i.sha256 for i in images[:3]]
    assert "3 reviewed-good images added" in profile_summary(after) and result.describe().startswith(
        f"Profile {demo.name} recalibrated with 3 reviewed-good images (2 skipped: missing or changed): fused ")

    assert not_yet_added(after, images) == images[3:]  # those added are not offered again
    with pytest.raises(ProfileError, match="already holds every one"):
        recalibrate(demo.name, images[:3], torch_threads.device("cpu"))
    with pytest.raises(ProfileError, match="none of the 2 reviewed-good images can be added"):
        recalibrate(demo.name, images[3:], torch_threads.device("cpu"))
    assert open_profile(demo.name).content_hash == after.content_hash  # refused: no new version


def test_nok_results_wait_for_review_when_the_profile_says_so(demo):
    assert not demo.review_nok and profiles_reviewing_nok() == frozenset()
    assert "review queue  REVIEW results wait for review" in profile_summary(demo)
    changed = set_review_nok(demo.name, True)
    assert changed.review_nok and changed.content_hash != demo.content_hash
    assert changed.history[-1]["event"] == "review queue set"
    assert changed.history[-1]["detail"] == "REVIEW and NOK results wait for review"
    assert profiles_reviewing_nok() == {demo.name}
    assert "review queue  REVIEW and NOK results wait for review" in profile_summary(open_profile(demo.name))
    assert not set_review_nok(demo.name, False).review_nok


@pytest.mark.gui
def test_the_engine_worker_recalibrates_and_ends_with_one_terminal_signal(demo, reviewed):
    pytest.importorskip("PySide6.QtCore", reason="the no-Qt layer check blocks PySide6")
    from radar_desktop.workers.engine_worker import EngineWorker

    images, _ = reviewed
    worker = EngineWorker("cpu")
    heard = []
    worker.sig_recalibrated.connect(lambda result: heard.append(("recalibrated", result)))
    for signal, name in ((worker.sig_finished, "finished"), (worker.sig_failed, "failed"), (worker.sig_cancelled, "cancelled")):
        signal.connect(lambda *args, name=name: heard.append((name, args)))
    worker.recalibrate(demo.name, tuple(images))  # the slot's body, run here rather than on the engine thread
    (kind, result), terminal = heard
    assert kind == "recalibrated" and len(result.added) == 3 and terminal == ("finished", ("recalibrate",))
    heard.clear()
    worker.recalibrate(demo.name, tuple(images[:3]))
    assert [kind for kind, _ in heard] == ["failed"] and "already holds" in heard[0][1][0]
