"""The Export report dialog: where to write, what to include, and a preview of the first page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from radar_desktop.gui.images import to_pixmap
from radar_desktop.reports.export import ReportFiles
from radar_desktop.reports.pdf import PAGE_SIZES, PdfOptions
from radar_desktop.reports.preview import cover_preview
from radar_desktop.reports.session import Report

PREVIEW_DPI = 62
PREVIEW_WIDTH = 560
PREVIEW_DELAY_MS = 250


@dataclass(frozen=True)
class ReportRequest:
    """What the user asked for: the report (with its operator) and where and how to write it."""

    report: Report
    files: ReportFiles
    options: PdfOptions


class ReportExportDialog(QDialog):
    """Operator, paper, pictures of all or only flagged images, PDF and CSV paths, live first-page preview."""

    def __init__(
        self,
        make_report: Callable[[str], Report],
        operator: str,
        pdf_path: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export report")
        self._make_report = make_report
        self._report: Report | None = None
        self.operator_edit = QLineEdit(operator)
        self.page_box = QComboBox()
        self.page_box.addItems(list(PAGE_SIZES))
        self.flagged_box = QCheckBox("Pictures of flagged images only (REVIEW, NOK)")
        self.pdf_edit = QLineEdit(str(pdf_path))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        self.csv_box = QCheckBox("Also write a CSV of every result")
        self.csv_box.setChecked(True)
        self.preview = QLabel("Preparing preview…")
        self.preview.setAlignment(Qt.AlignCenter)
        scroll = QScrollArea()
        scroll.setWidget(self.preview)
        scroll.setAlignment(Qt.AlignCenter)
        scroll.setMinimumWidth(PREVIEW_WIDTH)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #c62828")

        path_row = QHBoxLayout()
        path_row.addWidget(self.pdf_edit, 1)
        path_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Operator", self.operator_edit)
        form.addRow("Paper", self.page_box)
        form.addRow("", self.flagged_box)
        form.addRow("PDF file", path_row)
        form.addRow("", self.csv_box)
        form.addRow(QLabel("A JSON file with the same content is written beside the PDF."))
        left = QVBoxLayout()
        left.addLayout(form)
        left.addStretch(1)
        left.addWidget(self.message)
        left.addWidget(self.buttons)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addWidget(scroll, 3)
        self.resize(1040, 760)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.refresh_preview)
        self.operator_edit.textChanged.connect(self._preview_timer.start)
        self.page_box.currentTextChanged.connect(self._preview_timer.start)
        self.flagged_box.toggled.connect(self._preview_timer.start)
        self.refresh_preview()

    @classmethod
    def get_request(
        cls, make_report: Callable[[str], Report], operator: str, pdf_path: Path, parent: QWidget | None = None
    ) -> ReportRequest | None:
        """Show the dialog; the request, or None if the user cancelled."""
        dialog = cls(make_report, operator, pdf_path, parent)
        return dialog.request() if dialog.exec() == QDialog.Accepted else None

    def options(self) -> PdfOptions:
        return PdfOptions(page_size=self.page_box.currentText(), only_flagged=self.flagged_box.isChecked())

    def request(self) -> ReportRequest:
        """The request as the dialog's fields stand."""
        pdf = Path(self.pdf_edit.text().strip())
        if pdf.suffix.lower() != ".pdf":
            pdf = pdf.with_name(pdf.name + ".pdf")
        files = ReportFiles(pdf, pdf.with_suffix(".csv") if self.csv_box.isChecked() else None)
        return ReportRequest(self._current_report(), files, self.options())

    def _current_report(self) -> Report:
        operator = self.operator_edit.text().strip()
        if self._report is None or self._report.session.operator != operator:
            self._report = self._make_report(operator)
        return self._report

    def refresh_preview(self) -> None:
        """Render the first page exactly as the PDF will have it."""
        pixels = cover_preview(self._current_report(), self.options(), PREVIEW_DPI)
        self.preview.setPixmap(to_pixmap(pixels))
        self.preview.resize(pixels.shape[1], pixels.shape[0])

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save report as", self.pdf_edit.text(), "PDF (*.pdf)")
        if path:
            self.pdf_edit.setText(path)

    def _on_buttons_accepted(self) -> None:
        problem = self._problem()
        if problem:
            self.message.setText(problem)
            return
        self.accept()

    def _problem(self) -> str:
        """Why the fields cannot be used yet, or an empty string."""
        if not self.operator_edit.text().strip():
            return "Enter the operator's name: it is part of the quality record."
        text = self.pdf_edit.text().strip()
        if not text:
            return "Choose where to save the PDF."
        folder = Path(text).parent
        if not folder.is_dir():
            return f"The folder {folder} does not exist."
        return ""
