"""Checking a folder of good images before training (no Qt)."""

from __future__ import annotations

import shutil

import cv2
import numpy as np

from radar_desktop.profiles.folder_check import RECOMMENDED_GOOD_IMAGES, check_good_folder
from tests.synthetic import texture, write_png


def test_a_clean_folder_passes_with_only_the_count_warning(dataset):
    check = check_good_folder(dataset / "train" / "good")
    assert check.refusal is None and len(check.readable) == 16 < RECOMMENDED_GOOD_IMAGES
    assert check.warnings == [f"only 16 images: at least {RECOMMENDED_GOOD_IMAGES} are recommended"]
    assert check.suspicious == []


def test_copies_blur_odd_sizes_and_unreadable_files_are_flagged(tmp_path):
    rng = np.random.default_rng(1)
    for i in range(6):
        write_png(tmp_path / f"good_{i}.png", texture(rng, 64))
    shutil.copy(tmp_path / "good_0.png", tmp_path / "again.png")
    write_png(tmp_path / "soft.png", cv2.GaussianBlur(texture(rng, 64), (0, 0), 4))
    write_png(tmp_path / "wide.png", np.hstack([texture(rng, 64), texture(rng, 64)]))
    (tmp_path / "cut.png").write_bytes((tmp_path / "good_1.png").read_bytes()[:40])
    check = check_good_folder(tmp_path)
    assert check.refusal is None
    assert check.duplicates == [("good_0.png", "again.png")]  # files are read in name order
    assert check.blurred == ["soft.png"]
    assert [name for name, _ in check.unreadable] == ["cut.png"]
    assert check.shapes == {"64 x 64, 1 channel": 8, "128 x 64, 1 channel": 1}
    assert check.typical_shape() == (64, 64)  # (height, width): the median, kept from the one reading
    reasons = dict(check.suspicious)
    assert reasons["soft.png"] == "blurred" and reasons["cut.png"].startswith("unreadable")


def test_too_few_or_no_images_are_refused_with_the_reason(tmp_path):
    empty = check_good_folder(tmp_path)
    assert "0 readable images" in empty.refusal and "holds no images" in empty.unreadable[0][1]
    write_png(tmp_path / "one.png", texture(np.random.default_rng(0), 64))
    assert "at least 4 are needed" in check_good_folder(tmp_path).refusal


def test_many_sizes_are_summarised_with_the_full_list_kept_for_details(tmp_path):
    from radar_desktop.profiles.folder_check import sizing_plan

    rng = np.random.default_rng(3)
    for i in range(30):
        write_png(tmp_path / f"tile_{i:02d}.png", texture(rng, 64)[: 40 + i, : 50 + (i % 7)])
    check = check_good_folder(tmp_path)
    assert check.size_range() == "30 distinct sizes, 50–56 px wide and 40–64 px high, 1 channel"
    assert [w for w in check.warnings if "differ" in w] == [f"sizes or channels differ: {check.size_range()}"]
    details = check.size_details().splitlines()
    assert len(details) == 30 and details[0].strip() == "1 x  50 x 40, 1 channel"
    assert "mirror-padded" in sizing_plan("fit", 256) and "not kept" in sizing_plan("stretch", 256)
    same = check_good_folder(tmp_path / "none")
    assert same.size_range() == "no readable images" and same.typical_shape() is None
    assert check.typical_shape() == (int(np.median([min(40 + i, 64) for i in range(30)])), int(np.median([50 + i % 7 for i in range(30)])))
