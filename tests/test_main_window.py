"""The operator window, driven offscreen with a tiny profile on synthetic images."""

from pathlib import Path

import pytest

from tests.synthetic import scan_folder

pytestmark = pytest.mark.gui


def test_scan_fills_table_viewer_and_charts(window, qtbot, dataset, tmp_path):
    folder = scan_folder(dataset, tmp_path)
    with qtbot.waitSignal(window.sig_task_done, timeout=120_000) as done:
        window.open_paths([folder])
    assert done.args == [0]
    outcomes = window.files_tab.table.model.outcomes
    assert len(outcomes) == 13
    verdicts = {Path(o.path).name: (o.result.verdict.value if o.result else "ERROR") for o in outcomes}
    assert all(v == "NOK" for name, v in verdicts.items() if "_defect_" in name)
    assert verdicts["zz_corrupt.png"] == "ERROR"
    assert "12 images" not in window.status_label.text() and "13 images" in window.status_label.text()
    assert len(window.files_tab.charts.scores) == 12
    assert window.files_tab.charts.series.getData()[1].tolist() == window.files_tab.charts.scores

    defect_row = next(i for i, o in enumerate(outcomes) if "_defect_" in o.path)
    window.files_tab.table.select_row(defect_row)
    assert "NOK" in window.files_tab.viewer.header.text()
    assert window.files_tab.viewer.contour_count >= 1

    window.files_tab.table.filter_box.setCurrentText("NOK")
    assert window.files_tab.table.proxy.rowCount() == 6
    window.files_tab.table.filter_box.setCurrentText("ERROR")
    assert window.files_tab.table.proxy.rowCount() == 1
    window.files_tab.table.filter_box.setCurrentText("All")
    window.files_tab.table.view.sortByColumn(2, pytest.importorskip("PySide6.QtCore").Qt.DescendingOrder)
    top = window.files_tab.table.proxy.mapToSource(window.files_tab.table.proxy.index(0, 1)).row()
    assert "_defect_" in outcomes[top].path


def test_cancel_stops_a_scan_midway(window, qtbot, dataset, tmp_path):
    folder = scan_folder(dataset, tmp_path, copies=8)
    total = len(list(folder.iterdir()))
    window.worker.sig_outcome.connect(lambda outcome: window.jobs.cancel())
    with qtbot.waitSignal(window.sig_task_done, timeout=120_000) as done:
        window.open_paths([folder])
    assert done.args == [1]
    assert 0 < len(window.files_tab.table.model.outcomes) < total
    assert "cancelled" in window.status_label.text()
    assert window.open_folder_action.isEnabled()


def test_a_broken_model_fails_with_a_dialog_not_a_crash(qtbot, tiny_profile, started_threads):
    from PySide6.QtWidgets import QMessageBox

    from radar_desktop.gui.main_window import MainWindow, application

    weights = tiny_profile.folder / "model" / "unet" / "diffusion_pytorch_model.safetensors"
    weights.write_bytes(b"garbage")
    application()
    main = MainWindow(device_name="cpu")
    qtbot.addWidget(main)
    main.show()
    qtbot.waitUntil(lambda: any(box.isVisible() for box in main.findChildren(QMessageBox)), timeout=60_000)
    [box] = main.findChildren(QMessageBox)
    assert "load profile failed" in box.text()
    assert "Traceback" in box.detailedText()
    assert not main.open_folder_action.isEnabled()


def test_settings_remember_folder_and_splitters(window, qtbot, tiny_profile, dataset, started_threads):
    from radar_desktop.gui.main_window import MainWindow

    window.resize(760, 560)  # inside the offscreen screen, so the geometry restores exactly
    window.files_tab.main_split.setSizes([300, 460])
    sizes = window.files_tab.main_split.sizes()
    with qtbot.waitSignal(window.sig_task_done, timeout=120_000):
        window.open_paths([dataset / "test" / "good"])
    window.close()
    again = MainWindow(device_name="cpu")
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.size() == window.size()
    assert again.files_tab.main_split.sizes() == sizes
    assert again.settings.value("last_folder") == str(dataset / "test" / "good")
    assert again.profiles.profile_box.currentText() == "tiny"


