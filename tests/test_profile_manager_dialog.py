"""The profile manager dialog, driven offscreen."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui
QtWidgets = pytest.importorskip("PySide6.QtWidgets", reason="the no-Qt layer check blocks PySide6")

from radar_desktop.gui.profile_manager import ProfileManagerDialog  # noqa: E402 (needs Qt)


@pytest.fixture
def dialog(qtbot, tiny_profile, isolated_home):
    (isolated_home / "profiles" / "Line 3").mkdir()  # broken: no profile.json
    manager = ProfileManagerDialog(select="tiny")
    qtbot.addWidget(manager)
    return manager


def test_lists_good_and_broken_profiles_with_details_and_reasons(dialog, tiny_profile):
    assert dialog.names() == ["tiny", "Line 3"]
    assert tiny_profile.content_hash in dialog.details.toPlainText()
    assert "held back for calibration" in dialog.details.toPlainText()
    dialog.list.setCurrentRow(1)
    assert "profile.json is missing" in dialog.details.toPlainText()
    assert not dialog.buttons["Duplicate"].isEnabled() and not dialog.buttons["Export"].isEnabled()
    assert dialog.buttons["Delete"].isEnabled()


def test_every_action_updates_the_list_and_errors_leave_the_store_as_it_was(dialog, qtbot, tmp_path):
    assert dialog.duplicate("tiny 2") and dialog.current_name() == "tiny 2"
    assert dialog.rename("tiny 3") and "tiny 2" not in dialog.names() and dialog.current_name() == "tiny 3"
    assert dialog.export(tmp_path / "t3.radarprofile") and (tmp_path / "t3.radarprofile").is_file()
    assert dialog.delete() and "tiny 3" not in dialog.names()
    assert dialog.import_file(tmp_path / "t3.radarprofile", "tiny imported") and dialog.current_name() == "tiny imported"
    assert dialog.changed

    before = dialog.names()
    dialog.list.setCurrentRow(before.index("tiny"))
    assert not dialog.duplicate("tiny imported")  # the name is taken
    box = dialog.findChild(QtWidgets.QMessageBox)
    assert box is not None and "already exists" in box.text()
    assert dialog.names() == before


def test_main_window_reloads_profiles_after_the_manager_changed_them(window, qtbot, monkeypatch):
    monkeypatch.setattr(ProfileManagerDialog, "exec", lambda self: self.duplicate("tiny copy"))
    window.profiles.profiles_action.trigger()
    names = [window.profiles.profile_box.itemText(i) for i in range(window.profiles.profile_box.count())]
    assert names == ["tiny", "tiny copy"]
    profiles = window.profiles
    qtbot.waitUntil(lambda: profiles.profile is not None and profiles.profile.name == "tiny", timeout=60_000)


def test_scale_mask_and_rule_are_edited_as_new_versions(dialog, tiny_profile, monkeypatch):
    import numpy as np

    from radar_desktop.gui.mask_editor import MaskEditorDialog, MaskResult
    from radar_desktop.gui.scale_editor import ScaleDialog, ScaleResult
    from radar_desktop.profiles.profile import load_verified
    from radar_desktop.profiles.store import open_profile

    # the training images are where the tiny profile was trained: they are the reference image
    seen = {}

    def fake_mask_edit(cls, parent, image, mask=None):
        seen["image"], seen["mask"] = image.shape, mask
        drawn = np.ones(image.shape[:2], np.uint8)
        drawn[:10] = 0
        return MaskResult(drawn)

    monkeypatch.setattr(MaskEditorDialog, "edit", classmethod(fake_mask_edit))
    dialog.buttons["Inspection mask"].click()
    assert seen == {"image": (64, 64, 1), "mask": None}
    profile = open_profile("tiny")
    assert profile.inspection["mask"] is True and profile.inspection_mask()[:10].sum() == 0
    assert "84% of the image inspected" in dialog.details.toPlainText()

    assert dialog.set_rules(20.0, 0.0)  # 20 px² while the profile has no scale
    monkeypatch.setattr(ScaleDialog, "edit", classmethod(lambda cls, parent, image, mm=None: ScaleResult(0.1)))
    dialog.buttons["Scale"].click()
    profile = load_verified(open_profile("tiny").folder)
    assert profile.inspection["mm_per_pixel"] == 0.1
    assert profile.inspection["min_area"] == pytest.approx(0.2)  # the rule kept its meaning: 20 px² is 0.2 mm²
    events = [e["event"] for e in profile.history]
    assert events[-3:] == ["inspection mask set", "acceptance rule set", "scale set"]
    assert profile.content_hash != tiny_profile.content_hash
    assert "ignore regions under 0.2 mm²" in dialog.details.toPlainText()
    # the self-test made at training is kept, its sizes now also in mm
    assert profile.selftest["mm_per_pixel"] == 0.1 and "a90_mm" in profile.selftest["fits"]["disc_dark"]
    assert "self-test     a90 disc, darker" in dialog.details.toPlainText() and " mm" in dialog.details.toPlainText()
    monkeypatch.setattr(MaskEditorDialog, "edit", classmethod(lambda cls, parent, image, mask=None: MaskResult(None)))
    dialog.buttons["Inspection mask"].click()
    assert open_profile("tiny").inspection_mask() is None
