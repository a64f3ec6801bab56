"""The calibration wizard driven end to end offscreen: folder checks, training with cancel and resume,
thresholds from a target false-reject rate, and the saved profile."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

pytestmark = pytest.mark.gui
QtWidgets = pytest.importorskip("PySide6.QtWidgets", reason="the no-Qt layer check blocks PySide6")

from radar_desktop.core.calibration import threshold_for_false_reject_rate  # noqa: E402
from radar_desktop.engine.config import TrainConfig, default_config, tiny_config  # noqa: E402
from radar_desktop.engine.models.encoder import ENCODER_NAME
from radar_desktop.gui.calibration_wizard import CalibrationWizard  # noqa: E402
from radar_desktop.profiles.builder import save_prepared  # noqa: E402
from radar_desktop.profiles.store import open_profile  # noqa: E402
from tests.test_frame_format import write_video  # noqa: E402

# long enough to cancel midway; the tiny model does ~20 steps a second; the head needs ~60 steps to
# separate the defect examples (at 30 it had not)
BUDGET = {"Test": TrainConfig(max_steps=300, max_seconds=None, batch_size=32, bank_images=8, checkpoint_every_s=0.5, head_share=0.2)}


@pytest.fixture
def wizard(window, qtbot):
    wizard = CalibrationWizard(window.worker, window, budgets=BUDGET, model_config=tiny_config(stride=8))
    qtbot.addWidget(wizard)
    wizard.show()
    yield wizard
    if wizard.training_page.running:
        wizard.reject()
        qtbot.waitUntil(lambda: not wizard.training_page.running or wizard.isHidden(), timeout=30_000)


def next_page(wizard, qtbot, expected) -> None:
    assert wizard.button(QtWidgets.QWizard.NextButton).isEnabled()
    wizard.next()
    assert wizard.currentPage() is expected


def test_the_whole_wizard_with_cancel_and_resume_makes_a_working_profile(wizard, qtbot, dataset, window, tmp_path):
    wizard.name_page.name.setText("tiny")  # taken by the window's profile
    assert not wizard.name_page.isComplete() and "already exists" in wizard.name_page.problem.text()
    wizard.name_page.name.setText("Bracket B7")
    wizard.name_page.notes.setPlainText("line 2, ring light")
    next_page(wizard, qtbot, wizard.good_page)

    wizard.good_page.folder.setText(str(dataset / "train" / "good"))
    assert wizard.good_page.isComplete() and "16 readable images" in wizard.good_page.summary.text()
    next_page(wizard, qtbot, wizard.production_page)
    production = wizard.production_page
    assert "3 held-back images" in production.promise_label.text() and "capture 296 more" in production.promise_label.text()
    production.camera.setText(str(write_video(tmp_path / "line.avi", "MJPG")))
    production.check_button.click()
    assert "the camera delivers MJPG frames" in production.format_label.text()
    production.folder.setText(str(dataset / "test" / "good"))  # another session's good parts
    assert "6 held-back images" in production.promise_label.text() and production.isComplete()
    next_page(wizard, qtbot, wizard.defects_page)
    wizard.defects_page.folder.setText(str(dataset / "test" / "defect"))
    assert "6 defect images" in wizard.defects_page.summary.text()
    next_page(wizard, qtbot, wizard.scale_page)
    wizard.scale_page.editor.set_line((4.0, 10.0), (54.0, 10.0))  # 50 px over a 5 mm feature
    wizard.scale_page.editor.set_known_length(5.0)
    assert wizard.scale_page.editor.mm_per_pixel() == pytest.approx(0.1)
    resolution = wizard.scale_page.resolution
    assert resolution.unit.text() == "mm" and "fitted into one working square" in resolution.plan.text()
    resolution.defect.setValue(0.4)  # 4 px at 0.1 mm per px: seen at twice the size, in tiles
    assert "a 4 px defect spans 8 working px" in resolution.plan.text() and "9 overlapping tiles" in resolution.plan.text()
    resolution.measure.click()
    assert "ms per image on this machine" in resolution.plan.text()
    tiled = wizard.training_page.settings()["model_config"]
    assert tiled.resize_mode == "tiles" and tiled.working_scale == pytest.approx(2.0) and tiled.tile_overlap == 16
    resolution.defect.setValue(0.0)  # not set: the tiny images are seen whole, as before
    assert wizard.training_page.settings()["model_config"] == tiny_config(stride=8)
    next_page(wizard, qtbot, wizard.area_page)
    area = wizard.area_page
    assert area.rules.min_area.suffix() == " mm²"
    area.editor.paint_stroke([(2.0, 2.0), (10.0, 2.0)], include=False)
    area.rules.min_area.setValue(0.05)
    next_page(wizard, qtbot, wizard.training_page)

    page = wizard.training_page
    assert "Test: 300 steps + about" in page.estimates["Test"].text()
    assert not page.isComplete()
    page.train_button.click()
    qtbot.waitUntil(lambda: len(page.losses) >= 3, timeout=300_000)  # the loss chart fills live (slowly on a busy machine)
    page.cancel_button.click()
    qtbot.waitUntil(lambda: not page.running, timeout=300_000)
    assert page.prepared is None and "Resume training" in page.train_button.text()
    stopped_at = page.losses[-1][0]
    assert stopped_at < 300

    page.train_button.click()  # resumes from the checkpoint kept by Cancel
    qtbot.waitUntil(lambda: page.prepared is not None, timeout=900_000)  # a loaded CI machine took over 120 s
    assert page.prepared.resumed_from_step is not None and page.prepared.resumed_from_step >= 10
    assert page.prepared.profile.training["steps"] == 300
    next_page(wizard, qtbot, wizard.threshold_page)

    thresholds = wizard.threshold_page
    assert thresholds.good.size >= 2 and thresholds.defects.size == 6
    assert "Defect examples caught" in thresholds.readout.text() and "95 % confidence" in thresholds.readout.text()
    assert "6 images cannot show 1.0 %: 299 or more are needed" in thresholds.readout.text()
    thresholds.target.setValue(50.0)
    thresholds.apply_target.click()
    expected = threshold_for_false_reject_rate(thresholds.good, 0.5)
    assert thresholds.thresholds().nok == pytest.approx(expected)
    next_page(wizard, qtbot, wizard.summary_page)
    assert "Bracket B7" in wizard.summary_page.text.text() and "NOK: at most 50 % of good parts promised" in wizard.summary_page.text.text()
    summary = wizard.summary_page
    assert "Ignore regions under 0.05 mm²" in summary.text.text() and "an inspection mask" in summary.text.text()
    assert set(summary.pod_plot.fits) == {"disc_dark", "disc_bright", "stroke_dark", "stroke_bright"}
    assert "synthetic" in summary.pod_table.text() and f"NOK &gt; {expected:.4g}" in summary.pod_table.text()

    wizard.accept()
    saved = save_prepared(wizard.result_profile())
    profile = open_profile("Bracket B7")
    assert profile.content_hash == saved.content_hash and profile.notes == "line 2, ring light"
    assert profile.thresholds().nok == pytest.approx(expected)
    assert profile.training["held_back_folder"] == str((dataset / "test" / "good").resolve())
    assert len(profile.training["held_back_images"]) == 6 and len(profile.training["train_images"]) == 16
    assert profile.training["false_reject_targets"]["nok"] == pytest.approx(0.5)
    assert len(profile.entry().defect_scores) == 6
    assert [e["event"] for e in profile.history] == ["created", "thresholds set"]
    assert profile.selftest["nok"] == pytest.approx(expected)  # refitted at the threshold chosen in the wizard
    assert profile.selftest["mm_per_pixel"] == pytest.approx(0.1) and "a90_mm" in profile.selftest["fits"]["disc_dark"]
    assert profile.inspection == {"mm_per_pixel": pytest.approx(0.1), "min_area": 0.05, "min_length": 0.0, "mask": True}
    mask = profile.inspection_mask()
    assert mask.shape == (64, 64) and mask[2, 5] == 0 and mask[40, 40] == 1
    defects, good = np.asarray(profile.entry().defect_scores), np.asarray(profile.entry().good_scores)
    assert np.median(defects) > np.median(good)  # the defect examples score above the good ones


def test_the_wizard_makes_an_encoder_space_profile_by_default_settings(window, qtbot, dataset):
    config = default_config(image_size=64, denoiser_width=32)  # the app's default space, small for the test
    wizard = CalibrationWizard(window.worker, window, budgets=BUDGET, model_config=config)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.name_page.name.setText("Encoded E1")
    next_page(wizard, qtbot, wizard.good_page)
    wizard.good_page.folder.setText(str(dataset / "train" / "good"))
    next_page(wizard, qtbot, wizard.production_page)
    next_page(wizard, qtbot, wizard.defects_page)
    wizard.defects_page.folder.setText(str(dataset / "test" / "defect"))
    next_page(wizard, qtbot, wizard.scale_page)
    wizard.scale_page.editor.set_scale(None)  # no scale: sizes in pixels, and no mask
    next_page(wizard, qtbot, wizard.area_page)
    assert wizard.area_page.rules.min_area.suffix() == " px²"
    next_page(wizard, qtbot, wizard.training_page)
    wizard.training_page.train_button.click()
    qtbot.waitUntil(lambda: wizard.training_page.prepared is not None, timeout=900_000)
    next_page(wizard, qtbot, wizard.threshold_page)
    next_page(wizard, qtbot, wizard.summary_page)
    summary = wizard.summary_page.text.text()
    assert f"Model space: encoder: {ENCODER_NAME}" in summary and "Scorer fused" in summary
    wizard.accept()
    save_prepared(wizard.result_profile())
    profile = open_profile("Encoded E1")
    assert profile.training["space"] == "encoder" and profile.default_scorer == "fused"
    assert profile.inspection["mask"] is False and profile.inspection_mask() is None
    defects, good = np.asarray(profile.entry().defect_scores), np.asarray(profile.entry().good_scores)
    assert np.median(defects) > np.median(good)


def test_a_folder_with_too_few_images_is_refused_with_a_reason(wizard, qtbot, dataset, tmp_path):
    few = tmp_path / "few"
    few.mkdir()
    for source in sorted((dataset / "train" / "good").iterdir())[:2]:
        shutil.copy(source, few / source.name)
    shutil.copy(few / source.name, few / "copy.png")
    (few / "broken.png").write_bytes(b"\x89PNG broken")
    wizard.name_page.name.setText("Too few")
    wizard.next()
    wizard.good_page.folder.setText(str(few))
    assert not wizard.good_page.isComplete()
    assert not wizard.button(QtWidgets.QWizard.NextButton).isEnabled()
    summary = wizard.good_page.summary.text()
    assert "Cannot train: 3 readable images" in summary and "at least 4 are needed" in summary
    listed = [wizard.good_page.thumbnails.item(i).text() for i in range(wizard.good_page.thumbnails.count())]
    assert any("broken.png" in t and "unreadable" in t for t in listed) and any("copy of" in t for t in listed)


def test_good_images_can_be_captured_from_a_camera_into_a_new_folder(qtbot, tmp_path, defect_video, started_threads):
    from radar_desktop.gui.capture_dialog import CaptureImagesDialog
    from radar_desktop.profiles.folder_check import check_good_folder

    dialog = CaptureImagesDialog(tmp_path / "captured", source=str(defect_video))
    qtbot.addWidget(dialog)
    dialog.count.setValue(5)
    dialog.interval.setValue(0.1)
    dialog.buttons.accepted.emit()  # Start
    qtbot.waitUntil(lambda: dialog.result() == QtWidgets.QDialog.Accepted, timeout=20_000)
    assert dialog.saved == 5 and dialog.loop is None  # capture stopped
    check = check_good_folder(tmp_path / "captured")
    assert len(check.readable) == 5 and check.shapes == {"64 x 64, 3 channels": 5}


def test_capture_refuses_a_source_that_does_not_exist(qtbot, tmp_path):
    from radar_desktop.gui.capture_dialog import CaptureImagesDialog

    dialog = CaptureImagesDialog(tmp_path / "captured", source=str(tmp_path / "nothing.avi"))
    qtbot.addWidget(dialog)
    dialog.buttons.accepted.emit()
    assert "no such camera index, file or stream" in dialog.status.text() and dialog.loop is None
