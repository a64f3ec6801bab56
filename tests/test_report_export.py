"""Exporting a report from the window: comments, the dialog and its preview, writing on the engine thread."""

import csv
import json
import subprocess

import pytest

from tests.poppler import needs_poppler
from tests.synthetic import scan_folder

pytestmark = pytest.mark.gui


@pytest.fixture
def scanned(window, qtbot, dataset, tmp_path):
    """The window after scanning the synthetic test images and one corrupt file."""
    with qtbot.waitSignal(window.sig_task_done, timeout=120_000):
        window.open_paths([scan_folder(dataset, tmp_path)])
    return window


def test_export_is_offered_only_once_there_are_results(window, scanned):
    assert scanned.export_action.isEnabled()
    scanned.files_tab.table.model.clear()
    scanned._update_actions()
    assert not scanned.export_action.isEnabled()


def test_dialog_previews_the_first_page_and_refuses_a_missing_operator(scanned, qtbot, tmp_path):
    from radar_desktop.gui.report_dialog import ReportExportDialog

    dialog = ReportExportDialog(scanned.files_tab.make_report, "", tmp_path / "lot.pdf", scanned)
    qtbot.addWidget(dialog)
    preview = dialog.preview.pixmap()
    assert not preview.isNull() and preview.height() > preview.width()  # an A4 page, upright
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.result() == 0 and "operator" in dialog.message.text()

    dialog.operator_edit.setText("Ana Lopez")
    dialog.page_box.setCurrentText("Letter")
    dialog.refresh_preview()
    letter = dialog.preview.pixmap()
    assert letter.width() / letter.height() == pytest.approx(612 / 792, abs=0.01)
    request = dialog.request()
    assert request.report.session.operator == "Ana Lopez"
    assert request.options.page_size == "Letter" and request.files.csv == tmp_path / "lot.csv"
    assert request.report.session.profile_hash == scanned.files_tab.scan_profile.content_hash


@needs_poppler
def test_export_writes_pdf_json_and_csv_with_the_operators_comments(scanned, qtbot, tmp_path, monkeypatch):
    from radar_desktop.gui.report_dialog import ReportExportDialog, ReportRequest
    from radar_desktop.gui.results_table import COMMENT_COLUMN
    from radar_desktop.reports.export import ReportFiles
    from radar_desktop.reports.pdf import PdfOptions

    model = scanned.files_tab.table.model
    flagged_row = next(i for i, o in enumerate(model.outcomes) if o.result is not None and o.result.verdict.value == "NOK")
    assert model.setData(model.index(flagged_row, COMMENT_COLUMN), "  crack at the\nleft edge ")
    assert model.comments[flagged_row] == "crack at the left edge"

    pdf = tmp_path / "reports" / "lot.pdf"
    pdf.parent.mkdir()

    def fake_get_request(make_report, operator, pdf_path, parent):
        return ReportRequest(make_report("Ana Lopez"), ReportFiles(pdf, pdf.with_suffix(".csv")), PdfOptions())

    monkeypatch.setattr(ReportExportDialog, "get_request", staticmethod(fake_get_request))
    scanned.export_action.trigger()
    assert scanned.jobs.busy and not scanned.export_action.isEnabled()
    qtbot.waitUntil(lambda: not scanned.jobs.busy, timeout=60_000)
    assert scanned.status_label.text().startswith(f"Report saved: {pdf}")
    assert scanned.settings.value("operator") == "Ana Lopez"

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "crack at the left edge" in text and "Ana Lopez" in text and "zz_corrupt.png" in text
    sidecar = json.loads(pdf.with_suffix(".json").read_text(encoding="utf-8"))
    assert sidecar["entries"][flagged_row]["comment"] == "crack at the left edge"
    assert sidecar["summary"]["total"] == len(model.outcomes)
    with pdf.with_suffix(".csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[flagged_row]["comment"] == "crack at the left edge"


def test_a_failed_export_keeps_the_results_and_says_why(scanned, qtbot, tmp_path):
    from radar_desktop.gui.report_dialog import ReportRequest
    from radar_desktop.reports.export import ReportFiles
    from radar_desktop.reports.pdf import PdfOptions

    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where a folder should be")
    rows = len(scanned.files_tab.table.model.outcomes)
    request = ReportRequest(scanned.files_tab.make_report("Ana"), ReportFiles(blocker / "r.pdf"), PdfOptions())
    scanned.files_tab.export_report(request)
    qtbot.waitUntil(lambda: not scanned.jobs.busy, timeout=60_000)
    assert "report failed" in scanned.status_label.text() and "not_a_folder" in scanned.status_label.text()
    assert len(scanned.files_tab.table.model.outcomes) == rows and scanned.export_action.isEnabled()


def test_an_export_to_a_read_only_folder_says_so_and_the_next_one_succeeds(scanned, qtbot, tmp_path):
    from radar_desktop.gui.report_dialog import ReportRequest
    from radar_desktop.reports.export import ReportFiles
    from radar_desktop.reports.pdf import PdfOptions
    from tests.disks import read_only_folder

    files_tab = scanned.files_tab
    rows = len(files_tab.table.model.outcomes)
    with read_only_folder(tmp_path / "locked") as locked:
        files_tab.export_report(ReportRequest(files_tab.make_report("Ana"), ReportFiles(locked / "lot.pdf"), PdfOptions()))
        qtbot.waitUntil(lambda: not scanned.jobs.busy, timeout=60_000)
        assert "lot.pdf" in scanned.status_label.text() and "read-only" in scanned.status_label.text()
        assert list(locked.iterdir()) == []
    assert len(files_tab.table.model.outcomes) == rows
    pdf = tmp_path / "elsewhere" / "lot.pdf"
    files_tab.export_report(ReportRequest(files_tab.make_report("Ana"), ReportFiles(pdf), PdfOptions()))
    qtbot.waitUntil(lambda: not scanned.jobs.busy, timeout=60_000)
    assert pdf.is_file() and scanned.status_label.text().startswith(f"Report saved: {pdf}")
