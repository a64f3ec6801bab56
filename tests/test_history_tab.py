"""The History tab on a pytest-qt window: filters, database sorting, lazy pages, an opened row, CSV and PDF export."""

from __future__ import annotations

import csv
import subprocess

import pytest

pytestmark = pytest.mark.gui
QtCore = pytest.importorskip("PySide6.QtCore", reason="the no-Qt layer check blocks PySide6")

from radar_desktop.gui.history_model import PAGE_ROWS  # noqa: E402
from radar_desktop.gui.history_view import HistoryWidget  # noqa: E402
from radar_desktop.gui.report_dialog import ReportRequest  # noqa: E402
from radar_desktop.history.database import HistoryDatabase, default_path  # noqa: E402
from radar_desktop.reports.export import ReportFiles  # noqa: E402
from radar_desktop.reports.pdf import PdfOptions  # noqa: E402
from tests.test_history_export import stored_record  # noqa: E402

QItemSelectionModel, Qt = QtCore.QItemSelectionModel, QtCore.Qt
ROWS = PAGE_ROWS + 50


@pytest.fixture
def history(tmp_path):
    with HistoryDatabase(default_path()) as database:
        records = []
        for i in range(ROWS):
            records.append(stored_record(
                database, i % 10, tmp_path / f"part_{i:04d}.png", inspected_at=f"2026-03-{1 + i % 28:02d}T10:{i % 60:02d}:00",
                lot="L42" if i % 2 else "L43", operator="ann" if i % 5 else "bob", score=i / 1000,
                verdict=("OK", "REVIEW", "NOK")[i % 3],
            ))
        database.insert(records)
        database.insert([stored_record(database, 1, tmp_path / "other.png", profile_name="Tile B", lot="L99")])
        flagged = database.query(database_filter(verdicts=("REVIEW",)), limit=1)[0]
        database.add_review(flagged.id, "OK", reason="dust", reviewer="cy")
    return default_path()


def database_filter(**fields):
    from radar_desktop.history.database import HistoryFilter

    return HistoryFilter(**fields)


@pytest.fixture
def tab(qtbot, history, tmp_path):
    asked = []

    def ask_report(make_report, operator, path, parent):
        asked.append(operator)
        report = make_report("Dora")
        return ReportRequest(report, ReportFiles(tmp_path / "tab.pdf"), PdfOptions())

    widget = HistoryWidget(history, operator=lambda: "ann", ask_report=ask_report)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    widget.refresh()
    widget.asked = asked
    yield widget
    widget.close_database()


def test_filters_narrow_the_table_to_what_the_database_counts(tab, qtbot):
    assert tab.model.total == ROWS + 1
    assert tab.model.rowCount() == PAGE_ROWS  # one page loaded; the rest on scrolling
    assert "251 inspections match" in tab.status.text() and "loaded" in tab.status.text()
    filters = tab.filters
    assert [filters.lot_box.itemText(i) for i in range(filters.lot_box.count())] == ["Any lot", "L42", "L43", "L99"]
    filters.verdict_box.setCurrentText("NOK")
    assert tab.model.total == sum(1 for i in range(ROWS) if i % 3 == 2)
    assert {r.record.verdict for r in tab.model.rows} == {"NOK"}
    filters.lot_box.setCurrentIndex(filters.lot_box.findData("L42"))
    filters.operator_box.setCurrentIndex(filters.operator_box.findData("bob"))
    expected = [i for i in range(ROWS) if i % 3 == 2 and i % 2 and not i % 5]
    assert tab.model.total == len(expected)
    filters.verdict_box.setCurrentText("Any")
    filters.operator_box.setCurrentIndex(0)
    filters.name_edit.setText("PART_000")  # any case; applied once typing pauses
    qtbot.waitUntil(lambda: tab.model.total == 5)  # part_0001, 0003, ... 0009 of lot L42
    filters.name_edit.clear()
    qtbot.waitUntil(lambda: tab.model.total == ROWS // 2)
    filters.profile_box.setCurrentIndex(filters.profile_box.findData("Tile B"))
    assert tab.model.total == 0  # Tile B's one row is in lot L99, not L42
    filters.lot_box.setCurrentIndex(0)
    assert tab.model.total == 1
    filters.profile_box.setCurrentIndex(0)
    filters.from_edit.setDate(filters.from_edit.date().fromString("2026-03-27", "yyyy-MM-dd"))
    filters.from_check.setChecked(True)
    assert tab.model.total == sum(1 for i in range(ROWS) if 1 + i % 28 >= 27)


def test_rows_page_in_as_the_view_scrolls_and_sort_in_the_database(tab, qtbot):
    tab.view.scrollToBottom()
    qtbot.waitUntil(lambda: tab.model.rowCount() == ROWS + 1)
    tab.view.sortByColumn(3, Qt.AscendingOrder)  # score
    scores = [r.record.score for r in tab.model.rows]
    assert scores == sorted(scores) and tab.model.order_by == "score" and not tab.model.descending
    tab.view.sortByColumn(0, Qt.DescendingOrder)
    epochs = [r.epoch for r in tab.model.rows]
    assert epochs == sorted(epochs, reverse=True)


def test_an_opened_row_shows_its_thumbnail_heatmap_and_review(tab):
    reviewed = next(i for i, r in enumerate(tab.model.rows) if r.review)
    assert tab.model.data(tab.model.index(reviewed, 5)) == "OK (cy)"
    tab.view.selectRow(reviewed)
    assert not tab.image_label.pixmap().isNull() and not tab.heat_label.pixmap().isNull()
    assert "stored thumbnail" in tab.caption.text()
    assert "Review: OK" in tab.details.text() and "dust" in tab.details.text()


def test_the_selection_exports_to_csv_and_to_a_pdf_report(tab, qtbot, tmp_path):
    tab.filters.profile_box.setCurrentIndex(tab.filters.profile_box.findData("Tile A"))
    tab.view.selectRow(0)
    tab.view.selectionModel().select(tab.model.index(2, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows)
    picked = {tab.model.rows[0].id, tab.model.rows[2].id}
    messages = []
    tab.sig_message.connect(messages.append)
    tab.export_csv(tab.selection_filter(), tmp_path / "picked.csv")
    assert tab.wait_for_export(30)
    qtbot.waitUntil(lambda: any("2 inspections exported" in m for m in messages))
    with (tmp_path / "picked.csv").open(encoding="utf-8") as handle:
        assert {int(r["id"]) for r in csv.DictReader(handle)} == picked
    tab._on_pdf_button_clicked()
    assert tab.asked == ["ann"]
    assert tab.wait_for_export(60)
    qtbot.waitUntil(lambda: any(m.startswith("Report saved") for m in messages))
    text = subprocess.run(["pdftotext", str(tmp_path / "tab.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "Dora" in text and "Tile A" in text and "2 files" not in text
    assert text.count("part_") >= 2


def test_a_pdf_of_two_profiles_is_refused_with_the_reason(tab, monkeypatch):
    warnings = []
    monkeypatch.setattr("radar_desktop.gui.history_view.QMessageBox.warning", lambda *a: warnings.append(a[2]))
    tab._on_pdf_button_clicked()  # no selection, no profile filter: Tile A and Tile B
    assert warnings and "2 profiles" in warnings[0] and not tab.asked