def test_command_line_task_scans_saves_a_screenshot_and_exits_zero(tiny_profile, isolated_home, dataset, tmp_path):
    import os
    import subprocess
    import sys

    shot = tmp_path / "window.png"
    command = [sys.executable, "-m", "radar_desktop.app", "--profile", "tiny", "--device", "cpu",
               "--open", str(dataset / "test" / "defect"), "--screenshot", str(shot), "--quit-when-done"]
    env = {**os.environ, "RADAR_DESKTOP_HOME": str(isolated_home), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "6 images: 0 OK, 0 REVIEW, 6 NOK, 0 unreadable" in done.stderr
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("store", ["a profile", "only a broken profile", "empty"])
def test_the_window_opens_without_torch_and_quits_once_its_task_is_done(store, tiny_profile, isolated_home):
    import os
    import shutil
    import subprocess
    import sys

    if store != "a profile":
        shutil.rmtree(isolated_home / "profiles")
    if store == "only a broken profile":
        (isolated_home / "profiles" / "Line 3").mkdir(parents=True)
    command = [sys.executable, "-m", "radar_desktop.app", "--device", "cpu", "--quit-when-done"]
    env = {**os.environ, "RADAR_DESKTOP_HOME": str(isolated_home), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    if store == "a profile":
        assert "window shown" in done.stderr
    elif store == "only a broken profile":  # nothing to load: the engine (torch, diffusers) is never imported
        assert "window shown (torch loaded: False)" in done.stderr
        assert not (isolated_home / "profiles" / "Demo lattice").exists()  # the store was not empty
    else:  # first launch: the demo profile is installed and the bundled samples are inspected
        assert "installed the demo profile 'Demo lattice'" in done.stderr
        assert "12 images: 4 OK, 0 REVIEW, 8 NOK, 0 unreadable" in done.stderr


def test_empty_folder_is_refused_with_a_message(window, qtbot, tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    with qtbot.waitSignal(window.sig_task_done, timeout=5_000) as done:
        window.open_paths([empty])
    assert done.args == [1]
    assert "holds no images" in window.status_label.text()


def test_dropped_folder_is_scanned_and_keys_step_through_results(window, qtbot, dataset):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dataset / "test" / "defect"))])
    drop = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    with qtbot.waitSignal(window.sig_task_done, timeout=120_000) as done:
        window.dropEvent(drop)
    assert done.args == [0]
    assert len(window.files_tab.table.model.outcomes) == 6
    window.files_tab.table.select_row(0)
    qtbot.keyClick(window.files_tab.table.view, Qt.Key_Down)
    assert window.files_tab.table.view.currentIndex().row() == 1
    assert "bad_001.png" in window.files_tab.viewer.header.text()
    window.files_tab.table.step(1)
    assert "bad_002.png" in window.files_tab.viewer.header.text()


def test_running_out_of_memory_mid_scan_is_told_and_the_scan_completes(window, qtbot, dataset, tmp_path, monkeypatch):
    import torch

    from radar_desktop.engine.jobs import inspection

    real_forward = inspection.forward_for

    def forward_fitting_two(model, batch, *args, **kwargs):
        if batch.shape[0] > 2:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 3.00 GiB")
        return real_forward(model, batch, *args, **kwargs)

    monkeypatch.setattr(inspection, "forward_for", forward_fitting_two)
    folder = scan_folder(dataset, tmp_path)
    with qtbot.waitSignal(window.sig_task_done, timeout=120_000):
        window.open_paths([folder])
    outcomes = window.files_tab.table.model.outcomes
    assert len(outcomes) == len(list(folder.iterdir()))
    assert sum(o.result is not None for o in outcomes) == len(outcomes) - 1  # all but the corrupt file
    assert "continuing with 2 at a time" in window.status_label.text()
    assert window.status_label.text().startswith(f"{len(outcomes)} images:")


def test_a_gpu_out_of_memory_moves_the_work_to_the_cpu_and_the_report_says_so(window, qtbot, dataset, tmp_path, monkeypatch):
    from dataclasses import replace

    from tests.fake_gpu import gpu_without_memory

    gpu_without_memory(monkeypatch)
    window.profiles.profile = replace(window.profiles.profile, device="CUDA (NVIDIA H200)")  # as if loaded on a GPU
    window.profiles.engine_device = window.profiles.profile.device
    folder = scan_folder(dataset, tmp_path)
    with qtbot.waitSignal(window.sig_task_done, timeout=120_000):
        window.open_paths([folder])
    assert sum(o.result is not None for o in window.files_tab.table.model.outcomes) == len(list(folder.iterdir())) - 1
    assert window.profiles.device_label.text() == "Device: CPU"
    assert "continuing on the CPU" in window.status_label.text()
    assert window.files_tab.make_report("Ana").session.device == "CPU (moved from CUDA (NVIDIA H200): out of memory)"
