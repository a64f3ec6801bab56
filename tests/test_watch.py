"""The watch folder: a file copied in slowly is inspected once, after it is complete, and never again."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import pytest
import numpy as np

from radar_desktop.app import main
from radar_desktop.history.database import HistoryDatabase, HistoryFilter
from radar_desktop.history.recording import file_sha256
from radar_desktop.history.watch import FolderWatcher
from tests.synthetic import texture


def png_bytes(seed: int) -> bytes:
    ok, data = cv2.imencode(".png", texture(np.random.default_rng(seed), 64))
    assert ok
    return data.tobytes()


def copy_slowly(data: bytes, target: Path, chunks: int = 6, pause_s: float = 0.25) -> None:
    """Write ``data`` in pieces, as a network copy does, so the file is incomplete for a while."""
    with target.open("wb") as handle:
        for i in range(chunks):
            handle.write(data[i * len(data) // chunks : (i + 1) * len(data) // chunks])
            handle.flush()
            time.sleep(pause_s)


def test_a_file_is_ready_only_once_its_size_stayed_still_and_it_decodes(tmp_path):
    watcher = FolderWatcher(tmp_path, settle_s=1.0)
    data = png_bytes(1)
    (tmp_path / "part.png").write_bytes(data[: len(data) // 2])  # half copied
    (tmp_path / "notes.txt").write_text("not an image")
    assert watcher.poll(now=0.0) == [] and watcher.waiting == 1
    assert watcher.poll(now=5.0) == []  # stable, but it does not decode yet
    (tmp_path / "part.png").write_bytes(data)
    assert watcher.poll(now=6.0) == []  # changed: it starts settling again
    assert watcher.poll(now=6.5) == []
    assert watcher.poll(now=7.1) == [tmp_path / "part.png"]
    assert watcher.poll(now=9.0) == []  # once per run


def test_watch_inspects_a_slowly_copied_file_once_and_a_restart_skips_it(tiny_profile, tmp_path, capsys):
    folder = tmp_path / "incoming"
    folder.mkdir()
    data = png_bytes(2)
    copier = threading.Thread(target=copy_slowly, args=(data, folder / "part_001.png"))
    copier.start()
    try:
        status = main(["watch", "--profile", "tiny", "--folder", str(folder), "--poll", "0.1", "--settle", "0.5",
                       "--max-files", "1", "--lot", "L-9", "--device", "cpu"])
    finally:
        copier.join()
    assert status == 0
    out = capsys.readouterr().out
    assert "part_001.png: " in out and "ERROR" not in out and "1 inspected" in out
    with HistoryDatabase() as database:
        [row] = database.query(HistoryFilter(origin="watch"))
    assert row.record.sha256 == file_sha256(folder / "part_001.png")  # inspected whole, not half copied
    assert row.record.lot == "L-9" and row.record.profile_hash == tiny_profile.content_hash

    (folder / "copy_of_part.png").write_bytes(data)  # the same content under another name
    (folder / "part_002.png").write_bytes(png_bytes(3))
    assert main(["watch", "--profile", "tiny", "--folder", str(folder), "--poll", "0.1", "--settle", "0.2",
                 "--idle-exit", "1.5", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "part_002.png" in out and "part_001.png" not in out and "copy_of_part.png" not in out
    with HistoryDatabase() as database:
        assert database.count(HistoryFilter(origin="watch")) == 2


def test_watching_a_missing_folder_is_refused(tiny_profile, tmp_path, capsys):
    assert main(["watch", "--profile", "tiny", "--folder", str(tmp_path / "nowhere"), "--device", "cpu"]) == 1
    assert "no such folder to watch" in capsys.readouterr().err


@pytest.mark.gui
def test_the_window_watches_a_folder_into_its_table_and_the_history(window, qtbot, tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "before.png").write_bytes(png_bytes(7))
    window.session_fields.lot_edit.setText("W-1")
    window.files_tab.start_watch(folder)
    assert window.jobs.busy and not window.watch_action.isEnabled()
    copier = threading.Thread(target=copy_slowly, args=(png_bytes(8), folder / "slow.png"))
    copier.start()
    qtbot.waitUntil(lambda: window.files_tab.table.model.rowCount() == 2, timeout=60_000)
    copier.join()
    qtbot.waitUntil(lambda: "2 inspected" in window.status_label.text(), timeout=20_000)
    with qtbot.waitSignal(window.sig_task_done, timeout=30_000):
        window.jobs.cancel()
    assert not window.jobs.busy and "Stopped watching; 2 images inspected" in window.status_label.text()
    assert window.history.flush(timeout=30)
    with HistoryDatabase() as database:
        rows = database.query(HistoryFilter(origin="watch"))
    assert sorted(r.record.name for r in rows) == ["before.png", "slow.png"] and {r.record.lot for r in rows} == {"W-1"}
    window.files_tab.start_watch(folder)  # watched again: both contents are in the history, nothing is inspected twice
    qtbot.waitUntil(lambda: "2 already known" in window.status_label.text(), timeout=30_000)
    with qtbot.waitSignal(window.sig_task_done, timeout=30_000):
        window.jobs.cancel()
    assert window.files_tab.table.model.rowCount() == 0
