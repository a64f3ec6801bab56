"""The live camera tab and the --camera command line, driven on a video file made by the tests."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from radar_desktop.engine.jobs.live import Roi
from radar_desktop.profiles.paths import data_home

pytestmark = pytest.mark.gui


def stop_live(window, qtbot) -> None:
    window.live_view.start_button.click()  # the button reads Stop while live
    qtbot.waitUntil(lambda: window.live.session is None, timeout=20_000)


def test_live_tab_shows_verdicts_rates_and_keeps_snapshots(window, qtbot, defect_video):
    view = window.live_view
    window.open_camera(str(defect_video))
    assert window.tabs.currentWidget() is view
    session = window.live.session
    qtbot.waitUntil(lambda: session.inspected >= 30 and view.shown is not None, timeout=60_000)
    thresholds = window.profiles.profile.thresholds
    scores = [score for _, score in session.scores()]
    assert min(scores) <= thresholds.nok < max(scores)  # good frames pass, defect frames fail
    assert view.verdict_label.text() in ("OK", "REVIEW", "NOK")
    assert "capture" in view.rates_label.text() and "latency" in view.rates_label.text()
    qtbot.waitUntil(lambda: len(view.curve.getData()[0]) >= len(scores), timeout=5_000)  # the next repaint

    view.freeze_button.setChecked(True)
    frozen = view.shown.frame_index
    qtbot.wait(400)
    assert view.shown.frame_index == frozen and session.inspected > 0
    view.freeze_button.setChecked(False)

    view.snapshot_button.click()
    assert window.files_tab.table.model.rowCount() == 1
    saved = window.files_tab.table.model.outcomes[0]
    assert os.path.isfile(saved.path) and os.path.isfile(saved.path.replace(".png", "_heatmap.png"))
    assert saved.path.startswith(str(data_home() / "snapshots"))
    assert window.export_action.isEnabled() is False  # busy while live; enabled again once stopped

    view.autosave_box.setChecked(True)
    qtbot.waitUntil(lambda: window.files_tab.table.model.rowCount() >= 4, timeout=30_000)
    view.autosave_box.setChecked(False)
    assert all(o.result.verdict.value == "NOK" for o in window.files_tab.table.model.outcomes[1:])

    view.set_roi(Roi(8, 8, 40, 40))
    assert session.roi == Roi(8, 8, 40, 40)
    stop_live(window, qtbot)
    assert "Live inspection stopped" in window.status_label.text()
    assert window.export_action.isEnabled()
    assert window.live._stored_roi("tiny") == Roi(8, 8, 40, 40)  # kept for this profile


def test_live_tab_inspects_frames_with_an_encoder_profile(encoder_window, qtbot, defect_video):
    window = encoder_window
    assert window.profiles.profile.model["space"] == "encoder" and window.profiles.profile.scorer == "fused"
    window.open_camera(str(defect_video))
    session = window.live.session
    qtbot.waitUntil(lambda: session.inspected >= 30 and window.live_view.shown is not None, timeout=60_000)
    scores = [score for _, score in session.scores()]
    assert min(scores) <= window.profiles.profile.thresholds.nok < max(scores)  # good frames pass, defect frames fail
    assert window.live_view.shown.result.anomaly_map is not None
    stop_live(window, qtbot)


def test_a_camera_that_is_not_there_is_reported_and_retried_without_freezing(window, qtbot):
    window.open_camera("97")
    qtbot.waitUntil(lambda: "no camera answers at index 97" in window.live_view.state_label.text(), timeout=20_000)
    assert "retrying in" in window.live_view.state_label.text()
    stop_live(window, qtbot)  # ends without waiting out the retries


def test_an_unknown_source_is_refused_with_a_message(window, qtbot, tmp_path):
    window.open_camera(str(tmp_path / "no-such-video.avi"))
    assert window.live.session is None
    assert "no such camera index, file or stream" in window.status_label.text()


def test_command_line_watches_a_camera_for_n_frames_and_saves_a_screenshot(tiny_profile, isolated_home, defect_video, tmp_path):
    shot = tmp_path / "live.png"
    command = [sys.executable, "-m", "radar_desktop.app", "--profile", "tiny", "--device", "cpu",
               "--camera", str(defect_video), "--frames", "12", "--screenshot", str(shot)]
    env = {**os.environ, "RADAR_DESKTOP_HOME": str(isolated_home), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Live inspection stopped: 12 frames inspected" in done.stderr
    assert shot.stat().st_size > 10_000
