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
    window.profiles_action.trigger()
    names = [window.profile_box.itemText(i) for i in range(window.profile_box.count())]
    assert names == ["tiny", "tiny copy"]
    qtbot.waitUntil(lambda: window.profile is not None and window.profile.name == "tiny", timeout=60_000)
