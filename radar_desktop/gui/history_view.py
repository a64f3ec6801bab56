"""The History tab: every recorded inspection, filtered and sorted by the database, one row opened beside the table."""

from __future__ import annotations

import threading
from dataclasses import replace
from html import escape
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from radar_desktop.core.quantities import score_text
from radar_desktop.gui.history_filters import HistoryFilterBar
from radar_desktop.gui.history_model import COLUMNS, HistoryTableModel
from radar_desktop.gui.images import to_pixmap
from radar_desktop.history.database import MAX_IDS, HistoryDatabase, HistoryError, HistoryFilter, HistoryRow
from radar_desktop.history.drift import report_drift
from radar_desktop.history.export import write_history_csv
from radar_desktop.history.pictures import row_pictures
from radar_desktop.history.report_export import history_figures, history_report
from radar_desktop.reports.entries import region_text
from radar_desktop.reports.export import export_report

PICTURE_SIDE = 300


class HistoryWidget(QWidget):
    """Filter bar, lazily paged table, the opened row's pictures and record, CSV and PDF export.

    ``operator`` gives the name a PDF report is filed under; ``ask_report`` shows the report dialog
    (``ReportExportDialog.get_request``'s signature), so tests can stand in for it.
    """

    sig_message = Signal(str)
    """A line for the window's status bar: an export started, ended or failed."""
    _sig_export_ended = Signal(str)
    """(from the export's thread) what the export wrote, or why it failed."""

    def __init__(self, database_path: Path, operator, ask_report, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HistoryTableModel(database_path)
        self._operator, self._ask_report = operator, ask_report
        self.filters = HistoryFilterBar()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(0, Qt.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        for column, (_, _, width) in enumerate(COLUMNS):
            self.view.setColumnWidth(column, width)
        self.image_label, self.heat_label = QLabel(), QLabel()
        for label in (self.image_label, self.heat_label):
            label.setFixedSize(PICTURE_SIDE, PICTURE_SIDE)
            label.setAlignment(Qt.AlignCenter)
            label.setStyleSheet("background: #202020; color: #bdbdbd;")
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.details = QLabel("Open a row to see its pictures and record.")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.status = QLabel()
        self.promise = QLabel()
        self.promise.setWordWrap(True)
        self.promise.setStyleSheet("background: #fff3e0; color: #bf360c; padding: 4px;")
        self.promise.hide()
        self.refresh_button = QPushButton("Refresh")
        self.csv_button = QPushButton("Export CSV…")
        self.pdf_button = QPushButton("Export PDF report…")
        for button, tip in ((self.csv_button, "the selected rows, or every row the filter matches when none is selected"),
                            (self.pdf_button, "a PDF report of the selected rows, or of every row the filter matches")):
            button.setToolTip(f"Export {tip}")
        self._layout()
        self.filters.sig_changed.connect(self._on_filters_changed)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_current_changed)
        self.model.modelReset.connect(self._show_status)
        self.model.rowsInserted.connect(self._show_status)
        self.refresh_button.clicked.connect(self._on_refresh_button_clicked)
        self.csv_button.clicked.connect(self._on_csv_button_clicked)
        self.pdf_button.clicked.connect(self._on_pdf_button_clicked)
        self._sig_export_ended.connect(self._on_export_ended)
        self._export: threading.Thread | None = None

    def _layout(self) -> None:
        pictures = QHBoxLayout()
        pictures.addWidget(self.image_label)
        pictures.addWidget(self.heat_label)
        side = QWidget()
        column = QVBoxLayout(side)
        column.addLayout(pictures)
        column.addWidget(self.caption)
        column.addWidget(self.details, 1)
        split = QSplitter()
        split.addWidget(self.view)
        split.addWidget(side)
        split.setStretchFactor(0, 1)
        split.setSizes([800, 2 * PICTURE_SIDE + 30])
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.refresh_button, self.csv_button, self.pdf_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.promise)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)

    # -- reading -------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the history again: new rows, and the filter boxes' choices."""
        try:
            database = self.model.database()
            self.filters.set_choices(database.choices("profile_name"), database.choices("lot"),
                                     database.choices("operator"))
            self.model.set_filter(self.filters.current())
        except HistoryError as error:
            self.status.setText(f"The history cannot be read: {error}")
            self._set_enabled(False)
            return
        self._set_enabled(True)
        self._show_promise()

    def show_profile(self, name: str | None) -> None:
        """Filter on one profile (the one just loaded), when the history holds it."""
        self.filters.set_profile(name)

    def close_database(self) -> None:
        self.model.close()

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.filters, self.view, self.csv_button, self.pdf_button):
            widget.setEnabled(enabled)

    def _show_status(self, *_args) -> None:
        shown, total = self.model.rowCount(), self.model.total
        picked = len(self.view.selectionModel().selectedRows())
        self.status.setText(
            f"{total:,} inspections match" + (f" · {shown:,} loaded (scroll for more)" if shown < total else "")
            + (f" · {picked:,} selected" if picked else "")
        )

    def _show_promise(self) -> None:
        """A banner while the profile filtered on breaks its false-reject promise (from review decisions)."""
        name = self.model.filter.profile_name
        promise = report_drift(name, path=self.model.database_path).get("promise", {}) if name else {}
        self.promise.setVisible(bool(promise.get("broken_now")))
        self.promise.setText(promise.get("message", ""))

    def _on_filters_changed(self, flt: HistoryFilter) -> None:
        try:
            self.model.set_filter(flt)
        except HistoryError as error:
            self.status.setText(f"The history cannot be read: {error}")
            return
        self._show_promise()

    def _on_refresh_button_clicked(self) -> None:
        self.refresh()

    def _on_view_current_changed(self, current, _previous) -> None:
        self._show_status()
        if current.isValid():
            self.open_row(self.model.row_at(current.row()))

    def open_row(self, row: HistoryRow) -> None:
        """Show one inspection: its image (or stored thumbnail) and heatmap, and everything recorded with it."""
        pictures = row_pictures(self.model.database().files_dir, row, PICTURE_SIDE)
        _show(self.image_label, pictures.image, "No picture kept")
        _show(self.heat_label, pictures.heatmap, "No heatmap (not inspected)")
        self.caption.setText(f"Image: {pictures.source}")
        self.details.setText(record_text(row))

    # -- exporting -----------------------------------------------------------------------------------

    def selection_filter(self) -> HistoryFilter:
        """The selected rows, or the filter's rows when none is selected."""
        picked = [self.model.row_at(index.row()).id for index in self.view.selectionModel().selectedRows()]
        if len(picked) > MAX_IDS:
            raise ValueError(f"{len(picked):,} rows are selected; export at most {MAX_IDS:,} at once, or filter instead")
        return HistoryFilter(ids=tuple(picked)) if picked else self.model.filter

    def _on_csv_button_clicked(self) -> None:
        try:
            flt = self.selection_filter()
        except ValueError as error:
            QMessageBox.warning(self, "Export CSV", str(error))
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export history as CSV", str(Path.home() / "history.csv"),
                                              "CSV files (*.csv)")
        if path:
            self.export_csv(flt, Path(path))

    def export_csv(self, flt: HistoryFilter, path: Path) -> None:
        """Write the rows ``flt`` matches to ``path`` on a thread of the export's own (a big history takes seconds)."""
        database_path = self.model.database_path

        def write() -> str:
            with HistoryDatabase(database_path) as database:
                return f"{write_history_csv(database, flt, path):,} inspections exported to {path}"

        self._start_export(write, f"Exporting the history to {path.name}…")

    def _on_pdf_button_clicked(self) -> None:
        database = self.model.database()
        try:
            made = history_report(database, self.selection_filter(), operator=self._operator())
        except (HistoryError, ValueError) as error:
            QMessageBox.warning(self, "Export PDF report", str(error))
            return

        def with_operator(operator: str):
            return replace(made.report, session=replace(made.report.session, operator=operator))

        request = self._ask_report(with_operator, made.report.session.operator, Path.home() / "history-report.pdf", self)
        if request is not None:
            self.export_pdf(request, history_figures(database.files_dir, made.rows))

    def export_pdf(self, request, figures) -> None:
        """Write a ReportRequest of history rows (PDF, JSON sidecar, CSV if asked) on the export's thread."""

        def write() -> str:
            pages = export_report(request.report, figures, request.files, request.options)
            return f"Report saved: {request.files.pdf} ({pages} pages)"

        self._start_export(write, f"Writing {request.files.pdf.name}…")

    def _start_export(self, work, message: str) -> None:
        if self.exporting:
            QMessageBox.information(self, "Export", "An export is still being written; wait for it to finish.")
            return

        def run() -> None:
            try:
                self._sig_export_ended.emit(work())
            except (HistoryError, OSError, ValueError) as error:  # WriteError is an OSError
                self._sig_export_ended.emit(f"Export failed: {error}")

        self._set_export_buttons(False)
        self.sig_message.emit(message)
        self._export = threading.Thread(target=run, name="history-export", daemon=True)
        self._export.start()

    @property
    def exporting(self) -> bool:
        return self._export is not None and self._export.is_alive()

    def wait_for_export(self, timeout: float | None = None) -> bool:
        """Wait for a running export to end (closing the window, tests); False if it is still running."""
        if self._export is not None:
            self._export.join(timeout)
        return not self.exporting

    def _set_export_buttons(self, enabled: bool) -> None:
        self.csv_button.setEnabled(enabled)
        self.pdf_button.setEnabled(enabled)

    def _on_export_ended(self, message: str) -> None:
        self._set_export_buttons(True)
        self.sig_message.emit(message)
        if message.startswith("Export failed"):
            QMessageBox.warning(self, "Export", message)


