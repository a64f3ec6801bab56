"""The first window, offscreen."""

import pytest

pytestmark = pytest.mark.gui


def test_status_window_names_profile_and_device(qtbot, tiny_profile):
    from radar_desktop.gui.status_window import StatusWindow, describe_active

    window = StatusWindow(describe_active(None, "cpu"))
    qtbot.addWidget(window)
    window.show()
    assert "tiny" in window.profile_label.text()
    assert "CPU" in window.device_label.text()


def test_status_window_reports_a_missing_profile_and_a_broken_one(qtbot, isolated_home):
    from radar_desktop.gui.status_window import describe_active

    (isolated_home / "profiles" / "bad").mkdir(parents=True)
    setup = describe_active("nope", "cpu")
    assert any("no profile named 'nope'" in p for p in setup.problems)
    assert any("broken profile bad" in p for p in setup.problems)


def test_screenshot_option_saves_the_window(qapp, tmp_path):
    from radar_desktop.app import main

    shot = tmp_path / "window.png"
    assert main(["--device", "cpu", "--screenshot", str(shot)]) == 0
    assert shot.stat().st_size > 1000
