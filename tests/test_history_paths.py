"""Every inspection path writes history rows: the window's folder and file scans and live snapshots,
and the command line's scan and report."""

from __future__ import annotations

from pathlib import Path

import pytest

from radar_desktop.app import main
from radar_desktop.history.database import HistoryDatabase, HistoryFilter
from tests.synthetic import scan_folder


def rows(**filters):
    with HistoryDatabase() as database:
        return database.query(HistoryFilter(**filters), limit=1000)


def test_cli_scan_and_report_record_every_file_with_operator_lot_and_profile(tiny_profile, dataset, tmp_path):
    folder = scan_folder(dataset, tmp_path)
    assert main(["scan", "--profile", "tiny", "--input", str(folder), "--csv", str(tmp_path / "a.csv"),
                 "--operator", "Ana", "--lot", "L-42", "--device", "cpu"]) == 0
    scanned = rows(origin="cli-scan")
    assert len(scanned) == 13
    record = scanned[0].record
    assert (record.operator, record.lot, record.profile_name, record.profile_hash) == ("Ana", "L-42", "tiny", tiny_profile.content_hash)
    assert record.nok_threshold == pytest.approx(tiny_profile.thresholds().nok)
    broken = [r.record for r in scanned if r.record.verdict == "ERROR"]
    assert len(broken) == 1 and broken[0].message and broken[0].sha256 is not None  # a corrupt file still has bytes
    good = [r.record for r in scanned if r.record.verdict != "ERROR"]
    assert all(r.sha256 and r.width == 64 and r.thumbnail_file and r.heatmap_file for r in good)
    assert any(r.regions != "[]" for r in good if r.verdict == "NOK")
    assert main(["report", "--profile", "tiny", "--input", str(folder), "--pdf", str(tmp_path / "r.pdf"),
                 "--lot", "L-43", "--device", "cpu"]) == 0
    assert len(rows(origin="cli-report", lot="L-43")) == 13
    assert len(rows(profile_name="tiny")) == 26


@pytest.mark.gui
def test_the_window_records_folder_and_file_scans_and_snapshots(window, qtbot, dataset, tmp_path, defect_video):
    window.session_fields.lot_edit.setText("Lot 7")
    folder = scan_folder(dataset, tmp_path)
    with qtbot.waitSignal(window.sig_task_done, timeout=120_000):
        window.open_paths([folder])
    one = next(Path(folder).glob("*_defect_*"))
    with qtbot.waitSignal(window.sig_task_done, timeout=120_000):
        window.open_paths([one])
    window.open_camera(str(defect_video))
    qtbot.waitUntil(lambda: window.live_view.shown is not None, timeout=60_000)
    window.live_view.snapshot_button.click()
    window.live.stop()
    qtbot.waitUntil(lambda: window.live.session is None or not window.jobs.busy, timeout=30_000)
    assert window.history.flush(timeout=30)
    assert len(rows(origin="folder", lot="Lot 7")) == 13
    [single] = rows(origin="files")
    assert single.record.name == one.name and single.record.verdict == "NOK"
    [snapshot] = rows(origin="snapshot")
    assert snapshot.record.path.endswith(".png") and snapshot.record.profile_name == "tiny"
    window.tabs.setCurrentWidget(window.history_view)  # shown: it reads what was recorded meanwhile
    assert window.history_view.model.total == 15
    window.history_view.filters.lot_box.setCurrentIndex(window.history_view.filters.lot_box.findData("Lot 7"))
    assert window.history_view.model.total == 15 and window.history_view.filters.lot_box.count() == 2
    window.tabs.setCurrentWidget(window.drift_chart)
    assert window.drift_chart.record["profile_name"] == "tiny" and len(window.drift_chart.record["scores"]) == 14