def record_text(row: HistoryRow) -> str:
    """Everything recorded with one inspection, as rich text for the details panel (recorded text escaped)."""
    record, review, e = row.record, row.review, escape
    score = "—" if record.score is None else f"{score_text(record.score)}"
    lines = [
        f"<b>{e(record.name)}</b> — {record.verdict}, score {score}",
        f"Inspected {e(record.inspected_at)} by {e(record.operator or '—')} at {e(record.station or '—')} "
        f"({record.origin})",
        f"Lot: {e(record.lot or '—')}",
        f"Profile: {e(record.profile_name)} ({e(record.profile_hash[:12])}), scorer {e(record.scorer)}",
    ]
    if record.nok_threshold is not None:
        lines.append(f"Thresholds: review {score_text(record.review_threshold)}, NOK {score_text(record.nok_threshold)}")
    if record.width:
        lines.append(f"Image: {record.width} × {record.height} px, SHA-256 {(record.sha256 or '—')[:16]}…")
    regions = record.region_records()
    if regions:
        lines.append("Regions: " + e("; ".join(region_text(r) for r in regions[:5])) + (" …" if len(regions) > 5 else ""))
    if record.message:
        lines.append(f"Message: {e(record.message)}")
    if review:
        lines.append(f"<b>Review: {review.decision}</b> by {e(review.reviewer)}, {e(review.reviewed_at)}"
                     + (f" — {e(review.reason)}" if review.reason else ""))
    lines.append(f"File: {e(record.path)}")
    return "<br>".join(lines)


def _show(label: QLabel, pixels: np.ndarray | None, empty: str) -> None:
    if pixels is None:
        label.clear()
        label.setText(empty)
        return
    rgb = pixels[:, :, None] if pixels.ndim == 2 else np.ascontiguousarray(pixels[:, :, ::-1])
    label.setPixmap(to_pixmap(rgb).scaled(label.size(), Qt.KeepAspectRatio, Qt.SmoothTransformation))
